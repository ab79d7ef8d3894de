import { describe, expect, test } from 'vitest';
import { test as prop } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { hasOwnKernel, native, type NativeArray } from '../../src/tensor/native.js';
import { poolGeometry } from '../../src/tensor/ops/pool.js';
import { expectClose } from '../helpers/close.js';

const line = (v: number[]): mt.Tensor => mt.reshape(mt.tensor(v), [1, v.length, 1]);
const grid = (n: number): mt.Tensor => mt.reshape(mt.arange(n * n, 'float32'), [1, n, n, 1]);

describe('maxPool1d and maxPool2d', () => {
  test('windows of kernel size, stride defaulting to the kernel', () => {
    expectClose(mt.maxPool1d(line([1, 3, 2, 5]), 2), [[[3], [5]]]);
    expectClose(mt.maxPool1d(line([1, 3, 2, 5]), 2, 1), [[[3], [3], [5]]]);
    expectClose(mt.maxPool2d(grid(4), 2), [[[[5], [7]], [[13], [15]]]]);
    expectClose(mt.maxPool2d(grid(4), [2, 1], [2, 3]), [[[[4], [7]], [[12], [15]]]]);
  });
  test('padding is -Infinity, so it never wins', () => {
    expectClose(mt.maxPool1d(line([-1, -3, -2, -5]), 2, 2, 1), [[[-1], [-2], [-5]]]);
  });
  test('channels and batch pool independently', () => {
    const x = mt.tensor([[[1, 9], [4, 2]], [[0, -1], [-2, -3]]]); // [2, 2, 2]
    expectClose(mt.maxPool1d(x, 2), [[[4, 9]], [[0, -1]]]);
  });
  test('gradient scatter-adds into each window\'s maximum; overlapping windows add up', () => {
    const g = mt.grad((t: mt.Tensor) => mt.sum(mt.maxPool1d(t, 2, 1)))(line([1, 3, 2, 5]));
    expectClose(g, [[[0], [2], [0], [1]]]);
    const g2 = mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.maxPool2d(t, 2), mt.tensor([[[[1], [2]], [[3], [4]]]]))))(grid(4));
    expectClose(g2, mt.reshape(mt.tensor([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]), [1, 4, 4, 1]));
  });
  test('ties: the first maximum in window (row-major) order gets all the gradient', () => {
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.maxPool1d(t, 2)))(line([2, 2, 1, 1])), [[[1], [0], [1], [0]]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.maxPool2d(t, 2)))(mt.ones([1, 2, 2, 1])), [[[[1], [0]], [[0], [0]]]]);
  });
  // Tiled windows (stride = kernel, no padding) take a mask path, the others a
  // scatter: both must send each window's gradient to its first maximum.
  const tieCases = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 0, max: 1e6 }));
  prop.prop([tieCases], { numRuns: 30 })('ties, tiled or not: the first maximum in each window gets its gradient', ([k, s, size, seed]) => {
    mt.tidy(() => {
      const [h, w, c] = [size, size + 1, 2];
      const values = Array.from({ length: h * w * c }, (_, i) => ((i * 7919 + seed) % 3)); // many ties
      const x = mt.reshape(mt.tensor(values), [1, h, w, c]);
      const [oh, ow] = [Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1];
      const dy = mt.reshape(mt.arange(oh * ow * c, 'float32'), [1, oh, ow, c]);
      const expected = new Float64Array(h * w * c);
      for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let ch = 0; ch < c; ch++) {
        let best = -1;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
          const at = ((i * s + a) * w + j * s + b) * c + ch;
          if (best < 0 || values[at]! > values[best]!) best = at;
        }
        expected[best] += (i * ow + j) * c + ch;
      }
      const [, [dx]] = mt.vjp((t: mt.Tensor) => mt.maxPool2d(t, k, s), [x], [dy]);
      expectClose(dx!, mt.reshape(mt.tensor(Array.from(expected)), [1, h, w, c]));
    });
  });
  test('a NaN or infinite cotangent reaches its window\'s winner only, tiled or not', () => {
    const x = mt.reshape(mt.tensor([1, 4, 2, 3, 8, 5, 7, 6]), [1, 8, 1]);
    const gradOf = (pool: (t: mt.Tensor) => mt.Tensor, dy: number[], createGraph = false): unknown => {
      const t = x.detach().requireGrad();
      pool(t).backward(mt.reshape(mt.tensor(dy), [1, dy.length, 1]), { createGraph });
      return t.grad!.toArray();
    };
    const tiled = [[[0], [NaN], [0], [0], [Infinity], [0], [0], [0]]];
    expect(gradOf((t) => mt.maxPool1d(t, 4), [NaN, Infinity])).toEqual(tiled); // the CPU kernel (the composition on the GPU)
    expect(gradOf((t) => mt.maxPool1d(t, 4), [NaN, Infinity], true)).toEqual(tiled); // the composition, recorded
    // Overlapping windows: the scatter. Windows from 1 on all pick the 8.
    expect(gradOf((t) => mt.maxPool1d(t, 4, 1), [NaN, 1, 1, 1, 1])).toEqual([[[0], [NaN], [0], [0], [4], [0], [0], [0]]]);
  });
  test('bad arguments', () => {
    expect(() => mt.maxPool1d(mt.zeros([4, 1]), 2)).toThrow(RangeError);
    expect(() => mt.maxPool1d(mt.zeros([4, 1]), 2)).toThrow(/\[maxPool1d\] input must have 3 axes \[N, L, C\], got shape \[4,1\]/);
    expect(() => mt.maxPool2d(mt.zeros([1, 4, 1]), 2)).toThrow(/\[maxPool2d\] input must have 4 axes \[N, H, W, C\]/);
    expect(() => mt.maxPool1d(line([1, 2, 3]), 2, 0)).toThrow(/\[maxPool1d\] stride must be an integer >= 1, got \[0\]/);
    expect(() => mt.maxPool1d(line([1, 2, 3]), 1.5)).toThrow(/\[maxPool1d\] kernelSize must be an integer >= 1/);
    expect(() => mt.maxPool2d(grid(4), [2, 2, 2])).toThrow(/\[maxPool2d\] kernelSize must be 2 integers >= 1, got \[2,2,2\]/);
    expect(() => mt.maxPool1d(line([1, 2, 3]), 2, 2, 2)).toThrow(/\[maxPool1d\] padding \[2\] must be at most half the kernel size \[2\]/);
    expect(() => mt.maxPool1d(line([1, 2, 3]), 2, 2, -1)).toThrow(/\[maxPool1d\] padding must be an integer >= 0/);
    expect(() => mt.maxPool2d(grid(2), 3)).toThrow(/\[maxPool2d\] kernel \[3,3\] is larger than the padded input \[2,2\]/);
  });
});

