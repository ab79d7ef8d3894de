import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { cpuOnly } from '../helpers/device.js';

// The dtypes the issue names, with the TypedArray each one comes back as.
const DTYPES: [mt.DType, string][] = [
  ['bool', 'Uint8Array'],
  ['uint8', 'Uint8Array'],
  ['uint32', 'Uint32Array'],
  ['int32', 'Int32Array'],
  ['int64', 'BigInt64Array'],
  ['float16', 'Float32Array'],
  ['bfloat16', 'Float32Array'],
  ['float32', 'Float32Array'],
  ['float64', 'Float64Array'],
];
const NAMES = DTYPES.map(([d]) => d);

/** Tests of float64 itself skip on the GPU, where MLX has no float64 (device.test.ts checks the error). */
const float64Only = (...dtypes: mt.DType[]): void => {
  if (dtypes.includes('float64')) cpuOnly('float64 is CPU-only in MLX');
};

/** What [0, 1, 2, 3] becomes in `dtype`, as toArray() shows it. */
const small = (dtype: mt.DType): (number | boolean)[] => [0, 1, 2, 3].map((v) => (dtype === 'bool' ? v !== 0 : v));

describe.each(DTYPES)('%s', (dtype, typedName) => {
  test('from nested arrays, back through toArray, toTypedArray and item', () => {
    float64Only(dtype);
    const t = mt.tensor([[0, 1], [2, 3]], dtype);
    expect(t.dtype).toBe(dtype);
    expect(t.shape).toEqual([2, 2]);
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(4);
    expect(t.nbytes).toBe(4 * mt.itemsize(dtype));
    expect((t.toArray() as unknown[]).flat()).toEqual(small(dtype));
    const typed = t.toTypedArray();
    expect(typed.constructor.name).toBe(typedName);
    expect(Array.from(typed as ArrayLike<number | bigint>, Number)).toEqual(small(dtype).map(Number));
  });

  test('from a scalar: a 0-d tensor whose item() is the value', () => {
    float64Only(dtype);
    const t = mt.tensor(dtype === 'bool' ? true : 3, dtype);
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(dtype === 'bool' ? true : 3);
    expect(t.toArray()).toBe(dtype === 'bool' ? true : 3);
  });

  test('from a TypedArray, converted to the dtype', () => {
    float64Only(dtype);
    const t = mt.tensor(new Float64Array([0, 1, 2, 3]), dtype, [4]);
    expect(t.dtype).toBe(dtype);
    expect(t.toArray()).toEqual(small(dtype));
  });

  test.each(NAMES)('astype to %s', (to) => {
    float64Only(dtype, to);
    const t = mt.astype(mt.tensor([0, 1, 2, 3], dtype), to);
    expect(t.dtype).toBe(to);
    const expected = small(dtype).map(Number).map((v) => (to === 'bool' ? v !== 0 : v));
    expect(t.toArray()).toEqual(expected);
  });
});

describe('each TypedArray keeps its own dtype', () => {
  test.each([
    [new Uint8Array([1, 255]), 'uint8', [1, 255]],
    [new Uint32Array([0, 4294967295]), 'uint32', [0, 4294967295]],
    [new Int32Array([-2147483648, 7]), 'int32', [-2147483648, 7]],
    [new Float32Array([0.5, -1]), 'float32', [0.5, -1]],
    [new Float64Array([0.1, 1e300]), 'float64', [0.1, 1e300]],
  ] as [ArrayBufferView, mt.DType, number[]][])('%s', (data, dtype, values) => {
    float64Only(dtype);
    const t = mt.tensor(data);
    expect(t.dtype).toBe(dtype);
    expect(t.toArray()).toEqual(values);
    expect(Array.from(t.toTypedArray() as ArrayLike<number>)).toEqual(values);
  });

  test('BigInt64Array is int64 and keeps values beyond 2^53 exactly', () => {
    const big = 2n ** 60n + 1n;
    const t = mt.tensor(new BigInt64Array([big, -5n]));
    expect(t.dtype).toBe('int64');
    expect(Array.from(t.toTypedArray() as BigInt64Array)).toEqual([big, -5n]);
  });

  test('a subarray view reads from its own offset', () => {
    const buf = new Float32Array([9, 1, 2, 3, 9]);
    expect(mt.tensor(buf.subarray(1, 4)).toArray()).toEqual([1, 2, 3]);
  });
});

