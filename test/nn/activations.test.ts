import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose, flat } from '../helpers/close.js';
import { det, gradcheckLayer } from './helpers.js';

const { nn } = mt;
const xs = [-3, -1, -0.5, 0, 0.5, 1, 3, 7];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const erf = (v: number): number => {
  // Abramowitz-Stegun 7.1.26 is too coarse; use a series + continued fraction-free form via numeric integration.
  const n = 2000, h = v / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
};
const softplus = (v: number) => Math.log1p(Math.exp(v));
const [SA, SL] = [1.6732632423543772, 1.0507009873554805];

/** [function, module, the formula in JS] */
const cases: [string, (x: mt.Tensor) => mt.Tensor, mt.nn.Module, (v: number) => number][] = [
  ['relu', nn.relu, new nn.ReLU(), (v) => Math.max(v, 0)],
  ['relu6', nn.relu6, new nn.ReLU6(), (v) => Math.min(Math.max(v, 0), 6)],
  ['leakyRelu', (x) => nn.leakyRelu(x, 0.1), new nn.LeakyReLU(0.1), (v) => (v > 0 ? v : 0.1 * v)],
  ['elu', (x) => nn.elu(x, 2), new nn.ELU(2), (v) => (v > 0 ? v : 2 * Math.expm1(v))],
  ['selu', nn.selu, new nn.SELU(), (v) => SL * (v > 0 ? v : SA * Math.expm1(v))],
  ['celu', (x) => nn.celu(x, 2), new nn.CELU(2), (v) => Math.max(0, v) + Math.min(0, 2 * Math.expm1(v / 2))],
  ['gelu', nn.gelu, new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  ['geluApprox', nn.geluApprox, new nn.GELU('tanh'), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ['geluFastApprox', nn.geluFastApprox, new nn.GELU('fast'), (v) => v * sig(1.702 * v)],
  ['silu', nn.silu, new nn.SiLU(), (v) => v * sig(v)],
  ['mish', nn.mish, new nn.Mish(), (v) => v * Math.tanh(softplus(v))],
  ['softplus', nn.softplus, new nn.Softplus(), softplus],
  ['softplus β=2', (x) => nn.softplus(x, 2), new nn.Softplus(2), (v) => softplus(2 * v) / 2],
  ['softsign', nn.softsign, new nn.Softsign(), (v) => v / (1 + Math.abs(v))],
  ['sigmoid', nn.sigmoid, new nn.Sigmoid(), sig],
  ['tanh', nn.tanh, new nn.Tanh(), Math.tanh],
  ['hardswish', nn.hardswish, new nn.Hardswish(), (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
];

describe.each(cases)('%s', (_name, fn, mod, formula) => {
  test('matches its formula, as a function and as a module', () => {
    const x = mt.tensor(xs);
    expectClose(fn(x), xs.map(formula), { rtol: 1e-5, atol: 1e-6 });
    expectClose(mod.forward(x), xs.map(formula), { rtol: 1e-5, atol: 1e-6 });
  });
  test('gradcheck', () => {
    expect(mt.gradcheck(fn, [det([2, 3])])).toBe(true);
    expect(gradcheckLayer(mod, [det([4], 3)])).toBe(true);
  });
});

describe('activations with an axis or a parameter', () => {
  test('softmax and logSoftmax', () => {
    const x = mt.tensor([[0, Math.log(3)], [1, 1]]);
    expectClose(new nn.Softmax().forward(x), [[0.25, 0.75], [0.5, 0.5]]);
    expectClose(new nn.LogSoftmax().forward(x), [[Math.log(0.25), Math.log(0.75)], [Math.log(0.5), Math.log(0.5)]]);
    expectClose(new nn.Softmax(0).forward(x), [[1 / (1 + Math.E), 3 / (3 + Math.E)], [Math.E / (1 + Math.E), Math.E / (3 + Math.E)]]);
    expect(gradcheckLayer(new nn.LogSoftmax(0), [det([3, 2])])).toBe(true);
    expect(gradcheckLayer(new nn.Softmax(), [det([3, 2])])).toBe(true);
  });

  test('GLU splits in halves and gates', () => {
    const x = mt.tensor([[1, 2, 0, 3]]);
    expectClose(nn.glu(x), [[1 * sig(0), 2 * sig(3)]]);
    expectClose(new nn.GLU(0).forward(mt.tensor([[1], [2]])), [[sig(2)]]);
    expect(gradcheckLayer(new nn.GLU(), [det([2, 4])])).toBe(true);
    expect(() => nn.glu(mt.ones([3]))).toThrow(/\[glu\] axis -1 of shape \[3\] must exist and have an even size/);
  });

  test('PReLU learns a slope, shared or per channel (last axis)', () => {
    const p = new nn.PReLU();
    expectClose(p.weight, [0.25]);
    expectClose(p.forward(mt.tensor([-2, 2])), [-0.5, 2]);
    const pc = new nn.PReLU(2, 0.1);
    pc.update({ weight: mt.tensor([0.1, 0.5]) });
    expectClose(pc.forward(mt.tensor([[-1, -1], [2, 2]])), [[-0.1, -0.5], [2, 2]]);
    expect(gradcheckLayer(new nn.PReLU(3), [det([2, 3])])).toBe(true);
  });

  test('the unused branch never turns a gradient into NaN', () => {
    const g = mt.grad((x: mt.Tensor) => mt.sum(nn.elu(x)))(mt.tensor([100, -1]));
    expect(flat(g).every(Number.isFinite)).toBe(true);
    const g2 = mt.grad((x: mt.Tensor) => mt.sum(nn.celu(x)))(mt.tensor([100, -1]));
    expect(flat(g2).every(Number.isFinite)).toBe(true);
  });
});