describe('max pooling over relu\'s output', () => {
  // mt.relu's outputs are pooled from relu's input; maximum(x, 0), the same
  // values, is not: it gives the plain path to compare with.
  const plainRelu = (t: mt.Tensor): mt.Tensor => mt.maximum(t, 0);
  const cases = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 0, max: 1e6 }), fc.constantFrom<mt.DType>('float32', 'float16'));
  prop.prop([cases], { numRuns: 40 })('pools relu\'s input and takes relu after: the values and gradient of pooling relu\'s output', ([k, h, w, c, seed, dtype]) => {
    mt.tidy(() => {
      // Values in -2..2: ties, zeros and windows with no positive element; remainders past the last window.
      const x = mt.reshape(mt.tensor(Array.from({ length: 2 * h * w * c }, (_, i) => ((i * 7919 + seed) % 5) - 2), dtype), [2, h, w, c]);
      if (k > Math.min(h, w)) return;
      const [oh, ow] = [Math.floor(h / k), Math.floor(w / k)];
      const dy = mt.reshape(mt.arange(1, 2 * oh * ow * c + 1, dtype), [2, oh, ow, c]);
      const [[fused], [dxFused]] = mt.vjp((t: mt.Tensor) => mt.maxPool2d(mt.relu(t), k), [x], [dy]);
      const [[plain], [dxPlain]] = mt.vjp((t: mt.Tensor) => mt.maxPool2d(plainRelu(t), k), [x], [dy]);
      if (hasOwnKernel(dtype)) {
        // Relu's full-size pass is gone from both graphs (before they are
        // evaluated): relu comes after the pooling, the gradient ends in the pool's.
        expect(native.graphOps([fused!.data])[0]).toMatch(/Maximum@/);
        expect(native.graphOps([dxFused!.data])[0]).not.toMatch(/^(MaskedBy|Multiply)/);
      }
      expect(fused!.dtype).toBe(dtype);
      expect(fused!.toArray()).toEqual(plain!.toArray());
      expect(dxFused!.toArray()).toEqual(dxPlain!.toArray());
    });
  });
  test('a gradient read at relu\'s output (retainGrad, a hook, a target) is the plain one there, and the same below', () => {
    const x = mt.reshape(mt.tensor([-1, -2, 3, 1, -4, -3, 0, -1]), [1, 2, 4, 1]); // windows [-1,-2,-4,-3] and [3,1,0,-1]
    const dy = mt.reshape(mt.tensor([5, 7]), [1, 1, 2, 1]);
    const run = (relu: (t: mt.Tensor) => mt.Tensor, watch: (h: mt.Tensor) => void) => {
      const t = x.detach().requireGrad();
      const h = relu(t);
      watch(h);
      mt.maxPool2d(h, 2).backward(dy);
      return { h: h.grad?.toArray(), t: t.grad!.toArray() };
    };
    const hooked: number[][] = [];
    const watches = [(h: mt.Tensor) => h.retainGrad(), (h: mt.Tensor) => h.registerHook((g) => void hooked.push(Array.from(g.toTypedArray(), Number)))];
    for (const watch of watches) expect(run(mt.relu, watch)).toEqual(run(plainRelu, watch));
    // The first window's maximum is 0 after relu: its first element takes the 5 at relu's output, none below it.
    expect(run(mt.relu, (h) => h.retainGrad())).toEqual({ h: [[[[5], [0], [7], [0]], [[0], [0], [0], [0]]]], t: [[[[0], [0], [7], [0]], [[0], [0], [0], [0]]]] });
    expect(hooked).toHaveLength(2);
    expect(hooked[0]).toEqual(hooked[1]);
    // A target of the functional API: relu's output itself, differentiated by an inner grad.
    const a = x.detach().requireGrad();
    const [, [dh]] = mt.enableGrad(() => mt.vjp((h: mt.Tensor) => mt.maxPool2d(h, 2), [mt.relu(a)], [dy]));
    expect(dh!.toArray()).toEqual([[[[5], [0], [7], [0]], [[0], [0], [0], [0]]]]);
  });
  test('1-d pooling, overlapping windows and second derivatives give what pooling relu\'s output gives', () => {
    const x = mt.reshape(mt.tensor([-1, 2, 0, -3, 4, 4, -2, 1, 3, -5, 0, 2]), [1, 6, 2]);
    const dy = (n: number): mt.Tensor => mt.reshape(mt.arange(1, 2 * n + 1), [1, n, 2]);
    for (const pool of [(t: mt.Tensor) => mt.maxPool1d(t, 2), (t: mt.Tensor) => mt.maxPool1d(t, 3, 1)]) {
      const n = pool(x).shape[1]!;
      const [[fused], [dxFused]] = mt.vjp((t: mt.Tensor) => pool(mt.relu(t)), [x], [dy(n)]);
      const [[plain], [dxPlain]] = mt.vjp((t: mt.Tensor) => pool(plainRelu(t)), [x], [dy(n)]);
      expect([fused!.toArray(), dxFused!.toArray()]).toEqual([plain!.toArray(), dxPlain!.toArray()]);
    }
    // The gradient of a gradient: the rule's ops are recorded (createGraph) and differentiated in turn.
    const c = mt.reshape(mt.arange(12), [1, 6, 2]);
    const second = (relu: (t: mt.Tensor) => mt.Tensor) => mt.grad((t: mt.Tensor) =>
      mt.sum(mt.multiply(mt.grad((u: mt.Tensor) => mt.sum(mt.square(mt.maxPool1d(relu(u), 2))))(t), c)))(x);
    expect(second(mt.relu).toArray()).toEqual(second(plainRelu).toArray());
  });
  test('a relu computed without recording passes no gradient through the pooling to its input', () => {
    const a = mt.tensor([[[[-1], [2]], [[3], [-4]]]]).requireGrad();
    const h = mt.noGrad(() => mt.relu(a));
    const y = mt.maxPool2d(h, 2);
    expect(y.toArray()).toEqual([[[[3]]]]);
    expect(y.requiresGrad).toBe(false);
    const leaf = mt.relu(a.detach()).requireGrad(); // relu's output made a leaf
    mt.maxPool2d(leaf, 2).backward(mt.ones([1, 1, 1, 1]));
    expect(leaf.grad!.toArray()).toEqual([[[[0], [0]], [[1], [0]]]]);
  });
  test('relu\'s input disposed before the pooling: the plain path', () => {
    const t = mt.tensor([[[[-1], [2]], [[3], [-4]]]]);
    const h = mt.relu(t);
    t.dispose();
    expect(mt.maxPool2d(h, 2).toArray()).toEqual([[[[3]]]]);
  });
});

