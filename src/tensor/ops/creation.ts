// Creation: tensor() from JS values, and the constant-filled tensors.
import type { DType } from '../dtype.js';
import { native } from '../native.js';
import { Tensor, type NestedArray } from '../tensor.js';

const TYPED_DTYPE: [new (...a: never[]) => ArrayBufferView, DType][] = [
  [Float32Array, 'float32'], [Float64Array, 'float64'], [Int32Array, 'int32'], [Int16Array, 'int16'],
  [Int8Array, 'int8'], [Uint8Array, 'uint8'], [Uint16Array, 'uint16'], [Uint32Array, 'uint32'],
  [BigInt64Array, 'int64'], [BigUint64Array, 'uint64'],
];

/** The shape of a nested array, checking that it is rectangular. */
function shapeOf(data: NestedArray): number[] {
  const shape: number[] = [];
  for (let level: NestedArray = data; Array.isArray(level); level = level[0]!) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const check = (v: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (Array.isArray(v)) throw new TypeError(`[tensor] ragged nested array: ${path} is an array, expected a number`);
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TypeError(`[tensor] ${path || 'data'} must be a number or boolean, got ${typeof v}`);
      }
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new TypeError(`[tensor] ragged nested array: ${path || 'data'} has ${Array.isArray(v) ? `length ${v.length}` : 'a scalar'}, expected length ${shape[axis]}`);
    }
    v.forEach((x, i) => check(x, axis + 1, `${path}[${i}]`));
  };
  check(data, 0, '');
  return shape;
}

/**
 * Makes a tensor from a number, a boolean, nested arrays of them, or a
 * TypedArray (1-d unless `shape` is given). Numbers become float32 and
 * booleans bool unless `dtype` says otherwise; a TypedArray keeps its own
 * type (Float32Array → float32, Int32Array → int32, ...).
 *
 * @param data - The values.
 * @param dtype - The element type (default: float32 for numbers, bool for booleans).
 * @param shape - The shape of a TypedArray's values (default: 1-d).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.tensor([[1, 2], [3, 4]]).shape;            // [2, 2]
 * mt.tensor([0, 2], 'int32').dtype;             // 'int32'
 * mt.tensor(new Float32Array(6), undefined, [2, 3]).shape; // [2, 3]
 * ```
 * @group Creation
 */
export function tensor(data: NestedArray | ArrayBufferView, dtype?: DType, shape?: number[]): Tensor {
  if (ArrayBuffer.isView(data)) {
    const natural = TYPED_DTYPE.find(([ctor]) => data instanceof ctor)?.[1];
    if (!natural) throw new TypeError(`[tensor] unsupported TypedArray ${data.constructor.name}`);
    const length = (data as unknown as { length: number }).length;
    return new Tensor(native.fromTypedArray(data, shape ?? [length], dtype ?? natural));
  }
  const dims = shapeOf(data);
  const flat: (number | boolean)[] = Array.isArray(data) ? ((data as unknown[]).flat(Infinity) as (number | boolean)[]) : [data];
  const isBool = flat.length > 0 && typeof flat[0] === 'boolean';
  const values = Float64Array.from(flat, (v) => Number(v));
  return new Tensor(native.fromTypedArray(values, shape ?? dims, dtype ?? (isBool ? 'bool' : 'float32')));
}

/**
 * A tensor of the given shape filled with `value`.
 *
 * @param shape - The size of each axis.
 * @param value - The fill value.
 * @param dtype - The element type (default float32).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.full([2], 7).toArray(); // [7, 7]
 * ```
 * @group Creation
 */
export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.full(shape, value, dtype));
}

/**
 * A tensor of zeros.
 *
 * @param shape - The size of each axis.
 * @param dtype - The element type (default float32).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.zeros([2, 3]).shape; // [2, 3]
 * ```
 * @group Creation
 */
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 0, dtype);
}

/**
 * A tensor of ones.
 *
 * @param shape - The size of each axis.
 * @param dtype - The element type (default float32).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.ones([2]).toArray(); // [1, 1]
 * ```
 * @group Creation
 */
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}

/**
 * Zeros with the shape and dtype of `x`.
 *
 * @param x - The tensor whose shape and dtype to take.
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.zerosLike(mt.tensor([5, 6])).toArray(); // [0, 0]
 * ```
 * @see MLX `zeros_like`
 * @group Creation
 */
export function zerosLike(x: Tensor): Tensor {
  return new Tensor(native.zerosLike(x.data));
}

/**
 * Ones with the shape and dtype of `x`.
 *
 * @param x - The tensor whose shape and dtype to take.
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.onesLike(mt.tensor([5, 6])).toArray(); // [1, 1]
 * ```
 * @see MLX `ones_like`
 * @group Creation
 */
export function onesLike(x: Tensor): Tensor {
  return new Tensor(native.onesLike(x.data));
}
