// Run by training.test.ts under `mlx-tape launch -n 1` (one process, the full
// batch) and `-n 2` (data-parallel: each rank a half of every batch, the
// gradients averaged). The data-parallel recipe: same init on every rank,
// shard by rank, averageGradients, step. Reports the final parameters.
import * as mt from '../../../src/index.js';
import { report } from './report.js';

const { distributed: dist, nn, optim } = mt;
const world = dist.init();
const [variant = 'ops', stepsArg = '5'] = process.argv.slice(2);
const steps = Number(stepsArg);
const B = 8; // the global batch; each of `world.size` ranks takes B / size rows

/** Batch `k`: deterministic inputs [B, 4] and targets [B, 2] (no RNG). */
function batch(k: number): [mt.Tensor, mt.Tensor] {
  const x = Array.from({ length: B * 4 }, (_, i) => Math.sin(0.7 * i + 1.3 * k));
  const y = Array.from({ length: B * 2 }, (_, i) => Math.cos(0.5 * i - 0.9 * k));
  return [mt.tensor(x, 'float32', [B, 4]), mt.tensor(y, 'float32', [B, 2])];
}

/** This rank's rows of a batch. */
function shard(t: mt.Tensor): mt.Tensor {
  const n = t.shape[0]! / world.size;
  return mt.slice(t, [world.rank * n, 0], [(world.rank + 1) * n, t.shape[1]!]);
}

const toLists = (tree: unknown): unknown => mt.treeFlatten(tree).map((t) => t.toArray());

if (variant === 'ops') {
  // A linear model written with mt ops, trained by hand-written SGD.
  let params = {
    w: mt.tensor(Array.from({ length: 8 }, (_, i) => 0.1 * (i - 4)), 'float32', [4, 2]),
    b: mt.tensor([0.05, -0.05], 'float32'),
  };
  const loss = (p: typeof params, x: mt.Tensor, y: mt.Tensor) => mt.mean(mt.square(mt.subtract(mt.add(mt.matmul(x, p.w), p.b), y)));
  const step = mt.valueAndGrad(loss);
  report('initial', toLists(params));
  for (let k = 0; k < steps; k++) {
    const [x, y] = batch(k);
    const [, grads] = step(params, shard(x), shard(y));
    const g = dist.averageGradients(grads) as typeof params;
    params = { w: mt.subtract(params.w, mt.multiply(g.w, 0.1)), b: mt.subtract(params.b, mt.multiply(g.b, 0.1)) };
    mt.evaluate(params.w, params.b);
  }
  report('params', toLists(params));
} else {
  // The same recipe with nn and optim: an MLP, SGD with momentum.
  mt.random.seed(7); // every rank starts from the same weights
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));
  const opt = new optim.SGD({ learningRate: 0.05, momentum: 0.9 });
  const step = nn.valueAndGrad(model, (xb: mt.Tensor, yb: mt.Tensor) => nn.losses.mseLoss(model.forward(xb), yb));
  report('initial', toLists(model.parameters()));
  for (let k = 0; k < steps; k++) {
    const [x, y] = batch(k);
    const [, grads] = step(shard(x), shard(y));
    opt.update(model, dist.averageGradients(grads));
  }
  report('params', toLists(model.parameters()));
}
