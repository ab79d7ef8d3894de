// W1's model and batch trained with Adam: the update through native.adamStep
// (native/src/kernels.cc, one pass on two threads), or with ADAM=composed
// through the composed ops (m, v, the step, the parameter: eleven passes);
// SGD's step alongside for scale. Median and p25 of 200 steps. Alternate
// processes, as the VM drifts:
//   for i in 1 2 3; do ADAM=composed node --import tsx bench/micro/adam-update.ts; node --import tsx bench/micro/adam-update.ts; done
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { lossFn, Mlp, randomBatch, sortedStepMs } from '../models.js';

const { nn, optim } = mt;
if (process.env.ADAM === 'composed') {
  // The kernels' composed forms, from native ops, each temporary freed.
  const n = native;
  const scaledSum = (x: NativeArray, a: number, y: NativeArray, b: number, out: NativeArray[]): NativeArray => {
    const [ax, by] = [n.multiply(x, a), n.multiply(y, b)];
    out.push(ax, by);
    return n.add(ax, by);
  };
  n.axpby = (x, y, alpha, beta) => {
    const temps: NativeArray[] = [];
    const out = scaledSum(x, alpha, y, beta, temps);
    temps.forEach((t) => n.dispose(t));
    return out;
  };
  n.adamStep = (p, g, m, v, b1, b2, c1, c2, eps, lr, decay) => {
    const t: NativeArray[] = [];
    const keep = (a: NativeArray): NativeArray => (t.push(a), a);
    const m1 = scaledSum(m, b1, g, 1 - b1, t), v1 = scaledSum(v, b2, keep(n.square(g)), 1 - b2, t);
    const step = keep(n.divide(keep(n.divide(m1, c1)), keep(n.add(keep(n.sqrt(keep(n.divide(v1, c2)))), eps))));
    const p1 = scaledSum(p, decay, step, -lr, t);
    t.forEach((a) => n.dispose(a));
    return [p1, m1, v1];
  };
}
const fused = process.env.ADAM !== 'composed';
mt.random.seed(0);
for (const [name, opt] of [['Adam', new optim.Adam({ learningRate: 1e-3 })], ['SGD', new optim.SGD({ learningRate: 0.01 })]] as const) {
  const model = new Mlp();
  const [x, y] = randomBatch([128, 784]);
  const valueAndGrad = nn.valueAndGrad(model, lossFn);
  const ts = sortedStepMs(() => {
    const [loss, grads] = valueAndGrad(model, x, y);
    opt.update(model, grads, { evaluate: [loss] });
    mt.dispose([loss, grads]);
  }, 200, 20);
  console.log(`W1 with ${name} (${fused ? 'one-pass kernels' : 'composed ops'}): median ${ts[100]!.toFixed(2)} ms, p25 ${ts[50]!.toFixed(2)} ms`);
}
