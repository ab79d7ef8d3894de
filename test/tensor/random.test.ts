import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { GPU_FLOAT64, onGpu } from '../helpers/device.js';

const { random } = mt;
const N = 20_000;

/** Mean and (population) variance of a tensor's values. */
function stats(t: mt.Tensor): { mean: number; variance: number; min: number; max: number } {
  const v = Array.from(t.toTypedArray() as ArrayLike<number>, Number);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, variance, min: Math.min(...v), max: Math.max(...v) };
}

describe('keys, split and seed', () => {
  test('key(n) is a uint32 pair, the same for the same seed', () => {
    const k = random.key(1);
    expect(k.dtype).toBe('uint32');
    expect(k.shape).toEqual([2]);
    expect(random.key(1).toArray()).toEqual(k.toArray());
    expect(random.key(2).toArray()).not.toEqual(k.toArray());
  });

  test('split gives num distinct keys, deterministically', () => {
    const keys = random.split(random.key(7), 3);
    expect(keys.shape).toEqual([3, 2]);
    const rows = keys.toArray() as number[][];
    expect(new Set(rows.map((r) => r.join())).size).toBe(3);
    expect(random.split(random.key(7), 3).toArray()).toEqual(rows);
    expect(random.split(random.key(7)).shape).toEqual([2, 2]);
  });

  test('seed resets the global sequence that keyless samplers use', () => {
    random.seed(123);
    const a = random.normal([5]).toArray();
    const b = random.normal([5]).toArray();
    random.seed(123);
    expect(random.normal([5]).toArray()).toEqual(a);
    expect(a).not.toEqual(b);
  });

  test('bad keys and seeds are clear errors', () => {
    expect(() => random.seed(-1)).toThrow(RangeError);
    expect(() => random.seed(1.5)).toThrow(/randomSeed: argument 'seed' must be an integer, got 1.5/);
    expect(() => random.key(NaN)).toThrow(TypeError);
    expect(() => random.split(mt.tensor([1, 2, 3], 'uint32'))).toThrow(/Expected key shape \(2\) but received \(3\)/);
    expect(() => random.normal([2], { key: mt.tensor([1, 2]) })).toThrow(/Expected key type uint32 but received float32/);
    expect(() => random.normal([2], { key: mt.tensor([1, 2]) })).toThrow(mt.MlxError);
    expect(() => random.uniform([2], { key: {} as mt.Tensor })).toThrow(TypeError);
    expect(() => random.uniform([2], { key: {} as mt.Tensor })).toThrow(/randomUniform: argument 'key' must be an MLX array, got an object/);
  });
});

describe('the same key gives the same values; different keys differ', () => {
  const k = random.key(42);
  const samplers: [string, (key: mt.Tensor) => mt.Tensor][] = [
    ['normal', (key) => random.normal([8], { key })],
    ['uniform', (key) => random.uniform([8], { key })],
    ['bernoulli', (key) => random.bernoulli(0.5, [32], key)],
    ['randint', (key) => random.randint(0, 1000, [8], 'int32', key)],
    ['categorical', (key) => random.categorical(mt.zeros([100]), -1, { numSamples: 8, key })],
    ['truncatedNormal', (key) => random.truncatedNormal(-2, 2, [8], { key })],
  ];
  test.each(samplers)('%s', (_name, draw) => {
    expect(draw(k).toArray()).toEqual(draw(k).toArray());
    expect(draw(random.key(43)).toArray()).not.toEqual(draw(k).toArray());
  });
});

