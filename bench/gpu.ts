// W1/W2 train steps of mlx-tape on the GPU (MLX's CUDA or Metal backend), the
// same workloads as bench/gpu.py. Prints one JSON line. Usage: tsx bench/gpu.ts
import * as mt from '../src/index.js';
import { Cnn, lossFn, Mlp } from './models.js';

const { nn, optim } = mt;
// A warm-up long enough for V8's optimizing JIT to compile the step (after 5
// steps the host's share of a W1 step still runs ~1.7x slower); the Python
// peers in bench/gpu.py take the same counts.
const RUNS = 50, WARMUP = 200, LR = 0.01;

function medianMs(step: () => void): number {
  for (let i = 0; i < WARMUP; i++) step();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

function trainer(model: mt.nn.Module, shape: number[]): () => void {
  const x = mt.keep(mt.random.normal(shape)), y = mt.keep(mt.random.randint(0, 10, [shape[0]!]));
  const opt = new optim.SGD({ learningRate: LR });
  const step = nn.valueAndGrad(model, lossFn);
  return () => {
    const [loss, grads] = step(model, x, y);
    opt.update(model, grads, { evaluate: [loss] });
    mt.dispose([loss, grads]);
  };
}

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'cpu' ? 'cpu' : 'gpu');
mt.random.seed(0);
const mlp = new Mlp();
const cnn = new Cnn();
console.log(JSON.stringify({ 'mlx-tape': { W1: medianMs(trainer(mlp, [128, 784])), W2: medianMs(trainer(cnn, [64, 28, 28, 1])), backend: mt.backend() } }));
