import * as mt from '../../src/index.js';
const { nn, optim } = mt;
class Tiny extends nn.Module {
  l1 = new nn.Linear(8, 8); l2 = new nn.Linear(8, 8); l3 = new nn.Linear(8, 2);
  forward(x: mt.Tensor) { return this.l3.forward(mt.relu(this.l2.forward(mt.relu(this.l1.forward(x))))); }
}
const model = new Tiny();
const x = mt.keep(mt.random.normal([4, 8])), y = mt.keep(mt.random.randint(0, 2, [4]));
const opt = new optim.SGD({ learningRate: 0.01 });
const vg = nn.valueAndGrad(model, (m: Tiny, a: mt.Tensor, b: mt.Tensor) => nn.losses.crossEntropy(m.forward(a), b, { reduction: 'mean' }));
const t = [0, 0];
const N = Number(process.argv[2] ?? 2000);
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const [loss, grads] = vg(model, x, y); opt.update(model, grads); 
  const t1 = performance.now();
  loss.eval(); mt.dispose([loss, grads]);
  if (i >= 200) { t[0] += t1 - t0; t[1] += performance.now() - t1; }
}
console.log(`tiny: vg+update(incl eval) ${(t[0] / (N - 200) * 1000).toFixed(0)} µs, loss eval+dispose ${(t[1] / (N - 200) * 1000).toFixed(0)} µs`);
