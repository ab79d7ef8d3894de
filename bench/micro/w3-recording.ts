// W3's recording row alone (bench/workers/mlx-tape.ts): y = y * a + b 5,000
// times on [16] arrays with x recorded, sum, backward, eval of x's gradient.
// Prints the median µs per op of REPS repetitions (default 60) after 10 more.
// bench/micro/ab.sh runs it in alternating processes at two commits.
//   node --import tsx bench/micro/w3-recording.ts
import * as mt from '../../src/index.js';

const N = 5000, REPS = Number(process.env.REPS ?? 60);
const a = mt.full([16], 0.999), b = mt.full([16], 0.001), x0 = mt.random.normal([16]);
mt.evaluate(a, b, x0);
const ms: number[] = [];
for (let r = 0; r < REPS + 10; r++) {
  const t = performance.now();
  const grad = mt.tidy(() => {
    const x = x0.detach().requireGrad();
    let y = x;
    for (let i = 0; i < N; i++) y = mt.add(mt.multiply(y, a), b);
    mt.sum(y).backward();
    return x.grad!;
  });
  grad.eval();
  grad.dispose();
  if (r >= 10) ms.push(performance.now() - t);
}
ms.sort((p, q) => p - q);
console.log(`W3 recording, µs per op: ${((ms[ms.length >> 1]! * 1000) / (2 * N)).toFixed(3)}`);
