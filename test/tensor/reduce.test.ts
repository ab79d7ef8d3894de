import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';

const m = () => mt.tensor([[1, 2], [3, 4]]);

/** Our gradient of `sum(f(x) * ct)` and MLX's own vjp of the same op on handles. */
function bothVjps(f: (x: mt.Tensor) => mt.Tensor, g: (h: NativeArray) => NativeArray, x: mt.Tensor, ct: mt.Tensor): [mt.Tensor, mt.Tensor] {
  const [, [ours]] = mt.vjp(f, [x], [ct]);
  const [, [theirs]] = native.mlxVjp((hs) => [g(hs[0]!)], [x.data], [ct.data]);
  return [ours!, new mt.Tensor(theirs!)];
}

describe('sum, mean, prod, max, min', () => {
  test('sum over all axes, one axis, a negative axis, with keepDims, and over no axes', () => {
    expectClose(mt.sum(m()), 10);
    expectClose(mt.sum(m(), 0), [4, 6]);
    expectClose(mt.sum(m(), -1, true), [[3], [7]]);
    expectClose(mt.sum(m(), []), [[1, 2], [3, 4]]);
    expectClose(m().sum([0, 1]), 10);
  });

  test('mean divides by the number of elements reduced; integers give float32', () => {
    expectClose(mt.mean(m()), 2.5);
    expectClose(mt.mean(m(), 1), [1.5, 3.5]);
    expectClose(mt.mean(m(), [-2], true), [[2, 3]]);
    expect(mt.mean(mt.tensor([1, 2], 'int32')).dtype).toBe('float32');
    expectClose(m().mean(0), [2, 3]);
    expectClose(mt.mean(m(), [0, 1]), 2.5);
  });

  test('prod', () => {
    expectClose(mt.prod(m()), 24);
    expectClose(mt.prod(m(), 1), [2, 12]);
    expectClose(mt.prod(m(), 0, true), [[3, 8]]);
  });

  test('max and min', () => {
    const x = mt.tensor([[1, 5], [3, 4]]);
    expectClose(mt.max(x), 5);
    expectClose(mt.max(x, 0), [3, 5]);
    expectClose(mt.max(x, -1, true), [[5], [4]]);
    expectClose(mt.min(x), 1);
    expectClose(mt.min(x, 0), [1, 4]);
    expectClose(x.min(1), [1, 3]);
    expectClose(x.max(), 5);
  });

  test('mean, var and std agree with MLX', () => {
    const x = mt.tensor([[1, 2, 4], [3, 5, 9]]);
    for (const axes of [undefined, 0, -1, [0, 1]]) {
      for (const keepDims of [false, true]) {
        const ax = axes ?? null;
        expectClose(mt.mean(x, axes, keepDims), new mt.Tensor(native.mean(x.data, ax, keepDims)));
        expectClose(mt.var(x, axes, keepDims, 1), new mt.Tensor(native.var(x.data, ax, keepDims, 1)));
        expectClose(mt.std(x, axes, keepDims), new mt.Tensor(native.std(x.data, ax, keepDims, 0)));
      }
    }
  });

  test('reject a bad axis or a repeated axis, naming the op', () => {
    for (const op of ['sum', 'prod', 'max', 'min', 'logsumexp', 'all', 'any', 'countNonzero'] as const) {
      expect(() => mt[op](m(), 2)).toThrow(mt.MlxError);
      expect(() => mt[op](m(), [0, -3])).toThrow(new RegExp(`\\[${op}\\] axis -3 is out of range for an array of 2 dimensions \\(shape \\[2,2\\]\\)`));
      expect(() => mt[op](m(), [1, -1])).toThrow(new RegExp(`\\[${op}\\] axis -1 is repeated`));
    }
    for (const op of ['mean', 'var', 'std'] as const) {
      expect(() => mt[op](m(), 2)).toThrow(RangeError);
      expect(() => mt[op](m(), 2)).toThrow(new RegExp(`\\[${op}\\] axis 2 is out of range`));
      expect(() => mt[op](m(), [0, -2])).toThrow(new RegExp(`\\[${op}\\] axes \\[0,0\\] repeat an axis`));
    }
  });

  test('reject arguments of the wrong kind', () => {
    expect(() => mt.sum({ data: {} } as unknown as mt.Tensor)).toThrow(/sum: argument 'a' must be an MLX array/);
    expect(() => mt.max(m(), 0.5)).toThrow(/max: argument 'axes' must be an integer, got 0.5/);
    expect(() => mt.prod(m(), 0, 'yes' as never)).toThrow(/prod: argument 'keepDims' must be a boolean/);
  });

  test('max and min of an empty axis are errors', () => {
    expect(() => mt.max(mt.zeros([0, 2]), 0)).toThrow(/\[max\] Cannot max reduce over axis 0 with size 0/);
    expect(() => mt.min(mt.zeros([0, 2]), 0)).toThrow(mt.MlxError);
  });
});