describe('precision and special values', () => {
  test('float16 and bfloat16 round to their nearest values', () => {
    expect(mt.tensor(0.1, 'float16').item()).toBe(0.0999755859375);
    expect(mt.tensor(0.1, 'bfloat16').item()).toBe(0.10009765625);
    expect(mt.tensor(0.1, 'float32').item()).toBe(Math.fround(0.1));
    expect(mt.tensor(0.1, 'float64').item()).toBe(0.1);
  });

  test('NaN and ±Infinity survive every floating dtype', () => {
    for (const dtype of ['float16', 'bfloat16', 'float32', 'float64'] as mt.DType[]) {
      const read = () => mt.tensor([NaN, Infinity, -Infinity], dtype).toArray();
      const back = dtype === 'float64' ? mt.withDevice('cpu', read) : read(); // float64 is CPU-only in MLX
      expect(back).toEqual([NaN, Infinity, -Infinity]);
    }
  });

  test('astype follows MLX: floats truncate toward zero, bool is "not zero"', () => {
    expect(mt.astype(mt.tensor([1.7, -1.7]), 'int32').toArray()).toEqual([1, -1]);
    expect(mt.astype(mt.tensor([0, -0.5, 2]), 'bool').toArray()).toEqual([false, true, true]);
    expect(mt.astype(mt.tensor([true, false]), 'float32').toArray()).toEqual([1, 0]);
    expect(mt.astype(mt.tensor([65504, 70000]), 'float16').toArray()).toEqual([65504, Infinity]);
  });

  test('booleans default to bool and numbers to float32', () => {
    expect(mt.tensor([true, false]).dtype).toBe('bool');
    expect(mt.tensor(3).dtype).toBe('float32');
    expect(mt.tensor([true, false], 'float32').toArray()).toEqual([1, 0]);
  });

  test('empty tensors round-trip', () => {
    const t = mt.tensor([], 'int32');
    expect(t.shape).toEqual([0]);
    expect(t.toArray()).toEqual([]);
    expect(mt.zeros([2, 0]).toArray()).toEqual([[], []]);
  });
});

describe('bad data', () => {
  test('ragged or non-numeric nested arrays are TypeErrors', () => {
    expect(() => mt.tensor([[1, 2], [3]])).toThrow(/\[tensor\] ragged nested array/);
    expect(() => mt.tensor(['a'] as unknown as number[])).toThrow(/\[tensor\] \[0\] must be a number or boolean, got string/);
  });

  test('a TypedArray that does not fill the shape is a RangeError', () => {
    expect(() => mt.tensor(new Float32Array(4), undefined, [2, 3])).toThrow(/fromTypedArray: shape holds 6 elements but data has 4/);
    expect(() => mt.tensor(new Float32Array(4), undefined, [-2, -2])).toThrow(RangeError);
  });

  test('an unknown dtype is a TypeError naming it', () => {
    expect(() => mt.tensor([1], 'float8' as mt.DType)).toThrow(/fromTypedArray: argument 'dtype' must be a dtype name .* got 'float8'/);
    expect(() => mt.astype(mt.tensor([1]), 'int4' as mt.DType)).toThrow(/astype: argument 'dtype' must be a dtype name/);
  });

  test('item() on more than one element is a RangeError', () => {
    expect(() => mt.tensor([1, 2]).item()).toThrow(/item: needs an array of size 1, got shape \[2\]/);
  });
});
