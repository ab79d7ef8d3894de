import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { widestFloat } from '../helpers/device.js';
import { expectClose } from '../helpers/close.js';
import { expectMlxError } from '../helpers/errors.js';

const range = (n: number, shape?: number[]): mt.Tensor => mt.tensor(Float32Array.from({ length: n }, (_, i) => i + 1), 'float32', shape);
const x23 = (): mt.Tensor => range(6, [2, 3]); // [[1, 2, 3], [4, 5, 6]]

describe('reshape', () => {
  test('keeps the values in row-major order; -1 is inferred', () => {
    expectClose(mt.reshape(range(6), [2, 3]), [[1, 2, 3], [4, 5, 6]]);
    expect(mt.reshape(range(6), [3, -1]).shape).toEqual([3, 2]);
    expect(x23().reshape([6]).shape).toEqual([6]);
  });
  test('a size mismatch or a non-integer shape is an error', () => {
    expectMlxError(() => mt.reshape(range(6), [4]), /\[reshape\]/);
    expect(() => mt.reshape(range(6), [2.5, 2])).toThrow(TypeError);
    expect(() => mt.reshape(range(6), [NaN])).toThrow(/reshape: argument 'shape'\[0\] must be an integer, got NaN/);
  });
});

describe('flatten', () => {
  test('merges the given range of axes', () => {
    expectClose(mt.flatten(x23()), [1, 2, 3, 4, 5, 6]);
    expect(mt.flatten(mt.zeros([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(mt.flatten(mt.zeros([2, 3, 4]), 0, 1).shape).toEqual([6, 4]);
    expect(mt.flatten(mt.zeros([2, 3, 4]), -2, -2).shape).toEqual([2, 3, 4]);
    expect(mt.flatten(mt.tensor(5)).shape).toEqual([1]);
    expect(x23().flatten().shape).toEqual([6]);
  });
  test('out-of-range or reversed axes are errors', () => {
    expectMlxError(() => mt.flatten(x23(), 0, 2), /\[flatten\] Invalid axis 2 for array with 2 dimensions/, 'MLX_OUT_OF_RANGE');
    expectMlxError(() => mt.flatten(x23(), -3), /\[flatten\] Invalid axis -3/, 'MLX_OUT_OF_RANGE');
    expectMlxError(() => mt.flatten(x23(), 1, 0), /\[flatten\] start_axis must be less than or equal to end_axis/);
  });
});

describe('transpose', () => {
  test('reverses the axes by default, or permutes them', () => {
    expectClose(mt.transpose(x23()), [[1, 4], [2, 5], [3, 6]]);
    const x = range(24, [2, 3, 4]);
    const t = mt.transpose(x, [1, -1, 0]);
    expect(t.shape).toEqual([3, 4, 2]);
    // t[i][j][k] = x[k][i][j]
    expect((t.toArray() as number[][][])[2]![1]![1]).toBe((x.toArray() as number[][][])[1]![2]![1]);
    expectClose(x23().transpose([1, 0]), [[1, 4], [2, 5], [3, 6]]);
  });
  test('repeated or missing axes are errors', () => {
    expectMlxError(() => mt.transpose(x23(), [0, 0]), /\[transpose\] Repeat axes not allowed/);
    expectMlxError(() => mt.transpose(x23(), [0]), /\[transpose\] Received 1 axes for array with 2 dimensions/);
  });
});

describe('swapaxes and moveaxis', () => {
  test('swapaxes exchanges two axes', () => {
    expectClose(mt.swapaxes(x23(), 0, 1), [[1, 4], [2, 5], [3, 6]]);
    expect(mt.swapaxes(mt.zeros([2, 3, 4]), 0, -1).shape).toEqual([4, 3, 2]);
  });
  test('moveaxis moves one axis and keeps the others in order', () => {
    expect(mt.moveaxis(mt.zeros([2, 3, 4]), 0, -1).shape).toEqual([3, 4, 2]);
    expect(mt.moveaxis(mt.zeros([2, 3, 4]), -1, 0).shape).toEqual([4, 2, 3]);
    expectClose(mt.moveaxis(range(6, [1, 2, 3]), -1, 0), [[[1, 4]], [[2, 5]], [[3, 6]]]);
  });
  test('out-of-range axes are errors', () => {
    expectMlxError(() => mt.swapaxes(x23(), 0, 2), /\[swapaxes\] Invalid axis 2 for array with 2 dimensions/, 'MLX_OUT_OF_RANGE');
    expectMlxError(() => mt.moveaxis(x23(), -3, 0), /\[moveaxis\] Invalid axis -3/, 'MLX_OUT_OF_RANGE');
    expect(() => mt.swapaxes(x23(), 0.5, 1)).toThrow(/swapaxes: argument 'axis1' must be an integer/);
  });
});

describe('expandDims and squeeze', () => {
  test('expandDims inserts size-1 axes where the result has them', () => {
    expect(mt.expandDims(x23(), 0).shape).toEqual([1, 2, 3]);
    expect(mt.expandDims(x23(), [0, -1]).shape).toEqual([1, 2, 3, 1]);
    expect(x23().expandDims(1).shape).toEqual([2, 1, 3]);
    expectClose(mt.expandDims(mt.tensor([1, 2]), 1), [[1], [2]]);
  });
  test('squeeze removes every size-1 axis, or the given ones', () => {
    expect(mt.squeeze(mt.zeros([1, 2, 1, 3])).shape).toEqual([2, 3]);
    expect(mt.squeeze(mt.zeros([1, 2, 1, 3]), -2).shape).toEqual([1, 2, 3]);
    expect(mt.zeros([1, 2, 1]).squeeze([0, 2]).shape).toEqual([2]);
    expectClose(mt.squeeze(mt.tensor([[[7]]])), 7);
  });
  test('bad axes are errors', () => {
    expectMlxError(() => mt.expandDims(x23(), [0, 0]), /\[expand_dims\] Received duplicate axes/);
    expectMlxError(() => mt.expandDims(x23(), 5), /\[expand_dims\] Axis 5 is out of bounds/, 'MLX_OUT_OF_RANGE');
    expectMlxError(() => mt.squeeze(x23(), 0), /\[squeeze\] Cannot squeeze axis 0 with size 2/);
    expectMlxError(() => mt.squeeze(mt.zeros([1]), 1), /\[squeeze\] Axis 1 is out of bounds/, 'MLX_OUT_OF_RANGE');
  });
});

describe('broadcastTo', () => {
  test('repeats along new and size-1 axes', () => {
    expectClose(mt.broadcastTo(mt.tensor([1, 2]), [3, 2]), [[1, 2], [1, 2], [1, 2]]);
    expectClose(mt.broadcastTo(mt.tensor([[1], [2]]), [2, 2]), [[1, 1], [2, 2]]);
  });
  test('incompatible shapes are an error', () => {
    expectMlxError(() => mt.broadcastTo(mt.tensor([1, 2, 3]), [2]), /\[broadcast_shapes\]|\[broadcast_to\]/);
  });
});

describe('concatenate and stack', () => {
  test('concatenate joins along an existing axis', () => {
    expectClose(mt.concatenate([mt.tensor([1, 2]), mt.tensor([3])]), [1, 2, 3]);
    expectClose(mt.concatenate([x23(), mt.tensor([[7], [8]])], 1), [[1, 2, 3, 7], [4, 5, 6, 8]]);
    expectClose(mt.concatenate([x23(), mt.tensor([[7, 8, 9]])], -2), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  });
  test('stack joins along a new axis', () => {
    expectClose(mt.stack([mt.tensor([1, 2]), mt.tensor([3, 4])]), [[1, 2], [3, 4]]);
    expectClose(mt.stack([mt.tensor([1, 2]), mt.tensor([3, 4])], -1), [[1, 3], [2, 4]]);
  });
  test('incompatible shapes, no tensors or a bad axis are errors', () => {
    expectMlxError(() => mt.concatenate([x23(), mt.tensor([[1, 2]])]), /\[concatenate\] All the input array dimensions must match exactly except for the concatenation axis/);
    expectMlxError(() => mt.concatenate([x23(), mt.tensor([1, 2, 3])]), /\[concatenate\] All the input arrays must have the same number of dimensions/);
    expectMlxError(() => mt.concatenate([]), /\[concatenate\] No arrays provided/);
    expectMlxError(() => mt.concatenate([x23(), x23()], 2), /\[concatenate\] Axis 2 is out of bounds/, 'MLX_OUT_OF_RANGE');
    expectMlxError(() => mt.stack([mt.tensor([1, 2]), mt.tensor([1, 2, 3])]), /\[stack\] All arrays must have the same shape/);
    expectMlxError(() => mt.stack([]), /\[stack\] No arrays provided/);
    expectMlxError(() => mt.stack([x23(), x23()], 3), /\[stack\] Axis 3 is out of bounds/, 'MLX_OUT_OF_RANGE');
  });
});

describe('split', () => {
  const values = (ps: mt.Tensor[]): unknown[] => ps.map((p) => p.toArray());
  test('a number splits into equal sections', () => {
    expect(values(mt.split(range(6), 3))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(values(mt.split(x23(), 3, 1))).toEqual([[[1], [4]], [[2], [5]], [[3], [6]]]);
  });
  test('a list splits at those indices, as NumPy does', () => {
    expect(values(mt.split(range(5), [2]))).toEqual([[1, 2], [3, 4, 5]]);
    expect(values(mt.split(x23(), [1, 2], -1))).toEqual([[[1], [4]], [[2], [5]], [[3], [6]]]);
    expect(values(mt.split(range(5), [-2]))).toEqual([[1, 2, 3], [4, 5]]);
    expect(values(mt.split(range(5), [3, 1]))).toEqual([[1, 2, 3], [], [2, 3, 4, 5]]);
    expect(values(mt.split(range(3), [5]))).toEqual([[1, 2, 3], []]);
    expect(values(mt.split(range(3), []))).toEqual([[1, 2, 3]]);
  });
  test('sections that do not divide the axis, a bad count or a bad axis are errors', () => {
    expectMlxError(() => mt.split(range(6), 4), /split does not result in sub arrays with equal size/);
    expectMlxError(() => mt.split(range(6), 0), /\[split\] num_splits must be positive and non-zero but got 0/);
    expectMlxError(() => mt.split(range(6), 2, 1), /\[split\] Axis 1 is out of bounds/, 'MLX_OUT_OF_RANGE');
    expect(() => mt.split(range(6), 1.5)).toThrow(/split: argument 'indicesOrSections' must be an integer, got 1.5/);
    expect(() => mt.split(range(6), [1, 0.5])).toThrow(TypeError);
  });
  test('gradients of the pieces add up in the input', () => {
    const x = range(5);
    const g = mt.grad((t: mt.Tensor) => {
      const [a, b] = mt.split(t, [2]) as [mt.Tensor, mt.Tensor];
      return mt.add(mt.sum(mt.multiply(a, 2)), mt.sum(mt.multiply(b, 3)));
    })(x);
    expectClose(g, [2, 2, 3, 3, 3]);
  });
});

describe('repeat and tile', () => {
  test('repeat repeats each element along an axis, or of the flat tensor', () => {
    expectClose(mt.repeat(mt.tensor([1, 2]), 2), [1, 1, 2, 2]);
    expectClose(mt.repeat(mt.tensor([[1, 2], [3, 4]]), 2), [1, 1, 2, 2, 3, 3, 4, 4]);
    expectClose(mt.repeat(mt.tensor([[1, 2], [3, 4]]), 2, 0), [[1, 2], [1, 2], [3, 4], [3, 4]]);
    expectClose(mt.repeat(mt.tensor([[1, 2], [3, 4]]), 2, -1), [[1, 1, 2, 2], [3, 3, 4, 4]]);
    expect(mt.repeat(x23(), 0, 0).shape).toEqual([0, 3]);
  });
  test('tile repeats the whole tensor', () => {
    expectClose(mt.tile(mt.tensor([1, 2]), 2), [1, 2, 1, 2]);
    expectClose(mt.tile(mt.tensor([1, 2]), [2, 2]), [[1, 2, 1, 2], [1, 2, 1, 2]]);
    expectClose(mt.tile(mt.tensor([[1, 2]]), [2]), [[1, 2, 1, 2]]);
    expect(mt.tile(x23(), [2, 1, 1]).shape).toEqual([2, 2, 3]);
  });
  test('negative or non-integer counts are errors', () => {
    expectMlxError(() => mt.repeat(x23(), -1, 0), /\[repeat\] Number of repeats cannot be negative/);
    expectMlxError(() => mt.repeat(x23(), 2, 2), /\[repeat\] Axis 2 is out of bounds/, 'MLX_OUT_OF_RANGE');
    expect(() => mt.repeat(x23(), 1.5)).toThrow(/repeat: argument 'repeats' must be an integer, got 1.5/);
    expectMlxError(() => mt.tile(x23(), [2, -1]), /\[tile\] Number of repeats cannot be negative, got -1/);
    expect(() => mt.tile(x23(), [2, 0.5])).toThrow(/tile: argument 'reps'\[1\] must be an integer/);
  });
  test('gradients sum over the copies', () => {
    const x = mt.tensor([[1, 2], [3, 4]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.repeat(t, 3, 1), range(12, [2, 6]))))(x), [[1 + 2 + 3, 4 + 5 + 6], [7 + 8 + 9, 10 + 11 + 12]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.tile(t, [1, 2]), range(8, [2, 4]))))(x), [[1 + 3, 2 + 4], [5 + 7, 6 + 8]]);
  });
});

describe('pad', () => {
  test('constant mode fills with a value, in each form of padWidth', () => {
    expectClose(mt.pad(mt.tensor([1, 2]), 1), [0, 1, 2, 0]);
    expectClose(mt.pad(mt.tensor([1, 2]), [1, 2]), [0, 1, 2, 0, 0]);
    expectClose(mt.pad(mt.tensor([[1, 2]]), [[1, 0], [0, 1]], 'constant', 9), [[9, 9, 9], [1, 2, 9]]);
    expectClose(mt.pad(mt.tensor([[1, 2]]), [1, 1]), [[0, 0, 0, 0], [0, 1, 2, 0], [0, 0, 0, 0]]);
    const ints = mt.pad(mt.tensor([1, 2], 'int32'), 1, 'constant', 5);
    expect(ints.dtype).toBe('int32');
    expectClose(ints, [5, 1, 2, 5]);
  });
  test('edge mode repeats the first and last values of each axis', () => {
    expectClose(mt.pad(mt.tensor([1, 2]), 1, 'edge'), [1, 1, 2, 2]);
    expectClose(mt.pad(mt.tensor([[1, 2], [3, 4]]), [[1, 0], [0, 2]], 'edge'), [[1, 2, 2, 2], [1, 2, 2, 2], [3, 4, 4, 4]]);
  });
  test('gradients: the middle in constant mode; edges collect their copies in edge mode', () => {
    const x = mt.tensor([[1, 2], [3, 4]]);
    const w = range(16, [4, 4]);
    const f = (mode: mt.PadMode) => (t: mt.Tensor) => mt.sum(mt.multiply(mt.pad(t, 1, mode), w));
    expectClose(mt.grad(f('constant'))(x), [[6, 7], [10, 11]]);
    // x[0][0] appears at rows 0-1, cols 0-1 of the padded tensor: 1 + 2 + 5 + 6.
    expectClose(mt.grad(f('edge'))(x), [[1 + 2 + 5 + 6, 3 + 4 + 7 + 8], [9 + 10 + 13 + 14, 11 + 12 + 15 + 16]]);
  });
  test('negative widths, the wrong number of pairs, a bad padWidth or mode are errors', () => {
    expectMlxError(() => mt.pad(x23(), -1), /Invalid low padding size \(-1\) passed to pad for axis 0/);
    expectMlxError(() => mt.pad(x23(), [[1, 1]]), /Invalid number of padding sizes passed to pad/);
    expect(() => mt.pad(x23(), [1, 2, 3] as never)).toThrow(/\[pad\] padWidth must be an integer, a \[low, high\] pair/);
    expect(() => mt.pad(x23(), [[1, 2], [3]] as never)).toThrow(TypeError);
    expect(() => mt.pad(x23(), 1.5)).toThrow(/pad: argument 'low'\[0\] must be an integer, got 1.5/);
    expect(() => mt.pad(x23(), 1, 'wrap' as never)).toThrow(/\[pad\] mode must be 'constant' or 'edge', got "wrap"/);
  });
});

describe('roll', () => {
  test('rolls the flat tensor, one axis, or several', () => {
    expectClose(mt.roll(mt.tensor([1, 2, 3, 4]), 1), [4, 1, 2, 3]);
    expectClose(mt.roll(x23(), -1), [[2, 3, 4], [5, 6, 1]]);
    expectClose(mt.roll(x23(), 1, 1), [[3, 1, 2], [6, 4, 5]]);
    expectClose(mt.roll(x23(), 1, [0, 1]), [[6, 4, 5], [3, 1, 2]]);
    expectClose(mt.roll(x23(), [1, -1], [0, 1]), [[5, 6, 4], [2, 3, 1]]);
  });
  test('a shift per axis must match the axes; axes must exist', () => {
    expectMlxError(() => mt.roll(x23(), [1], [0, 1]), /\[roll\] At least one shift value per axis is required, 1 provided for 2 axes/);
    expectMlxError(() => mt.roll(x23(), 1, 2), /\[roll\] Invalid axis 2 for array with 2 dimensions/, 'MLX_OUT_OF_RANGE');
    expect(() => mt.roll(x23(), 0.5)).toThrow(/roll: argument 'shift'\[0\] must be an integer/);
  });
});

describe('ops recorded as reshape or transpose are differentiable', () => {
  const x = (): mt.Tensor => mt.tensor(Float64Array.from([0.5, -1, 2, 0.25, 1.5, -0.75]), widestFloat, [1, 2, 3]);
  test.each<[string, (t: mt.Tensor) => mt.Tensor]>([
    ['flatten', (t) => mt.flatten(t, 1)],
    ['expandDims', (t) => mt.expandDims(t, [0, -1])],
    ['squeeze', (t) => mt.squeeze(t)],
    ['swapaxes', (t) => mt.swapaxes(t, 0, -1)],
    ['moveaxis', (t) => mt.moveaxis(t, -1, 0)],
  ])('%s passes gradcheck', (_name, fn) => {
    expect(mt.gradcheck((t) => mt.multiply(fn(t), fn(t)), [x()])).toBe(true);
  });
  test('moveaxis records the permutation that undoes it', () => {
    const t = x().requireGrad();
    const y = mt.moveaxis(t, 2, 0);
    expect(y.node?.op).toBe('transpose');
    expect(y.node?.attrs.axes).toEqual([2, 0, 1]);
  });
});

describe('higher-order gradients through shape rules', () => {
  const x = (): mt.Tensor => mt.tensor(Float64Array.from([0.5, -1, 2, 0.25, 1.5, -0.75]), 'float64', [2, 3]);
  test.each<[string, (t: mt.Tensor) => mt.Tensor]>([
    ['pad (edge)', (t) => mt.pad(t, [[1, 0], [2, 1]], 'edge')],
    ['pad (constant)', (t) => mt.pad(t, 1, 'constant', 2)],
    ['split', (t) => mt.concatenate(mt.split(t, [1, 2], 1).reverse(), 1)],
    ['stack', (t) => mt.stack([t, mt.transpose(mt.roll(mt.transpose(t), 1, 0))], 1)],
    ['tile and repeat', (t) => mt.repeat(mt.tile(t, [2, 1]), 2, 1)],
  ])('the gradient of a cubic through %s passes gradcheck', (_name, op) => {
    const f = (t: mt.Tensor): mt.Tensor => mt.sum(mt.power(op(t), 3));
    expect(mt.gradcheck((t) => mt.grad(f)(t), [x()])).toBe(true);
  });
});
