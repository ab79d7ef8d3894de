// Where MLX's CPU stream thread runs (native/src/evaluate.cc), A/B in one
// process: following the caller's CPU (CPU-only builds' default) or on any CPU,
// alternating in rounds. Four loads: a small eval after every two ops (as a
// loop that reads a loss with item() does), W3's chain (10,000 ops, one eval)
// and W1's and W2's eager train steps. bench/micro/handoff.c measures the
// hand-off alone; bench/micro/stream_cpu.py is MLX-Python's small evals.
//   node --import tsx bench/micro/stream-cpu.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, trainer } from '../models.js';

mt.random.seed(0);
const a = mt.full([16], 0.999), b = mt.full([16], 0.001);
let x = mt.random.normal([16]).eval();
const smallEvals = (): number => {
  const t = performance.now();
  for (let i = 0; i < 500; i++) {
    const y = mt.tidy(() => mt.add(mt.multiply(x, a), b)).eval();
    x.dispose();
    x = y;
  }
  return ((performance.now() - t) * 1e3) / 500;
};
const chain = (): number => {
  const t = performance.now();
  const y = mt.tidy(() => {
    let y = x;
    for (let i = 0; i < 5000; i++) y = mt.add(mt.multiply(y, a), b);
    return y;
  });
  y.eval();
  y.dispose();
  return ((performance.now() - t) * 1e3) / 10000;
};
/** ms per step, the mean of `n`. */
const steps = (step: () => void, n: number) => (): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) step();
  return (performance.now() - t) / n;
};
const w1 = steps(trainer(new Mlp(), [128, 784]), 10);
const w2 = steps(trainer(new Cnn(), [64, 28, 28, 1]), 2);

const initial = native.streamFollowsCaller(true);
for (const [label, unit, run] of [['a small eval', 'µs per eval', smallEvals], ['W3 chain', 'µs per op', chain], ['W1 step', 'ms', w1], ['W2 step', 'ms', w2]] as const) {
  const times: Record<'follows' | 'any', number[]> = { follows: [], any: [] };
  for (let r = 0; r < 44; r++) {
    const mode = r % 2 ? 'any' : 'follows';
    native.streamFollowsCaller(mode === 'follows');
    const t = run();
    if (r >= 4) times[mode].push(t);
  }
  const median = (v: number[]): string => v.sort((p, q) => p - q)[v.length >> 1]!.toFixed(2);
  console.log(`${label.padEnd(13)} stream thread on the caller's CPU ${median(times.follows)}, on any CPU ${median(times.any)} ${unit}`);
}
native.streamFollowsCaller(initial);
