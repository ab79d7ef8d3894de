// W1/W2 train steps of mlx-tape on the GPU (MLX's CUDA or Metal backend), the
// same workloads as bench/gpu.py, eager and with the whole step compiled
// (mt.compile). Prints one JSON line. Usage: tsx bench/gpu.ts
import * as mt from '../src/index.js';
import { Cnn, JIT_WARMUP_STEPS, Mlp, sortedStepMs, trainer } from './models.js';

// A warm-up of at least 4,000 steps and 2 s: V8 optimizes the tape's and the
// optimizer's once-a-step functions only after thousands of steps, and until
// then a W1 step's host work varies (bench/micro/jit-warmup.ts: 110-260 µs a
// step up to ~4,000 steps, 107-115 after, on the development VM). On the GPU,
// where the step is host-bound, a shorter warm-up timed some processes
// before that and some after. The Python peers in bench/gpu.py warm up alike.
const RUNS = 50, WARMUP_MS = 2000;

const medianMs = (step: () => void): number => {
  const start = performance.now();
  for (let i = 0; i < JIT_WARMUP_STEPS || performance.now() - start < WARMUP_MS; i++) step();
  return sortedStepMs(step, RUNS, 0)[RUNS >> 1]!;
};

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'cpu' ? 'cpu' : 'gpu');
const steps = (compiled: boolean) => {
  mt.random.seed(0);
  return { W1: medianMs(trainer(new Mlp(), [128, 784], compiled)), W2: medianMs(trainer(new Cnn(), [64, 28, 28, 1], compiled)) };
};
console.log(JSON.stringify({ 'mlx-tape': { ...steps(false), backend: mt.backend() }, 'mlx-tape compiled': steps(true) }));