describe('var and std', () => {
  test('population and sample variance', () => {
    const x = mt.tensor([1, 2, 3, 4]);
    expectClose(mt.var(x), 1.25);
    expectClose(mt.var(x, 0, false, 1), 5 / 3);
    expectClose(mt.var(mt.tensor([[1, 3], [2, 6]]), 1, true), [[1], [4]]);
    expectClose(mt.std(mt.tensor([1, 3])), 1);
    expectClose(mt.std(mt.tensor([1, 3]), undefined, false, 1), Math.SQRT2);
  });

  test('too few elements for ddof give infinity, as in MLX', () => {
    expectClose(mt.var(mt.tensor([1, 3]), 0, false, 2), Infinity);
  });

  test('reject a negative or fractional ddof', () => {
    expect(() => mt.var(m(), 0, false, -1)).toThrow(RangeError);
    expect(() => mt.var(m(), 0, false, -1)).toThrow(/\[var\] ddof must be a non-negative integer, got -1/);
    expect(() => mt.std(m(), 0, false, 0.5)).toThrow(/\[std\] ddof must be a non-negative integer, got 0.5/);
  });
});

describe('logsumexp, softmax, logSoftmax', () => {
  test('logsumexp is stable for large inputs', () => {
    expectClose(mt.logsumexp(mt.tensor([1000, 1000])), 1000 + Math.LN2, { rtol: 1e-6 });
    expectClose(mt.logsumexp(mt.tensor([[0, Math.log(3)], [-1000, -1000]]), -1), [Math.log(4), -1000 + Math.LN2], { rtol: 1e-5 });
    expectClose(mt.logsumexp(mt.tensor([[0, 0]]), 1, true), [[Math.LN2]]);
  });

  test('softmax over the last axis by default, and over several axes', () => {
    expectClose(mt.softmax(mt.tensor([0, Math.log(3)])), [0.25, 0.75]);
    const e2 = Math.exp(2);
    expectClose(mt.softmax(mt.tensor([[1000, 1002], [0, 0]])), [[1 / (1 + e2), e2 / (1 + e2)], [0.5, 0.5]]);
    expectClose(mt.softmax(mt.tensor([[0, 0], [0, 0]]), [0, 1]), [[0.25, 0.25], [0.25, 0.25]]);
    expectClose(mt.softmax(mt.tensor([[0, 0], [Math.log(3), 0]]), 0), [[0.25, 0.5], [0.75, 0.5]]);
  });

  test('logSoftmax is x - logsumexp(x), finite where softmax underflows', () => {
    expectClose(mt.logSoftmax(mt.tensor([0, Math.log(3)])), [Math.log(0.25), Math.log(0.75)], { rtol: 1e-6 });
    expectClose(mt.logSoftmax(mt.tensor([0, 1000])), [-1000, 0]);
  });

  test('reject a bad axis', () => {
    expect(() => mt.softmax(m(), 2)).toThrow(/\[softmax\] axis 2 is out of range/);
    expect(() => mt.logSoftmax(m(), -3)).toThrow(/\[logSoftmax\] axis -3 is out of range/);
  });
});

