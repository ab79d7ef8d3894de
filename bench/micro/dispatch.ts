// W3's chain (y = y * a + b, 5,000 times on [16] arrays) split into layers:
// raw native calls vs Tensor ops in tidy, with and without the eval; µs per op.
// Then W3's recording row by phase: recording, backward, the end of the tidy
// scope (disposal), the eval of the gradient. bench/micro/dispatch.py is the
// MLX-Python side.
//   node --import tsx bench/micro/dispatch.ts
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';

const N = 5000;
const a = mt.full([16], 0.999), b = mt.full([16], 0.001), x0 = mt.random.normal([16]);
mt.evaluate(a, b, x0);

/** µs per op of the chain from the median of repetitions' ms. */
const perOpOf = (ms: number[]): string => ((ms.sort((p, q) => p - q)[ms.length >> 1]! * 1000) / (2 * N)).toFixed(2);

/** `chain` may return the ms of the part it times itself; else the whole call counts. Median of 15 after 5. */
function perOp(label: string, chain: () => number | void): void {
  const ts: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    const part = chain();
    if (r >= 5) ts.push(part ?? performance.now() - t);
  }
  console.log(`${label.padEnd(50)} ${perOpOf(ts)} µs/op`);
}

perOp('Tensor ops in tidy, eval', () => mt.tidy(() => {
  let y = x0;
  for (let i = 0; i < N; i++) y = mt.add(mt.multiply(y, a), b);
  y.eval();
}));
// W3's form: intermediates freed when the scope ends, before the eval.
perOp('Tensor ops in tidy, eval outside', () => {
  const y = mt.tidy(() => {
    let y = x0;
    for (let i = 0; i < N; i++) y = mt.add(mt.multiply(y, a), b);
    return y;
  });
  y.eval();
  y.dispose();
});
perOp('Tensor ops in tidy, no eval', () => mt.tidy(() => {
  let y = x0;
  for (let i = 0; i < N; i++) y = mt.add(mt.multiply(y, a), b);
}));
/** The chain from raw native calls, every intermediate handle disposed: only MLX's graph holds them. */
function disposedChain(): NativeArray {
  let y = x0.data;
  const made: NativeArray[] = [];
  for (let i = 0; i < N; i++) {
    const m = native.multiply(y, a.data);
    y = native.add(m, b.data);
    made.push(m, y);
  }
  made.pop();
  for (const h of made) native.dispose(h);
  return y;
}
perOp('native calls, intermediates disposed, eval', () => {
  const y = disposedChain();
  native.eval([y]);
  native.dispose(y);
});
// The eval alone of that chain; bench/micro/chain.cc times the same on libmlx from C++.
perOp('native calls, disposed first, the eval alone', () => {
  const y = disposedChain();
  const t = performance.now();
  native.eval([y]);
  const ms = performance.now() - t;
  native.dispose(y);
  return ms;
});
perOp('native calls, no eval', () => {
  let y = x0.data;
  for (let i = 0; i < N; i++) y = native.add(native.multiply(y, a.data), b.data);
});

// W3's recording row (bench/workers/mlx-tape.ts), each phase timed on its own; µs per op of the chain.
const phases = { record: [] as number[], backward: [] as number[], 'tidy end': [] as number[], eval: [] as number[], whole: [] as number[] };
for (let r = 0; r < 20; r++) {
  const t0 = performance.now();
  let t1 = 0, t2 = 0;
  const grad = mt.tidy(() => {
    const x = x0.detach().requireGrad();
    let y = x;
    for (let i = 0; i < N; i++) y = mt.add(mt.multiply(y, a), b);
    t1 = performance.now();
    mt.sum(y).backward();
    t2 = performance.now();
    return x.grad!;
  });
  const t3 = performance.now();
  grad.eval();
  grad.dispose();
  const t4 = performance.now();
  if (r < 5) continue;
  phases.record.push(t1 - t0);
  phases.backward.push(t2 - t1);
  phases['tidy end'].push(t3 - t2);
  phases.eval.push(t4 - t3);
  phases.whole.push(t4 - t0);
}
console.log(`recording + backward by phase, µs/op: ${Object.entries(phases).map(([k, ms]) => `${k} ${perOpOf(ms)}`).join(', ')}`);
