import { beforeAll, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { matmulTol } from '../helpers/device.js';
import { expectClose, flat } from '../helpers/close.js';

const { nn } = mt;
const { init } = nn;
beforeAll(() => mt.random.seed(0)); // statistical checks, made reproducible

const stats = (t: mt.Tensor) => {
  const v = flat(t);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length), min: Math.min(...v), max: Math.max(...v) };
};

/** U(-b, b): every value inside, spread like a uniform (std b/√3). */
function expectUniform(t: mt.Tensor, b: number): void {
  const s = stats(t);
  expect(s.min).toBeGreaterThanOrEqual(-b);
  expect(s.max).toBeLessThanOrEqual(b);
  expect(s.std).toBeGreaterThan((b / Math.sqrt(3)) * 0.9);
  expect(s.std).toBeLessThan((b / Math.sqrt(3)) * 1.1);
}

describe('initializers', () => {
  test('fans in MLX layout [out, ...kernel, in]', () => {
    expect(init.fans([8, 4])).toEqual([4, 8]);
    expect(init.fans([64, 3, 3, 16])).toEqual([144, 576]);
    expect(() => init.fans([3])).toThrow(/\[init\] fan in\/out needs a weight of at least 2 axes, got shape \[3\]/);
  });

  test('constant, normal, uniform', () => {
    expectClose(init.constant(0.5)([2]), [0.5, 0.5]);
    expect(mt.withDevice('cpu', () => init.constant(1, 'float64')([1])).dtype).toBe('float64'); // float64 is CPU-only in MLX
    expect(init.constant(1)(mt.zeros([2], 'float16')).dtype).toBe('float16'); // a tensor's dtype is kept
    const n = stats(init.normal(1, 0.5)([100, 100]));
    expect(n.mean).toBeCloseTo(1, 1);
    expect(n.std).toBeGreaterThan(0.48);
    expect(n.std).toBeLessThan(0.52);
    const u = stats(init.uniform(-2, 2)([10000]));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(2);
  });

  test('glorot (xavier) normal and uniform', () => {
    const [fi, fo] = [200, 100];
    const s = stats(init.glorotNormal()([fo, fi]));
    expect(s.std / Math.sqrt(2 / (fi + fo))).toBeGreaterThan(0.95);
    expect(s.std / Math.sqrt(2 / (fi + fo))).toBeLessThan(1.05);
    expectUniform(init.glorotUniform()([fo, fi]), Math.sqrt(6 / (fi + fo)));
    expectUniform(init.glorotUniform()([fo, fi], 2), 2 * Math.sqrt(6 / (fi + fo)));
  });

  test('he (kaiming) normal and uniform, gain √2 by default, fan in or out', () => {
    const s = stats(init.heNormal()([100, 300]));
    expect(s.std / Math.sqrt(2 / 300)).toBeGreaterThan(0.95);
    expect(s.std / Math.sqrt(2 / 300)).toBeLessThan(1.05);
    const so = stats(init.heNormal('fanOut')([300, 100]));
    expect(so.std / Math.sqrt(2 / 300)).toBeGreaterThan(0.95);
    expect(so.std / Math.sqrt(2 / 300)).toBeLessThan(1.05);
    expectUniform(init.heUniform()([100, 300]), Math.sqrt(2) * Math.sqrt(3 / 300));
    expectUniform(init.heUniform('fanIn')([100, 300], 1), Math.sqrt(3 / 300));
  });

  test('orthogonal: orthonormal rows or columns, scaled by the gain', () => {
    // In float64 on the CPU (MLX's float64 is CPU-only) to 1e-9; on the default device in float32.
    const gramOf = (q: mt.Tensor, [r, c]: number[]) => (r! <= c! ? mt.matmul(q, mt.transpose(q)) : mt.matmul(mt.transpose(q), q));
    const fours = (k: number) => [...Array(k).keys()].map((i) => [...Array(k).keys()].map((j) => (i === j ? 4 : 0)));
    for (const shape of [[4, 4], [3, 5], [6, 2]]) {
      const k = Math.min(shape[0]!, shape[1]!);
      expectClose(mt.withDevice('cpu', () => gramOf(init.orthogonal('float64')(shape, 2), shape).toArray()), fours(k), { atol: 1e-9 });
      expectClose(gramOf(init.orthogonal()(shape, 2), shape), fours(k), matmulTol({ atol: 1e-5 }));
    }
    expect(init.orthogonal()([2, 3, 4]).shape).toEqual([2, 3, 4]);
    expect(() => init.orthogonal()([3])).toThrow(/\[orthogonal\] needs at least 2 axes/);
  });

  test('Module.apply re-initializes chosen parameters', () => {
    const model = new nn.Sequential(new nn.Linear(30, 20), new nn.Linear(20, 10));
    model.apply(init.constant(0), (name) => name.endsWith('bias'));
    model.apply(init.glorotUniform(), (_name, p) => p.ndim === 2);
    expectClose((model.layers[0] as mt.nn.Linear).bias!, Array(20).fill(0));
    expect(stats((model.layers[1] as mt.nn.Linear).weight).max).toBeLessThanOrEqual(Math.sqrt(6 / 30));
    expect((model.layers[1] as mt.nn.Linear).weight.requiresGrad).toBe(true);
  });
});

describe("layers' default initialization is PyTorch's", () => {
  test('Linear, Bilinear: U(±1/√in)', () => {
    const l = new nn.Linear(100, 200);
    expectUniform(l.weight, 1 / 10);
    expectUniform(l.bias!, 1 / 10);
    expectUniform(new nn.Bilinear(25, 10, 40).weight, 1 / 5);
  });
  test('convolutions: U(±1/√(in/groups · k)); transposed: U(±1/√(out/groups · k))', () => {
    expectUniform(new nn.Conv2d(8, 16, 3).weight, 1 / Math.sqrt(8 * 9));
    expectUniform(new nn.Conv1d(8, 64, 2, { groups: 2 }).weight, 1 / Math.sqrt(4 * 2));
    expectUniform(new nn.ConvTranspose2d(8, 16, 3).weight, 1 / Math.sqrt(16 * 9));
    expectUniform(new nn.Conv2d(8, 1600, 3).bias!, 1 / Math.sqrt(8 * 9));
  });
  test('recurrent: U(±1/√hidden)', () => {
    expectUniform(new nn.LSTM(10, 25).wx, 1 / 5);
    expectUniform(new nn.GRU(10, 25).wh, 1 / 5);
    expectUniform(new nn.RNN(10, 100).whh, 1 / 10);
  });
  test('Embedding: N(0, 1); norms: weight 1, bias 0; PReLU 0.25', () => {
    const s = stats(new nn.Embedding(100, 100).weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.05);
    expect(s.std).toBeGreaterThan(0.95);
    expect(s.std).toBeLessThan(1.05);
    const ln = new nn.LayerNorm(3);
    expectClose(ln.weight!, [1, 1, 1]);
    expectClose(ln.bias!, [0, 0, 0]);
    const bn = new nn.BatchNorm(2);
    expectClose(bn.runningMean!, [0, 0]);
    expectClose(bn.runningVar!, [1, 1]);
    expectClose(new nn.GroupNorm(1, 2).weight!, [1, 1]);
    expectClose(new nn.RMSNorm(2).weight, [1, 1]);
    expectClose(new nn.PReLU().weight, [0.25]);
  });
});