describe('normal', () => {
  test('standard normal: mean 0, variance 1', () => {
    const s = stats(random.normal([N], { key: random.key(0) }));
    expect(Math.abs(s.mean)).toBeLessThan(0.05);
    expect(Math.abs(s.variance - 1)).toBeLessThan(0.05);
  });

  test('loc and scale shift and stretch, as numbers or tensors', () => {
    const s = stats(random.normal([N], { loc: 3, scale: 0.5, key: random.key(1) }));
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(s.variance - 0.25)).toBeLessThan(0.02);
    const t = random.normal([2, N / 2], { loc: mt.tensor([[-10], [10]]), key: random.key(2) });
    const [lo, hi] = t.toArray() as number[][];
    expect(Math.abs(stats(mt.tensor(lo!)).mean + 10)).toBeLessThan(0.1);
    expect(Math.abs(stats(mt.tensor(hi!)).mean - 10)).toBeLessThan(0.1);
  });

  test('dtype and shape', () => {
    expect(random.normal().shape).toEqual([]);
    expect(random.normal([2, 3], { dtype: 'float16' }).dtype).toBe('float16');
    expect(mt.withDevice('cpu', () => random.normal([2], { dtype: 'float64' })).dtype).toBe('float64'); // float64 is CPU-only in MLX
  });

  test('an integer dtype or a bad shape is an error', () => {
    expect(() => random.normal([3], { dtype: 'int32' })).toThrow(/\[normal\] Only floating point/);
    expect(() => random.normal([-1])).toThrow(mt.MlxError);
    expect(() => random.normal([NaN])).toThrow(/randomNormal: argument 'shape'\[0\] must be an integer, got NaN/);
  });
});

describe('uniform', () => {
  test('values in [low, high) with mean (low+high)/2 and variance (high-low)^2/12', () => {
    const s = stats(random.uniform([N], { low: -1, high: 3, key: random.key(3) }));
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.variance - 16 / 12)).toBeLessThan(0.05);
  });

  test('defaults to [0, 1); tensor bounds broadcast per element', () => {
    const s = stats(random.uniform([1000]));
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThan(1);
    const v = random.uniform([3], { low: mt.tensor([0, 10, 100]), high: mt.tensor([1, 11, 101]) }).toArray() as number[];
    v.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual([0, 10, 100][i]!);
      expect(x).toBeLessThan([1, 11, 101][i]!);
    });
  });

  test('an integer dtype or bounds that do not fit the shape are errors', () => {
    expect(() => random.uniform([3], { dtype: 'int32' })).toThrow(/\[uniform\] Can only generate uniform numbers with real floating point type/);
    // MLX has no float64 uniform; on the GPU it refuses float64 before that.
    expect(() => random.uniform([3], { dtype: 'float64' })).toThrow(onGpu ? GPU_FLOAT64 : /\[uniform\] Unsupported type/);
    expect(() => random.uniform([2], { low: mt.tensor([0, 1, 2]) })).toThrow(mt.MlxError);
    expect(() => random.uniform([2], { low: 'a' as unknown as number })).toThrow(/randomUniform: argument 'low' must be an MLX array or a number, got 'a'/);
  });
});

describe('bernoulli', () => {
  test('true with frequency p', () => {
    const t = random.bernoulli(0.3, [N], random.key(4));
    expect(t.dtype).toBe('bool');
    expect(Math.abs(stats(t).mean - 0.3)).toBeLessThan(0.02);
  });

  test('a tensor p gives one draw per element; 0 and 1 are certain', () => {
    expect(random.bernoulli(mt.tensor([0, 1, 0, 1])).toArray()).toEqual([false, true, false, true]);
    expect(random.bernoulli().shape).toEqual([]);
    expect(random.bernoulli(mt.tensor([0, 1]), [3, 2]).toArray()).toEqual([[false, true], [false, true], [false, true]]);
  });

  test('a shape that p does not broadcast to is an error', () => {
    expect(() => random.bernoulli(mt.tensor([0.5, 0.5, 0.5]), [2])).toThrow(mt.MlxError);
    expect(() => random.bernoulli(0.5, [2], 'k' as unknown as mt.Tensor)).toThrow(/randomBernoulli: argument 'key' must be an MLX array/);
  });
});