describe('all, any, countNonzero, argmax, argmin', () => {
  test('all and any give bools', () => {
    const x = mt.tensor([[1, 0], [1, 1]]);
    expect(mt.all(x, 1).toArray()).toEqual([false, true]);
    expect(mt.any(x, 1).toArray()).toEqual([true, true]);
    expect(mt.all(x).toArray()).toBe(false);
    expect(mt.any(mt.zeros([2]), 0, true).toArray()).toEqual([false]);
    expect(mt.all(x).dtype).toBe('bool');
  });

  test('countNonzero', () => {
    const x = mt.tensor([[0, 2], [3, 4]]);
    expect(mt.countNonzero(x).toArray()).toBe(3);
    expect(mt.countNonzero(x, 1).toArray()).toEqual([1, 2]);
    expect(mt.countNonzero(x, 0, true).toArray()).toEqual([[1, 2]]);
  });

  test('argmax and argmin: first index on ties, flattened without an axis', () => {
    const x = mt.tensor([[1, 5, 5], [3, 3, 0]]);
    expect(mt.argmax(x, 1).toArray()).toEqual([1, 0]);
    expect(mt.argmin(x, 1).toArray()).toEqual([0, 2]);
    expect(mt.argmax(x, -2, true).toArray()).toEqual([[1, 0, 0]]);
    expect(mt.argmax(x).toArray()).toBe(1);
    expect(mt.argmin(x).toArray()).toBe(5);
    expect(mt.argmax(x).dtype).toBe('uint32');
  });

  test('argmax is not recorded on the tape', () => {
    const x = mt.tensor([1, 2]).requireGrad();
    expect(mt.argmax(x).requiresGrad).toBe(false);
  });

  test('reject a bad axis or an empty input', () => {
    expect(() => mt.argmax(m(), 2)).toThrow(/\[argmax\] axis 2 is out of range/);
    expect(() => mt.argmin(m(), -3)).toThrow(mt.MlxError);
    expect(() => mt.argmax(mt.zeros([0]))).toThrow(/\[argmax\] Cannot argmax reduce zero size array/);
  });
});

describe('scans', () => {
  const v = () => mt.tensor([1, 2, 3, 4]);
  test('cumsum: inclusive, reverse, exclusive, along an axis, flattened', () => {
    expectClose(mt.cumsum(v()), [1, 3, 6, 10]);
    expectClose(mt.cumsum(v(), 0, { reverse: true }), [10, 9, 7, 4]);
    expectClose(mt.cumsum(v(), 0, { inclusive: false }), [0, 1, 3, 6]);
    expectClose(mt.cumsum(v(), -1, { reverse: true, inclusive: false }), [9, 7, 4, 0]);
    expectClose(mt.cumsum(m(), 0), [[1, 2], [4, 6]]);
    expectClose(mt.cumsum(m(), 1), [[1, 3], [3, 7]]);
    expectClose(mt.cumsum(m()), [1, 3, 6, 10]);
  });

  test('cumprod', () => {
    expectClose(mt.cumprod(v()), [1, 2, 6, 24]);
    expectClose(mt.cumprod(v(), 0, { reverse: true }), [24, 24, 12, 4]);
    expectClose(mt.cumprod(v(), 0, { inclusive: false }), [1, 1, 2, 6]);
    expectClose(mt.cumprod(m(), -2), [[1, 2], [3, 8]]);
  });

  test('cummax and cummin; exclusive scans start from -inf / inf', () => {
    const x = mt.tensor([1, 3, 2, 4]);
    expectClose(mt.cummax(x), [1, 3, 3, 4]);
    expectClose(mt.cummax(x, 0, { reverse: true }), [4, 4, 4, 4]);
    expectClose(mt.cummax(x, 0, { inclusive: false }), [-Infinity, 1, 3, 3]);
    expectClose(mt.cummin(x), [1, 1, 1, 1]);
    expectClose(mt.cummin(x, 0, { reverse: true }), [1, 2, 2, 4]);
    expectClose(mt.cummin(x, 0, { inclusive: false, reverse: true }), [2, 2, 4, Infinity]);
    expectClose(mt.cummax(mt.tensor([[1, 0], [0, 2]]), 1), [[1, 1], [0, 2]]);
  });

  test('reject a bad axis', () => {
    for (const op of ['cumsum', 'cumprod', 'cummax', 'cummin'] as const) {
      expect(() => mt[op](m(), 2)).toThrow(mt.MlxError);
      expect(() => mt[op](m(), -3)).toThrow(new RegExp(`\\[${op}\\] Axis -3 is out of bounds for array with 2 dimensions`));
    }
    expect(() => mt.cumsum(m(), 0.5)).toThrow(/cumsum: argument 'axis' must be an integer/);
  });
});

