// Step time of data-parallel training, 1 process vs N: the MNIST example's
// CNN (conv 3x3 16 → pool → conv 3x3 32 → pool → linear) on random 28x28
// digits, a global batch split evenly over the ranks, gradients averaged.
//
//   node bin/mlx-tape.mjs launch -n 1 bench/distributed.ts [batch] [steps]
//   node bin/mlx-tape.mjs launch -n 2 bench/distributed.ts [batch] [steps]
//
// Rank 0 prints the median step time over `steps` steps (after 3 warm-up
// steps), the slowest rank's time per step being what the run waits for.
import * as mt from '../src/index.js';

const { distributed: dist, nn, optim } = mt;
const world = dist.init();
const [batchArg = '128', stepsArg = '30', model = 'cnn'] = process.argv.slice(2);
const B = Number(batchArg);
const steps = Number(stepsArg);
if (B % world.size) throw new Error(`batch ${B} must divide by the ${world.size} ranks`);
const local = B / world.size;

mt.random.seed(0);
const pool = (x: mt.Tensor): mt.Tensor => mt.maxPool2d(x, 2);
const flatten = (x: mt.Tensor): mt.Tensor => mt.reshape(x, [x.shape[0]!, -1]);
const net = model === 'cnn'
  ? new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), pool,
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), pool,
    flatten, new nn.Linear(7 * 7 * 32, 10))
  : new nn.Sequential(flatten, new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
const opt = new optim.SGD({ learningRate: 0.01, momentum: 0.9 });
const step = nn.valueAndGrad(net, (x: mt.Tensor, y: mt.Tensor) => nn.losses.crossEntropy(net.forward(x) as mt.Tensor, y, { reduction: 'mean' }));

// Each rank's shard of one fixed global batch (the data pipeline is not timed).
const key = mt.random.key(world.rank);
const x = mt.keep(mt.random.normal([local, 28, 28, 1], { key }));
const y = mt.keep(mt.random.randint(0, 10, [local], 'int32', key));

const times: number[] = [];
for (let i = 0; i < steps + 3; i++) {
  const t0 = performance.now();
  mt.tidy(() => {
    const [loss, grads] = step(x, y);
    opt.update(net, dist.averageGradients(grads));
    loss.item();
  });
  times.push(performance.now() - t0);
}
// The communication alone: averaging one step's gradients, evaluated.
const [, grads] = step(x, y);
mt.evaluate(...mt.treeFlatten(grads));
const comm: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  mt.tidy(() => mt.evaluate(...mt.treeFlatten(dist.averageGradients(grads))));
  comm.push(performance.now() - t0);
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const slowest = dist.allMax(mt.tensor([median(times.slice(3)), median(comm)], 'float32')).toArray() as number[];
if (world.rank === 0) {
  const bytes = mt.treeFlatten(grads).reduce((n, g) => n + g.size * 4, 0);
  console.log(`${model}  ranks ${world.size}  global batch ${B} (${local} per rank)  step ${slowest[0]!.toFixed(1)} ms` +
    `  ${(B / slowest[0]! * 1000).toFixed(0)} samples/s  averageGradients ${slowest[1]!.toFixed(2)} ms (${(bytes / 1024).toFixed(0)} KiB)`);
}
