import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose, flat } from '../helpers/close.js';
import { onGpu } from '../helpers/device.js';

const i32 = (v: mt.NestedArray): mt.Tensor => mt.tensor(v, 'int32');
const grid = (rows: number, cols: number): mt.Tensor =>
  mt.tensor(Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => r * cols + c)));

describe('quick start (issue 2)', () => {
  const x = mt.tensor([1, 2, 3, 4]);
  test('slice(x, [1], [3]) is [2, 3]', () => {
    expectClose(mt.slice(x, [1], [3]), [2, 3]);
  });
  test('scatterAdd(zeros([4]), [tensor([0, 2], int32)], tensor([10, 30]), [0]) is [10, 0, 30, 0]', () => {
    expectClose(mt.scatterAdd(mt.zeros([4]), [mt.tensor([0, 2], 'int32')], mt.tensor([10, 30]), [0]), [10, 0, 30, 0]);
  });
  test('flip(x, [0]) is [4, 3, 2, 1]', () => {
    expectClose(mt.flip(x, [0]), [4, 3, 2, 1]);
  });
});

describe('slice', () => {
  const x = grid(3, 4); // [[0..3], [4..7], [8..11]]
  test('with strides on several axes', () => {
    expectClose(mt.slice(x, [0, 1], [3, 4], [2, 2]), [[1, 3], [9, 11]]);
  });
  test('negative bounds count from the end, out-of-range bounds clip', () => {
    expectClose(mt.slice(mt.tensor([1, 2, 3, 4]), [-3], [-1]), [2, 3]);
    expectClose(mt.slice(mt.tensor([1, 2, 3, 4]), [1], [10]), [2, 3, 4]);
  });
  test('a negative stride walks backwards', () => {
    expectClose(mt.slice(mt.tensor([1, 2, 3, 4]), [3], [-5], [-2]), [4, 2]);
  });
  test('empty slices', () => {
    expect(mt.slice(x, [2, 0], [1, 4]).shape).toEqual([0, 4]);
  });
  test('bad bounds: wrong count and zero stride', () => {
    expect(() => mt.slice(x, [0], [3])).toThrow(mt.MlxError);
    expect(() => mt.slice(x, [0], [3])).toThrow(/\[slice\] Invalid number of indices/);
    expect(() => mt.slice(x, [0, 0], [3, 4], [1, 0])).toThrow(/\[slice\] strides must be nonzero, got \[1,0\]/);
    expect(() => mt.slice(x, [0, 0.5], [3, 4])).toThrow(TypeError);
  });
});

