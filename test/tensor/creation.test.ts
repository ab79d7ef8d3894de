import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

describe('full, zeros, ones and *Like', () => {
  test('fill with a number in the given dtype', () => {
    expectClose(mt.full([2, 2], 7), [[7, 7], [7, 7]]);
    expect(mt.full([2], 7).dtype).toBe('float32');
    expect(mt.full([3], 2.5, 'int32').toArray()).toEqual([2, 2, 2]);
    expect(mt.zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(mt.ones([2], 'bool').toArray()).toEqual([true, true]);
    expect(mt.zeros([]).shape).toEqual([]);
    expect(mt.zeros([0, 3]).size).toBe(0);
  });

  test('a tensor value broadcasts to the shape, and keeps or converts its dtype', () => {
    expect(mt.full([2, 2], mt.tensor([1, 2])).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(mt.full([3], mt.tensor(4, 'int32')).dtype).toBe('int32');
    expect(mt.full([2], mt.tensor([1.5, 2.5]), 'int32').toArray()).toEqual([1, 2]);
  });

  test('gradients flow through a tensor fill value', () => {
    const g = mt.grad((v: mt.Tensor) => mt.sum(mt.full([3, 2], v)))(mt.tensor([1, 2]));
    expect(g.toArray()).toEqual([3, 3]);
  });

  test('zerosLike, onesLike and fullLike take shape and dtype from x', () => {
    const x = mt.tensor([[1, 2, 3]], 'int32');
    expect(mt.zerosLike(x).toArray()).toEqual([[0, 0, 0]]);
    expect(mt.onesLike(x).dtype).toBe('int32');
    expect(mt.fullLike(x, 3.7).toArray()).toEqual([[3, 3, 3]]);
    expectClose(mt.fullLike(x, 3.5, 'float32'), [[3.5, 3.5, 3.5]]);
    const y = mt.fullLike(mt.zeros([2, 3], 'int32'), mt.tensor([[1.5], [2.5]]));
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  test('bad shapes and fill values are clear errors', () => {
    expect(() => mt.zeros([-2])).toThrow(/\[full\] Negative dimensions/);
    expect(() => mt.zeros([2, NaN])).toThrow(TypeError);
    expect(() => mt.zeros([2, NaN])).toThrow(/full: argument 'shape'\[1\] must be an integer, got NaN/);
    expect(() => mt.ones([1.5])).toThrow(/must be an integer, got 1.5/);
    expect(() => mt.full([2, 2], mt.tensor([1, 2, 3]))).toThrow(mt.MlxError);
    expect(() => mt.full([2], 'x' as unknown as number)).toThrow(/full: argument 'value' must be a number/);
    expect(() => mt.zeros([2], 'float8' as mt.DType)).toThrow(/argument 'dtype' must be a dtype name/);
  });
});

describe('arange', () => {
  test('stop only, start and stop, and a step (MLX semantics)', () => {
    expect(mt.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(mt.arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(mt.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expectClose(mt.arange(1, 2, 0.25), [1, 1.25, 1.5, 1.75]);
    expect(mt.arange(3, 1).toArray()).toEqual([]);
  });

  test('int32 for integer arguments, float32 otherwise, or the dtype given last', () => {
    expect(mt.arange(4).dtype).toBe('int32');
    expect(mt.arange(0, 1, 0.5).dtype).toBe('float32');
    expect(mt.arange(0.5, 2).dtype).toBe('float32');
    expect(mt.withDevice('cpu', () => mt.arange(3, 'float64')).dtype).toBe('float64'); // float64 is CPU-only in MLX
    expect(mt.arange(1, 3, 'int64').toArray()).toEqual([1, 2]);
    expect(mt.arange(0, 6, 2, 'float16').toArray()).toEqual([0, 2, 4]);
  });

  test('a zero step, an infinite range, NaN and bool are errors', () => {
    expect(() => mt.arange(0, 5, 0)).toThrow(/\[arange\] step must not be 0/);
    expect(() => mt.arange(0, 5, 0)).toThrow(mt.MlxError);
    expect(() => mt.arange(0, 1e12)).toThrow(/\[arange\] Maximum size exceeded/);
    expect(() => mt.arange(NaN)).toThrow(/\[arange\] Cannot compute length/);
    expect(() => mt.arange(Infinity)).toThrow(/\[arange\]/);
    expect(() => mt.arange(3, 'bool')).toThrow(/not supported for arange/);
  });
});

describe('linspace', () => {
  test('num evenly spaced values, both ends included', () => {
    expectClose(mt.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    expectClose(mt.linspace(2, -2, 3), [2, 0, -2]);
    expect(mt.linspace(0, 1).shape).toEqual([50]);
    expect(mt.linspace(0, 10, 11, 'int32').toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(mt.linspace(3, 7, 1).toArray()).toEqual([3]);
  });

  test('a negative count or a fractional one is an error', () => {
    expect(() => mt.linspace(0, 1, -1)).toThrow(/\[linspace\] number of samples, -1, must be non-negative/);
    expect(() => mt.linspace(0, 1, 2.5)).toThrow(/linspace: argument 'num' must be an integer/);
  });
});

describe('eye, identity and tri', () => {
  test('eye puts ones on diagonal k', () => {
    expect(mt.eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
    expect(mt.eye(2, 3, 1).toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(mt.eye(3, 2, -1).toArray()).toEqual([[0, 0], [1, 0], [0, 1]]);
    expect(mt.eye(2, undefined, 0, 'int32').dtype).toBe('int32');
  });

  test('identity is eye(n)', () => {
    expect(mt.identity(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(mt.identity(2, 'bool').toArray()).toEqual([[true, false], [false, true]]);
  });

  test('tri has ones on and below diagonal k', () => {
    expect(mt.tri(3).toArray()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(mt.tri(2, 3, 1).toArray()).toEqual([[1, 1, 0], [1, 1, 1]]);
    expect(mt.tri(3, 2, -1).toArray()).toEqual([[0, 0], [1, 0], [1, 1]]);
    expect(mt.tri(2, 2, 0, 'bool').dtype).toBe('bool');
  });

  test('bad sizes are errors', () => {
    expect(() => mt.eye(-1)).toThrow(/\[eye\] N and M must be positive/);
    expect(() => mt.identity(-3)).toThrow(mt.MlxError);
    expect(() => mt.eye(2.5)).toThrow(/eye: argument 'n' must be an integer/);
    expect(() => mt.tri(NaN)).toThrow(/tri: argument 'n' must be an integer, got NaN/);
  });
});

describe('tril and triu', () => {
  const x = mt.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);

  test('zero the other triangle, diagonal k included', () => {
    expect(mt.tril(x).toArray()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(mt.tril(x, -1).toArray()).toEqual([[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    expect(mt.tril(x, 1).toArray()).toEqual([[1, 2, 0], [4, 5, 6], [7, 8, 9]]);
    expect(mt.triu(x).toArray()).toEqual([[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
    expect(mt.triu(x, 1).toArray()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(mt.triu(x, -1).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [0, 8, 9]]);
  });

  test('act on the last two axes of a batch, keeping the dtype', () => {
    const b = mt.reshape(mt.arange(1, 13), [2, 2, 3]);
    expect(mt.tril(b).toArray()).toEqual([[[1, 0, 0], [4, 5, 0]], [[7, 0, 0], [10, 11, 0]]]);
    expect(mt.triu(b).dtype).toBe('int32');
  });

  test('tril + triu(k=1) gives x back', () => {
    expect(mt.add(mt.tril(x), mt.triu(x, 1)).toArray()).toEqual(x.toArray());
  });

  test('are differentiable: the gradient is the mask', () => {
    const ones = mt.ones([2, 3]);
    expect(mt.grad((t: mt.Tensor) => mt.sum(mt.tril(t)))(ones).toArray()).toEqual([[1, 0, 0], [1, 1, 0]]);
    expect(mt.grad((t: mt.Tensor) => mt.sum(mt.triu(t, 1)))(ones).toArray()).toEqual([[0, 1, 1], [0, 0, 1]]);
    const w = mt.tensor([[0.5, -1], [2, 0.25]], 'float64');
    expect(mt.gradcheck((t: mt.Tensor) => mt.square(mt.tril(t)), [w])).toBe(true);
    expect(mt.gradcheck((t: mt.Tensor) => mt.square(mt.triu(t, -1)), [w])).toBe(true);
  });

  test('fewer than 2 axes is a RangeError naming the op and shape', () => {
    expect(() => mt.tril(mt.tensor([1, 2]))).toThrow(RangeError);
    expect(() => mt.tril(mt.tensor([1, 2]))).toThrow(/\[tril\] x must have at least 2 axes, got shape \[2\]/);
    expect(() => mt.triu(mt.tensor(1))).toThrow(/\[triu\] .*shape \[\]/);
  });
});