describe('avgPool1d and avgPool2d', () => {
  test('means of the windows; padding counts as zeros', () => {
    expectClose(mt.avgPool1d(line([1, 3, 2, 6]), 2), [[[2], [4]]]);
    expectClose(mt.avgPool1d(line([1, 3, 2, 6]), 2, 2, 1), [[[0.5], [2.5], [3]]]);
    expectClose(mt.avgPool2d(mt.reshape(mt.tensor([1, 2, 3, 4]), [1, 2, 2, 1]), 2), [[[[2.5]]]]);
    expectClose(mt.avgPool2d(grid(4), 2), [[[[2.5], [4.5]], [[10.5], [12.5]]]]);
  });
  test('gradient: each window spreads 1/K over its elements', () => {
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.avgPool1d(t, 2)))(line([1, 3, 2, 6])), [[[0.5], [0.5], [0.5], [0.5]]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.avgPool1d(t, 2, 1)))(line([1, 3, 2, 6])), [[[0.5], [1], [1], [0.5]]]);
  });
  test('bad arguments', () => {
    expect(() => mt.avgPool2d(mt.zeros([4, 4]), 2)).toThrow(/\[avgPool2d\] input must have 4 axes/);
    expect(() => mt.avgPool1d(line([1, 2, 3]), 4)).toThrow(/\[avgPool1d\] kernel \[4\] is larger than the padded input \[3\]/);
    expect(() => mt.avgPool2d(grid(4), 2, [1, 0])).toThrow(/\[avgPool2d\] stride must be 2 integers >= 1, got \[1,0\]/);
  });
  // avgPool is a composite (gathered windows, summed): check its gradient by
  // finite differences and against MLX's vjp of the same computation.
  const cases = fc.tuple(fc.constantFrom(1, 2), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 2 }));
  prop.prop([cases], { numRuns: 20 })('gradcheck and MLX vjp', ([d, k, s, padded, extra]) => {
    mt.tidy(() => {
      const p = padded && k >= 2 ? 1 : 0;
      const shape = [2, ...Array(d).fill(Math.max(1, k - 2 * p) + extra), 3];
      const op = (t: mt.Tensor): mt.Tensor => (d === 1 ? mt.avgPool1d(t, k, s, p) : mt.avgPool2d(t, k, s, p));
      const x = mt.withDevice('cpu', () => mt.random.normal(shape, { dtype: 'float64' })); // float64 is CPU-only in MLX
      mt.gradcheck(op, [x]);
      const g = poolGeometry('avgPool', x, d, k, s, p);
      const index = mt.tensor(Int32Array.from(g.base.flatMap((b) => g.offsets.map((t) => b + t))), 'int32');
      const mlx = (h: NativeArray): NativeArray => {
        const low = [0, ...Array(d).fill(p), 0];
        const windows = native.take(native.reshape(native.pad(h, low, low, 'constant', 0), [2, -1, 3]), index.data, 1);
        const mean = native.divide(native.sum(native.reshape(windows, [2, g.base.length, g.offsets.length, 3]), 2, false), g.offsets.length);
        return native.reshape(mean, [2, ...g.out, 3]);
      };
      const xf = mt.withDevice('cpu', () => mt.astype(x, 'float32'));
      const ct = mt.random.normal([2, ...g.out, 3]);
      const [, [ours]] = mt.vjp(op, [xf], [ct]);
      const [, [theirs]] = native.mlxVjp(([h]) => [mlx(h!)], [xf.data], [ct.data]);
      expectClose(ours!, new mt.Tensor(theirs!), { rtol: 1e-5, atol: 1e-6 });
    });
  });
});