describe('randint', () => {
  test('integers in [low, high), every value hit, roughly uniform', () => {
    const t = random.randint(-3, 4, [N], 'int32', random.key(5));
    expect(t.dtype).toBe('int32');
    const v = t.toArray() as number[];
    expect(v.every((x) => Number.isInteger(x) && x >= -3 && x < 4)).toBe(true);
    const counts = new Map<number, number>();
    for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c / N - 1 / 7)).toBeLessThan(0.02);
    expect(Math.abs(stats(t).mean)).toBeLessThan(0.1);
  });

  test('other integer dtypes', () => {
    expect(random.randint(0, 200, [4], 'uint8').dtype).toBe('uint8');
    expect(random.randint(0, 5).shape).toEqual([]);
  });

  test('a floating dtype is an error', () => {
    expect(() => random.randint(0, 10, [3], 'float32')).toThrow(/\[randint\] randint only accepts integer dtypes/);
  });
});

describe('categorical', () => {
  test('draws index i with probability softmax(logits)_i', () => {
    const p = [0.1, 0.2, 0.7];
    const t = random.categorical(mt.log(mt.tensor(p)), -1, { numSamples: N, key: random.key(6) });
    expect(t.shape).toEqual([N]);
    expect(t.dtype).toBe('uint32');
    const v = t.toArray() as number[];
    p.forEach((pi, i) => expect(Math.abs(v.filter((x) => x === i).length / N - pi)).toBeLessThan(0.02));
  });

  test('one draw per row by default; shape and axis', () => {
    const logits = mt.tensor([[0, -Infinity], [-Infinity, 0], [-Infinity, 0]]);
    expect(random.categorical(logits).toArray()).toEqual([0, 1, 1]);
    expect(random.categorical(mt.tensor([[0, -Infinity], [-Infinity, 0]]), 0).toArray()).toEqual([0, 1]);
    expect(random.categorical(logits, -1, { shape: [2, 3] }).toArray()).toEqual([[0, 1, 1], [0, 1, 1]]);
    expect(random.categorical(logits, -1, { numSamples: 2 }).toArray()).toEqual([[0, 0], [1, 1], [1, 1]]);
  });

  test('both shape and numSamples, or a bad axis, are errors', () => {
    const logits = mt.zeros([3]);
    expect(() => random.categorical(logits, -1, { shape: [2], numSamples: 2 })).toThrow(/\[categorical\] give at most one of shape and numSamples/);
    expect(() => random.categorical(logits, 3)).toThrow(/\[categorical\] Invalid axis 3/);
  });
});

describe('truncatedNormal', () => {
  test('values stay in [lower, upper]; symmetric bounds give mean 0', () => {
    const s = stats(random.truncatedNormal(-1, 1, [N], { key: random.key(7) }));
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThanOrEqual(1);
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    // The variance of N(0,1) truncated to [-1, 1] is 1 - 2φ(1)/(Φ(1)-Φ(-1)) ≈ 0.2911.
    expect(Math.abs(s.variance - 0.2911)).toBeLessThan(0.02);
  });

  test('tensor bounds give the shape when none is given', () => {
    const t = random.truncatedNormal(mt.tensor([0, 5]), mt.tensor([1, 6]));
    expect(t.shape).toEqual([2]);
    const [a, b] = t.toArray() as number[];
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThanOrEqual(5);
    expect(random.truncatedNormal(0, 1, [2], { dtype: 'float16' }).dtype).toBe('float16');
  });

  test('an integer dtype is an error', () => {
    expect(() => random.truncatedNormal(-1, 1, [3], { dtype: 'int32' })).toThrow(/trunc_normal only accepts floating point/);
    expect(() => random.truncatedNormal(-1, 1, [3], { dtype: 'float64' })).toThrow(onGpu ? GPU_FLOAT64 : /\[uniform\] Unsupported type/);
  });
});

test('random samples are constants to autograd', () => {
  const w = mt.tensor([1, 2]).requireGrad();
  const noise = random.normal([2], { key: random.key(0) });
  const g = mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(t, noise)))(w);
  expect(g.toArray()).toEqual(noise.toArray());
});
