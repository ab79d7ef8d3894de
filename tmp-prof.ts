// THROWAWAY profile: framework step vs MLX's own vjp on the same CNN and batch.
import * as mt from './src/index.js';
import { nn } from './src/index.js';
import { native as a } from './src/tensor/native.js';
import { cnn } from './examples/mnist/models.js';
const { train } = mt.data.mnistDigitsSplit();
mt.random.seed(0);
const model = cnn(28, 10);
const [b] = new mt.data.DataLoader(train, { batchSize: 64 }).epoch(0);
const lossFn = (m: nn.Module, x: mt.Tensor, y: mt.Tensor) => nn.losses.crossEntropy(m.forward(x) as mt.Tensor, y, { reduction: 'mean' });
const step = nn.valueAndGrad(model, lossFn);
const names = model.namedParameters();
const ps = names.map(([, p]) => p);
function ours() { const [l, g] = step(model, b!.x, b!.y); mt.evaluate(l, ...mt.treeFlatten(g)); mt.dispose([l, g]); }
function theirs() {
  const f = (xs: any[]) => { const ts = xs.map((x) => new mt.Tensor(x)); const m2 = cnn(28, 10); return [mt.noGrad(() => { model.update(mt.nn.unflattenNamed(names.map(([n], i) => [n, ts[i]!]))); return lossFn(model, b!.x, b!.y).data; })]; };
  const [o, g] = a.mlxVjp(f as any, ps.map((p) => p.data), [a.full([], 1, 'float32')]); a.eval([...o, ...g]);
  model.update(mt.nn.unflattenNamed(names.map(([n], i) => [n, ps[i]!])));
}
function fwdOnly() { mt.tidy(() => mt.noGrad(() => lossFn(model, b!.x, b!.y).eval())); }
for (let r = 0; r < 3; r++) for (const [name, fn] of [['ours', ours], ['mlx vjp', theirs], ['forward', fwdOnly]] as const) {
  const t = performance.now(); for (let i = 0; i < 8; i++) fn(); console.log(name, ((performance.now() - t) / 8).toFixed(1), 'ms/step');
}
