// Run by collectives.test.ts under `mlx-tape launch -n 2`: every collective on
// known values, and the gradients that flow through them across ranks.
import * as mt from '../../../src/index.js';
import { report } from './report.js';

const { distributed: dist } = mt;
const world = dist.init({ strict: true });
const r = world.rank;
report('group', { rank: r, size: world.size, text: String(world) });

const x = mt.tensor([r + 1, 10 * (r + 1), -r], 'float32');
report('allSum', dist.allSum(x).toArray());
report('allSumInt', dist.allSum(mt.tensor([[r, 2 * r], [3, 4]], 'int32')).toArray());
report('allSumFloat64', mt.withDevice('cpu', () => dist.allSum(mt.tensor([0.1 * (r + 1)], 'float64')).toArray())); // float64 is CPU-only in MLX
report('allGather', dist.allGather(x).toArray());
report('allGather2d', dist.allGather(mt.tensor([[r, r], [r + 10, r + 10]], 'int32')).toArray());
report('allGatherScalar', dist.allGather(mt.tensor(r + 5, 'float32')).toArray());
report('allMax', dist.allMax(x).toArray());
report('allMin', dist.allMin(x).toArray());

// The ring's two neighbours of a 2-ring are the same peer: rank 0 sends, rank 1 receives, then back.
if (r === 0) {
  mt.evaluate(dist.send(mt.tensor([1, 2, 3], 'float32'), 1));
  report('recv', dist.recvLike(mt.zeros([2], 'int32'), 1).toArray());
} else {
  report('recv', dist.recv([3], 'float32', 0).toArray());
  mt.evaluate(dist.send(mt.tensor([7, 8], 'int32'), 0));
}

// Gradients of the sum of both ranks' losses, each rank computing its own.
const w = mt.tensor([1 + r, 2, 3 * r], 'float32');
const gSum = mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(dist.allSum(t), w)))(x);
report('gradAllSum', gSum.toArray()); // sum over ranks of w
const v = mt.tensor([1, 2, 3, 4, 5, 6].map((k) => k * (r + 1)), 'float32');
report('gradAllGather', mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(dist.allGather(t), v)))(x).toArray());
const m = mt.tensor([r, 5, 2 - r], 'float32'); // max per element: rank 1, tie, rank 0
report('gradAllMax', mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(dist.allMax(t), w)))(m).toArray());
report('gradAllMin', mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(dist.allMin(t), w)))(m).toArray());

// averageGradients over a tree: fused (one all-reduce) and one per gradient.
const tree = { a: mt.tensor([[r, 1], [2, 3]], 'float32'), b: [mt.tensor([4 * r], 'float32'), mt.tensor([r, r, r], 'float16')] };
const fused = dist.averageGradients(tree);
const each = dist.averageGradients(tree, { allReduceSize: 0 });
const flat = (t: typeof tree) => [t.a.toArray(), t.b[0]!.toArray(), t.b[1]!.toArray(), t.b[1]!.dtype];
report('average', flat(fused));
report('averageEach', flat(each));

// What fails, fails with MLX's message: sum_scatter and split are not in the ring backend.
try {
  dist.sumScatter(mt.ones([4])).toArray();
  report('sumScatter', 'no error');
} catch (e) {
  report('sumScatter', { name: (e as Error).name, code: (e as mt.MlxError).code, message: (e as Error).message });
}
try {
  world.split(0);
  report('split', 'no error');
} catch (e) {
  report('split', (e as Error).message);
}
report('done', true);
