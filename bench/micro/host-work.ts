// How much of a W1 (or with `W2`, W2) eager train step is host work (graph, update, disposal:
// everything but MLX's eval) against the whole step: the step of bench/models.ts
// with native.eval stubbed out, alternated with the real one. Each stubbed
// round is followed by an eval of what it left (outside the timing).
// bench/micro/host_work.py is MLX-Python's side. BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/host-work.ts [W2]
import * as mt from '../../src/index.js';
import { Cnn, hostWorkMs, Mlp, trainer } from '../models.js';

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
mt.random.seed(0);
const w = process.argv.includes('W2') ? 'W2' : 'W1';
const step = w === 'W2' ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
const wholeStepMs = (n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) step();
  return (performance.now() - t) / n;
};
for (let i = 0; i < 300; i++) step();
const host: number[] = [], whole: number[] = [];
for (let r = 0; r < 9; r++) {
  host.push(hostWorkMs(step, 50));
  whole.push(wholeStepMs(200));
}
const median = (a: number[]): string => a.sort((p, q) => p - q)[a.length >> 1]!.toFixed(3);
console.log(`mlx-tape ${w}: host work alone ${median(host)} ms, whole step ${median(whole)} ms`);