describe('sliceUpdate', () => {
  test('writes a strided 2-d region', () => {
    const y = mt.sliceUpdate(mt.zeros([3, 4]), mt.tensor([[1, 2], [3, 4]]), [0, 1], [3, 4], [2, 2]);
    expectClose(y, [[0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]);
  });
  test('broadcasts the update over the slice', () => {
    expectClose(mt.sliceUpdate(mt.tensor([1, 2, 3, 4]), mt.tensor(9), [1], [3]), [1, 9, 9, 4]);
  });
  test('leaves the input unchanged', () => {
    const x = mt.tensor([1, 2, 3]);
    mt.sliceUpdate(x, mt.tensor([0]), [0], [1]).eval();
    expectClose(x, [1, 2, 3]);
  });
  test('bad update shape and zero stride', () => {
    expect(() => mt.sliceUpdate(mt.zeros([4]), mt.tensor([1, 2, 3]), [1], [3])).toThrow(/broadcast/);
    expect(() => mt.sliceUpdate(mt.zeros([4]), mt.tensor([1]), [1], [3], [0])).toThrow(/\[sliceUpdate\] strides must be nonzero/);
  });
});

describe('scatter and scatterAdd', () => {
  test('natural updates over several axes at once', () => {
    // Two index arrays, one per axis: the positions (0, 1) and (2, 3).
    const idx = [i32([0, 2]), i32([1, 3])];
    expectClose(mt.scatter(mt.zeros([3, 4]), idx, mt.tensor([5, 6]), [0, 1]), [[0, 5, 0, 0], [0, 0, 0, 0], [0, 0, 0, 6]]);
    expectClose(mt.scatterAdd(mt.ones([3, 4]), idx, mt.tensor([5, 6]), [0, 1]), [[1, 6, 1, 1], [1, 1, 1, 1], [1, 1, 1, 7]]);
  });
  test("MLX's layout: slices smaller than the axes", () => {
    // The doc example of mx::scatter: the row [1, 2] starting at (2, 0), and [3, 4] at (0, 2).
    const y = mt.scatter(mt.zeros([4, 4]), [i32([2, 0]), i32([1, 2])], mt.reshape(mt.tensor([1, 2, 3, 4]), [2, 1, 2]), [0, 1]);
    expectClose(y, [[0, 0, 3, 4], [0, 0, 0, 0], [0, 1, 2, 0], [0, 0, 0, 0]]);
  });
  test('rows along one axis, and broadcast updates', () => {
    const x = mt.zeros([3, 2]);
    expectClose(mt.scatter(x, i32([2, 0]), mt.tensor([[1, 2], [3, 4]]), 0), [[3, 4], [0, 0], [1, 2]]);
    expectClose(mt.scatterAdd(x, i32([1]), mt.tensor(7), 0), [[0, 0], [7, 7], [0, 0]]);
  });
  test('index arrays broadcast together', () => {
    expectClose(mt.scatter(mt.zeros([2, 3]), [i32([0, 1]), i32([2])], mt.tensor([1, 2]), [0, 1]), [[0, 0, 1], [0, 0, 2]]);
  });
  test('repeated indices: scatterAdd accumulates, scatter keeps one update (the last, on the CPU)', () => {
    const idx = i32([1, 1, 1]);
    expectClose(mt.scatterAdd(mt.zeros([3]), [idx], mt.tensor([1, 2, 3]), [0]), [0, 6, 0]);
    const [a, kept, b] = flat(mt.scatter(mt.zeros([3]), [idx], mt.tensor([1, 2, 3]), [0]));
    expect([a, b]).toEqual([0, 0]);
    if (onGpu) expect([1, 2, 3]).toContain(kept); // the GPU keeps an unspecified one of them
    else expect(kept).toBe(3);
  });
  test('negative indices count from the end', () => {
    expectClose(mt.scatter(mt.zeros([4]), [i32([-1])], mt.tensor([7]), [0]), [0, 0, 0, 7]);
  });
  test('out-of-range index: RangeError naming op, index and axis size', () => {
    expect(() => mt.scatterAdd(mt.zeros([4]), [i32([0, 4])], mt.tensor([1, 2]), [0])).toThrow(RangeError);
    expect(() => mt.scatterAdd(mt.zeros([4]), [i32([0, 4])], mt.tensor([1, 2]), [0])).toThrow(/\[scatterAdd\] index 4 is out of range for axis 0 of size 4/);
    expect(() => mt.scatter(mt.zeros([2, 3]), [i32([0]), i32([-4])], mt.tensor([1]), [0, 1])).toThrow(/\[scatter\] index -4 is out of range for axis 1 of size 3/);
  });
  test("MLX's layout: a slice that would run past the end is refused", () => {
    const u = mt.ones([1, 1, 2]);
    expect(() => mt.scatterAdd(mt.zeros([4, 4]), [i32([2]), i32([3])], u, [0, 1])).toThrow(/\[scatterAdd\] index 3 with slice size 2 is out of range for axis 1 of size 4/);
    expectClose(mt.scatterAdd(mt.zeros([2, 3]), [i32([1]), i32([-2])], u, [0, 1]), [[0, 0, 0], [0, 1, 1]]);
  });
  test('float indices: TypeError', () => {
    expect(() => mt.scatter(mt.zeros([4]), [mt.tensor([1])], mt.tensor([1]), [0])).toThrow(/\[scatter\] indices must have an integer dtype, got float32/);
  });
  test('wrong number of index arrays for the axes', () => {
    expect(() => mt.scatter(mt.zeros([2, 3]), [i32([0]), i32([1])], mt.tensor([1]), [0])).toThrow(mt.MlxError);
    expect(() => mt.scatterAdd(mt.zeros([4]), [i32([0]), i32([1])], mt.tensor([1]), [0])).toThrow(/\[scatter\]/);
  });
  test('updates that fit neither layout', () => {
    expect(() => mt.scatterAdd(mt.zeros([4]), [i32([0, 2])], mt.tensor([1, 2, 3]), [0])).toThrow(
      /\[scatterAdd\] updates of shape \[3\] fit neither \[2\] .* nor \[2,1\]/);
    expect(() => mt.scatter(mt.zeros([4]), [i32([0, 2])], mt.tensor([[1, 2, 3]]), [0])).toThrow(/\[scatter\] Update shape/);
  });
});

describe('gather', () => {
  const x = grid(3, 4);
  test('rows along one axis (index shape + slice sizes)', () => {
    expectClose(mt.gather(x, [i32([2, 0])], [0], [1, 4]), [[[8, 9, 10, 11]], [[0, 1, 2, 3]]]);
  });
  test('points and sub-blocks over two axes', () => {
    expectClose(mt.gather(x, [i32([1, 2]), i32([3, 0])], [0, 1], [1, 1]), [[[7]], [[8]]]);
    expectClose(mt.gather(x, [i32([1]), i32([2])], [0, 1], [2, 2]), [[[6, 7], [10, 11]]]);
  });
  test('bad indices and slice sizes', () => {
    expect(() => mt.gather(x, [i32([3])], [0], [1, 4])).toThrow(/\[gather\] index 3 is out of range for axis 0 of size 3/);
    expect(() => mt.gather(x, [mt.tensor([1])], [0], [1, 4])).toThrow(TypeError);
    expect(() => mt.gather(x, [i32([1])], [0], [1, 5])).toThrow(mt.MlxError);
    // MLX would read past the end: the slice must fit after the index.
    expect(() => mt.gather(x, [i32([2])], [0], [2, 4])).toThrow(/\[gather\] index 2 with slice size 2 is out of range for axis 0 of size 3/);
    expect(() => mt.gather(x, [i32([-1])], [0], [2, 4])).toThrow(/index -1 with slice size 2/);
    expectClose(mt.gather(x, [i32([-2])], [0], [2, 1]), [[[4], [8]]]);
  });
});

describe('take', () => {
  const x = grid(3, 4);
  test('along an axis: the index shape replaces the axis', () => {
    expectClose(mt.take(x, i32([3, 0]), 1), [[3, 0], [7, 4], [11, 8]]);
    expect(mt.take(x, i32([[1, 2], [0, 0]]), 0).shape).toEqual([2, 2, 4]);
    expectClose(mt.take(x, i32(1), 0), [4, 5, 6, 7]);
  });
  test('of the flattened tensor when axis is omitted', () => {
    expectClose(mt.take(x, i32([11, -12, 5])), [11, 0, 5]);
  });
  test('bad indices', () => {
    expect(() => mt.take(x, i32([4]), 1)).toThrow(/\[take\] index 4 is out of range for axis 1 of size 4/);
    expect(() => mt.take(x, i32([12]))).toThrow(/\[take\] index 12 is out of range for the flattened input of size 12/);
    expect(() => mt.take(x, mt.tensor([true], 'bool'), 0)).toThrow(/\[take\] indices must have an integer dtype, got bool/);
    expect(() => mt.take(x, i32([0]), 2)).toThrow(mt.MlxError);
  });
  test('the same index array checked against other sizes (its range is read once and kept)', () => {
    const idx = i32([3, -2]);
    expectClose(mt.take(x, idx, 1), [[3, 2], [7, 6], [11, 10]]);
    expect(() => mt.take(x, idx, 0)).toThrow(/\[take\] index 3 is out of range for axis 0 of size 3/);
    expectClose(mt.take(x, idx), [3, 10]);
    const neg = i32([-1]);
    expectClose(mt.take(x, neg, 0), [[8, 9, 10, 11]]);
    // A slice of 2 from index -1 runs past the end.
    expect(() => mt.gather(x, [neg], [0], [2, 4])).toThrow(/\[gather\] index -1 with slice size 2 is out of range for axis 0 of size 3/);
  });
});

describe('takeAlongAxis, putAlongAxis, scatterAddAxis', () => {
  const x = mt.tensor([[10, 30, 20], [60, 40, 50]]);
  test('takeAlongAxis picks one entry per row, and broadcasts', () => {
    expectClose(mt.takeAlongAxis(x, i32([[1], [0]]), 1), [[30], [60]]);
    expectClose(mt.takeAlongAxis(x, i32([[2, 0, 1]]), 1), [[20, 10, 30], [50, 60, 40]]);
    expectClose(mt.takeAlongAxis(x, i32([[1, 0, 1]]), 0), [[60, 30, 50]]);
  });
  test('putAlongAxis writes, with broadcast values; repeated indices keep the last (CPU)', () => {
    expectClose(mt.putAlongAxis(mt.zeros([2, 3]), i32([[0], [2]]), mt.tensor(5), 1), [[5, 0, 0], [0, 0, 5]]);
    const [a, kept, b] = flat(mt.putAlongAxis(mt.zeros([3]), i32([1, 1, 1]), mt.tensor([1, 2, 3]), 0));
    expect([a, b]).toEqual([0, 0]);
    if (onGpu) expect([1, 2, 3]).toContain(kept); // the GPU keeps an unspecified one of them
    else expect(kept).toBe(3);
  });
  test('scatterAddAxis accumulates repeated indices', () => {
    expectClose(mt.scatterAddAxis(mt.ones([2, 3]), i32([[1, 1], [0, 2]]), mt.tensor([[1, 2], [3, 4]]), 1), [[1, 4, 1], [4, 1, 5]]);
  });
  test('bad indices', () => {
    expect(() => mt.takeAlongAxis(x, i32([[3]]), 1)).toThrow(/\[takeAlongAxis\] index 3 is out of range for axis 1 of size 3/);
    expect(() => mt.putAlongAxis(x, i32([[-3]]), mt.tensor(1), 0)).toThrow(/\[putAlongAxis\] index -3 is out of range for axis 0 of size 2/);
    expect(() => mt.scatterAddAxis(x, i32([[5]]), mt.tensor(1), -1)).toThrow(/\[scatterAddAxis\] index 5 is out of range for axis -1 of size 3/);
    expect(() => mt.takeAlongAxis(x, mt.tensor([[0]], 'float32'), 1)).toThrow(TypeError);
    expect(() => mt.takeAlongAxis(x, i32([0]), 1)).toThrow(mt.MlxError); // indices need as many axes as x
  });
  test('int64 and unsigned indices work', () => {
    expectClose(mt.takeAlongAxis(x, mt.tensor([[2], [1]], 'int64'), 1), [[20], [40]]);
    expectClose(mt.take(x, mt.tensor([2], 'uint32'), 1), [[20], [50]]);
  });
});

describe('flip', () => {
  const x = mt.tensor([[1, 2, 3], [4, 5, 6]]);
  test('one axis, several axes, all axes', () => {
    expectClose(mt.flip(x, 1), [[3, 2, 1], [6, 5, 4]]);
    expectClose(mt.flip(x, [-2]), [[4, 5, 6], [1, 2, 3]]);
    expectClose(mt.flip(x, [0, 1]), [[6, 5, 4], [3, 2, 1]]);
    expectClose(mt.flip(x), [[6, 5, 4], [3, 2, 1]]);
  });
  test('bad axis', () => {
    expect(() => mt.flip(x, [2])).toThrow(/\[flip\] Axis 2 is out of bounds/);
  });
});

describe('asStrided', () => {
  test('overlapping windows of a 1-d tensor', () => {
    expectClose(mt.asStrided(mt.tensor([1, 2, 3, 4, 5]), [3, 3], [1, 1]), [[1, 2, 3], [2, 3, 4], [3, 4, 5]]);
  });
  test('offset, and a transposed view', () => {
    expectClose(mt.asStrided(mt.tensor([[1, 2, 3], [4, 5, 6]]), [3, 2], [1, 3]), [[1, 4], [2, 5], [3, 6]]);
    expectClose(mt.asStrided(mt.tensor([1, 2, 3, 4]), [2], [2], 1), [2, 4]);
  });
  test('works on the row-major order of a non-contiguous input', () => {
    expectClose(mt.asStrided(mt.flip(mt.tensor([1, 2, 3, 4])), [2], [1], 1), [3, 2]);
  });
  test('views that leave the input are refused', () => {
    expect(() => mt.asStrided(mt.tensor([1, 2, 3]), [2], [3])).toThrow(/\[asStrided\] the view .* reaches elements 0..3 of an input with 3 elements/);
    expect(() => mt.asStrided(mt.tensor([1, 2, 3]), [2], [1], 2)).toThrow(mt.MlxError);
    expect(() => mt.asStrided(mt.tensor([1, 2, 3]), [2], [-1])).toThrow(/reaches elements -1..0/);
    expect(() => mt.asStrided(mt.tensor([1, 2, 3]), [-2], [1])).toThrow(/\[asStrided\] shape \[-2\] has a negative size/);
    expect(() => mt.asStrided(mt.tensor([1, 2, 3]), [2, 2], [1])).toThrow(/\[asStrided\] shape \[2,2\] and strides have 2 and 1 entries/);
  });
});

describe('gradients through indexing', () => {
  test('slice scatters the gradient back into zeros', () => {
    const x = mt.tensor([1, 2, 3, 4]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.slice(t, [0], [4], [2])))(x) as mt.Tensor, [1, 0, 1, 0]);
  });
  test('take accumulates repeated indices', () => {
    const x = mt.tensor([1, 2, 3]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.take(t, i32([2, 2, 0]), 0)))(x) as mt.Tensor, [1, 0, 2]);
  });
  test('scatter with repeated indices gives every repeated update the gradient (as MLX)', () => {
    const [gx, gu] = mt.grad((x: mt.Tensor, u: mt.Tensor) => mt.sum(mt.multiply(mt.scatter(x, [i32([1, 1])], u, [0]), mt.tensor([1, 2, 3]))), [0, 1])(
      mt.zeros([3]), mt.tensor([5, 6])) as mt.Tensor[];
    expectClose(gx!, [1, 0, 3]);
    expectClose(gu!, [2, 2]);
  });
  test('empty slices and updates: zero gradients of the right shapes', () => {
    const x = mt.tensor([[1, 2, 3], [4, 5, 6]], 'float64');
    expect(mt.gradcheck((t) => mt.slice(t, [1, 2], [1, 0], [1, -1]), [x])).toBe(true);
    const none = mt.withDevice('cpu', () => mt.zeros([2, 0], 'float64')); // float64 is CPU-only in MLX
    expect(mt.gradcheck((t, u) => mt.sliceUpdate(t, u, [0, 3], [2, 0], [1, 2]), [x, none])).toBe(true);
  });
  test("scatterAdd and gather with partial slices (MLX's layout) gradcheck", () => {
    const x = mt.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 'float64');
    const idx = [i32([0, 1, 1]), i32([1, 0, 1])];
    const u = mt.tensor([[[1, 2]], [[3, 4]], [[5, 6]]], 'float64'); // three [1, 2] slices, overlapping
    expect(mt.gradcheck((a, b) => mt.scatterAdd(a, idx, b, [0, 1]), [x, u])).toBe(true);
    expect(mt.gradcheck((a) => mt.gather(a, idx, [0, 1], [2, 2]), [x])).toBe(true);
  });
  test('second derivative through take (createGraph)', () => {
    const f = (t: mt.Tensor): mt.Tensor => mt.sum(mt.power(mt.take(t, i32([0, 0, 1]), 0), 3));
    const g = (t: mt.Tensor): mt.Tensor => mt.sum(mt.grad(f)(t) as mt.Tensor);
    // f = 2 x0^3 + x1^3: f' = [6 x0^2, 3 x1^2], sum f'' = [12 x0, 6 x1]
    expectClose(mt.grad(g)(mt.tensor([1, 2, 5])) as mt.Tensor, [12, 12, 0]);
  });
});
