// W1/W2 train steps of mlx-tape on the GPU (MLX's CUDA or Metal backend), the
// same workloads as bench/gpu.py, eager and with the whole step compiled
// (mt.compile). Prints one JSON line. Usage: tsx bench/gpu.ts
import * as mt from '../src/index.js';
import { Cnn, Mlp, sortedStepMs, trainer } from './models.js';

// A warm-up long enough for V8's optimizing JIT to compile the step (after 5
// steps the host's share of a W1 step still runs ~1.7x slower); the Python
// peers in bench/gpu.py take the same counts.
const RUNS = 50, WARMUP = 200;

const medianMs = (step: () => void): number => sortedStepMs(step, RUNS, WARMUP)[RUNS >> 1]!;

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'cpu' ? 'cpu' : 'gpu');
const steps = (compiled: boolean) => {
  mt.random.seed(0);
  return { W1: medianMs(trainer(new Mlp(), [128, 784], compiled)), W2: medianMs(trainer(new Cnn(), [64, 28, 28, 1], compiled)) };
};
console.log(JSON.stringify({ 'mlx-tape': { ...steps(false), backend: mt.backend() }, 'mlx-tape compiled': steps(true) }));
