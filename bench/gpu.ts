// W1/W2 train steps of mlx-tape on the GPU (MLX's CUDA or Metal backend), the
// same workloads as bench/gpu.py, eager and with the whole step compiled
// (mt.compile). Prints one JSON line. Usage: tsx bench/gpu.ts
import * as mt from '../src/index.js';
import { Cnn, Mlp, sortedStepMs, trainer } from './models.js';

// A warm-up of at least 200 steps and 2 s, as bench/run.mjs warms its rows:
// V8's optimizing JIT needs hundreds of steps (on the H100, W1 steps timed
// after 200 ran 0.1-0.2 ms slower than after 3,000, a sixth of a step). The
// Python peers in bench/gpu.py warm up alike.
const RUNS = 50, WARMUP_STEPS = 200, WARMUP_MS = 2000;

const medianMs = (step: () => void): number => {
  const start = performance.now();
  for (let i = 0; i < WARMUP_STEPS || performance.now() - start < WARMUP_MS; i++) step();
  return sortedStepMs(step, RUNS, 0)[RUNS >> 1]!;
};

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'cpu' ? 'cpu' : 'gpu');
const steps = (compiled: boolean) => {
  mt.random.seed(0);
  return { W1: medianMs(trainer(new Mlp(), [128, 784], compiled)), W2: medianMs(trainer(new Cnn(), [64, 28, 28, 1], compiled)) };
};
console.log(JSON.stringify({ 'mlx-tape': { ...steps(false), backend: mt.backend() }, 'mlx-tape compiled': steps(true) }));