describe('gradients', () => {
  test('sum and mean spread dy evenly', () => {
    expectClose(mt.grad((x: mt.Tensor) => mt.sum(mt.multiply(mt.sum(x, 0), mt.tensor([1, 2]))))(m()), [[1, 2], [1, 2]]);
    expectClose(mt.grad((x: mt.Tensor) => mt.mean(x))(m()), [[0.25, 0.25], [0.25, 0.25]]);
  });

  test('max and min split the gradient equally among ties, as MLX does', () => {
    const x = mt.tensor([1, 3, 3, 2]);
    const [ours, theirs] = bothVjps((t) => mt.max(t), (h) => native.max(h, null, false), x, mt.tensor(1));
    expectClose(ours, [0, 0.5, 0.5, 0]);
    expectClose(ours, theirs);
    const y = mt.tensor([[1, 1, 1], [4, 0, 4]]);
    for (const keepDims of [false, true]) {
      const ct = keepDims ? mt.tensor([[6], [2]]) : mt.tensor([6, 2]);
      const [a, b] = bothVjps((t) => mt.min(t, 1, keepDims), (h) => native.min(h, 1, keepDims), y, ct);
      expectClose(a, [[2, 2, 2], [0, 2, 0]]);
      expectClose(a, b);
      const [c, d] = bothVjps((t) => mt.max(t, -1, keepDims), (h) => native.max(h, -1, keepDims), y, ct);
      expectClose(c, [[2, 2, 2], [1, 0, 1]]);
      expectClose(c, d);
    }
  });

  test('prod is exact at zeros: one zero gets the product of the rest, two zeros give all zeros', () => {
    const g = mt.grad((x: mt.Tensor) => mt.prod(x));
    expectClose(g(mt.tensor([2, 0, 3])), [0, 6, 0]);
    expectClose(g(mt.tensor([2, 0, 0])), [0, 0, 0]);
    expectClose(g(mt.tensor([[2, 0], [3, 4]])), [[0, 24], [0, 0]]);
    const x = mt.tensor([[[2, 0], [3, 4]], [[1, -2], [0.5, 5]]]);
    for (const axes of [[0, 2], [-1, 1], [0, 1, 2]]) {
      const ct = mt.onesLike(mt.prod(x, axes));
      const [ours, theirs] = bothVjps((t) => mt.prod(t, axes), (h) => native.prod(h, axes, false), x, ct);
      expectClose(ours, theirs);
    }
  });

  test('logsumexp gives softmax; logSoftmax and softmax match closed forms', () => {
    const x = mt.tensor([0, Math.log(3)]);
    expectClose(mt.grad((t: mt.Tensor) => mt.logsumexp(t))(x), [0.25, 0.75]);
    // d/dx sum(w * logSoftmax(x)) = w - softmax(x) * sum(w)
    const w = mt.tensor([1, 2]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.logSoftmax(t), w)))(x), [1 - 0.75, 2 - 2.25]);
    // softmax sums to 1 whatever x is: the gradient of its sum is 0
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.softmax(t)))(x), [0, 0], { atol: 1e-7 });
  });

  test('var and std gradients match MLX', () => {
    const x = mt.tensor([[1, 2, 4], [3, 5, 9]]);
    const ct = mt.tensor([1, -2]);
    const [a, b] = bothVjps((t) => mt.var(t, 1, false, 1), (h) => native.var(h, 1, false, 1), x, ct);
    expectClose(a, b, { rtol: 1e-5 });
    const [c, d] = bothVjps((t) => mt.std(t, -1), (h) => native.std(h, -1, false, 0), x, ct);
    expectClose(c, d, { rtol: 1e-5 });
    // d var / dx = 2 (x - mean) / n
    expectClose(mt.grad((t: mt.Tensor) => mt.var(t))(mt.tensor([1, 2, 3, 4])), [-0.75, -0.25, 0.25, 0.75]);
  });

  test('cumsum: the adjoint is the reverse scan', () => {
    const dy = mt.tensor([1, 2, 4, 8]);
    expectClose(mt.vjp((t) => mt.cumsum(t), [mt.zeros([4])], [dy])[1][0]!, [15, 14, 12, 8]);
    expectClose(mt.vjp((t) => mt.cumsum(t, 0, { reverse: true, inclusive: false }), [mt.zeros([4])], [dy])[1][0]!, [0, 1, 3, 7]);
  });

  test('cumprod is exact at zeros, as MLX\'s rule', () => {
    const x = mt.tensor([2, 0, 3, 0, 5]);
    const dy = mt.onesLike(x);
    for (const reverse of [false, true]) {
      for (const inclusive of [false, true]) {
        const [ours, theirs] = bothVjps((t) => mt.cumprod(t, 0, { reverse, inclusive }), (h) => native.cumprod(h, 0, reverse, inclusive), x, dy);
        expectClose(ours, theirs);
      }
    }
    expectClose(mt.vjp((t) => mt.cumprod(t), [x], [dy])[1][0]!, [1, 8, 0, 0, 0]);
  });

  test('cummax and cummin send each output\'s gradient to the tied element latest in scan order, as MLX does', () => {
    const x = mt.tensor([1, 3, 3, 2]);
    const dy = mt.tensor([1, 2, 4, 8]);
    const expected: Record<string, number[]> = {
      'false,true': [1, 2, 12, 0], // outputs 3, 3, 3 come from x[1], x[2], x[2]
      'true,true': [0, 3, 4, 8],   // reversed: outputs 3, 3 come from x[1] (latest when scanning backwards)
      'false,false': [2, 4, 8, 0], // exclusive: output i comes from elements before i
    };
    for (const reverse of [false, true]) {
      for (const inclusive of [false, true]) {
        for (const op of ['cummax', 'cummin'] as const) {
          const [ours, theirs] = bothVjps((t) => mt[op](t, 0, { reverse, inclusive }), (h) => native[op](h, 0, reverse, inclusive), x, dy);
          expectClose(ours, theirs);
          if (op === 'cummax' && expected[`${reverse},${inclusive}`]) expectClose(ours, expected[`${reverse},${inclusive}`]!);
        }
      }
    }
    const y = mt.tensor([[2, 2, 1], [0, 1, 1]]);
    const [a, b] = bothVjps((t) => mt.cummin(t, -1), (h) => native.cummin(h, -1, false, true), y, mt.onesLike(y));
    expectClose(a, [[1, 1, 1], [3, 0, 0]]);
    expectClose(a, b);
  });

  test('second derivatives through prod (with a zero) and logsumexp', () => {
    // d/dx_i sum_j d prod / dx_j = sum over pairs j != i of the product of the others
    const h = mt.grad((x: mt.Tensor) => mt.sum(mt.grad((t: mt.Tensor) => mt.prod(t))(x)));
    expectClose(h(mt.tensor([2, 3, 4])), [7, 6, 5]);
    expectClose(h(mt.tensor([0, 3, 4])), [7, 4, 3]);
    // Hessian-vector product of logsumexp: p * v - p * (p . v)
    const v = mt.tensor([1, -1]);
    const hv = mt.grad((x: mt.Tensor) => mt.sum(mt.multiply(mt.grad((t: mt.Tensor) => mt.logsumexp(t))(x), v)));
    expectClose(hv(mt.tensor([0, Math.log(3)])), [0.25 * 1 - 0.25 * -0.5, 0.75 * -1 - 0.75 * -0.5], { rtol: 1e-5 });
  });
});
