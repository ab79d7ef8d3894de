// The cost of evaluating inside the tidy scope that built a graph (which holds
// every intermediate, so MLX can hand none of their buffers on to the next op)
// against evaluating its result outside it. ReLU forward + backward on
// [64,28,28,32], median ms of 60 after 5 warm-ups.
//   node --import tsx bench/micro/tidy-eval.ts
import * as mt from '../../src/index.js';

const x = mt.keep(mt.random.normal([64, 28, 28, 32])).eval();
const reluGrad = (): mt.Tensor => {
  const v = x.detach().requireGrad();
  mt.sum(mt.relu(v)).backward();
  return v.grad!;
};
const runs = {
  'evaluated inside the tidy': () => mt.tidy(() => void reluGrad().eval()),
  'evaluated outside it': () => {
    const g = mt.tidy(reluGrad);
    g.eval();
    g.dispose();
  },
};
for (let round = 0; round < 2; round++) {
  for (const [name, run] of Object.entries(runs)) {
    const ts: number[] = [];
    for (let i = 0; i < 65; i++) {
      const t = performance.now();
      run();
      if (i >= 5) ts.push(performance.now() - t);
    }
    console.log(`${name.padEnd(26)} ${ts.sort((a, b) => a - b)[ts.length >> 1]!.toFixed(2)} ms`);
  }
}
