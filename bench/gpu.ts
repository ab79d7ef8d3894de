// W1/W2 train steps of mlx-tape on the GPU (MLX's CUDA or Metal backend), the
// same workloads as bench/gpu.py. Prints one JSON line. Usage: tsx bench/gpu.ts
import * as mt from '../src/index.js';

const { nn, optim } = mt;
const RUNS = 20, WARMUP = 5, LR = 0.01;

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
  const step = nn.valueAndGrad(model, (m: mt.nn.Module, a: mt.Tensor, b: mt.Tensor) =>
    nn.losses.crossEntropy(m.forward(a) as mt.Tensor, b, { reduction: 'mean' }));
  return () => {
    const [loss, grads] = step(model, x, y);
    opt.update(model, grads);
    loss.eval();
    mt.dispose([loss, grads]);
  };
}

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'cpu' ? 'cpu' : 'gpu');
mt.random.seed(0);
const mlp = new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 512), new nn.ReLU(), new nn.Linear(512, 10));
class Cnn extends nn.Module {
  c1 = new nn.Conv2d(1, 32, 3, { padding: 1 });
  c2 = new nn.Conv2d(32, 64, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  fc = new nn.Linear(64 * 7 * 7, 10);
  forward(x: mt.Tensor): mt.Tensor {
    const h = this.pool.forward(mt.relu(this.c2.forward(this.pool.forward(mt.relu(this.c1.forward(x))))));
    return this.fc.forward(mt.reshape(h, [h.shape[0]!, -1]));
  }
}
const cnn = new Cnn();
console.log(JSON.stringify({ 'mlx-tape': { W1: medianMs(trainer(mlp, [128, 784])), W2: medianMs(trainer(cnn, [64, 28, 28, 1])), backend: mt.backend() } }));
