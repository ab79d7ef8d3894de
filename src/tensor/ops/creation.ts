// Creation: tensor() from JS values, constant-filled tensors, ranges and
// triangular masks. tril/triu are compositions (where over a tri mask), so
// they are differentiable without rules of their own.
import type { DType } from '../dtype.js';
import { native } from '../native.js';
import { Tensor, type NestedArray } from '../tensor.js';
import { astype, where } from './elementwise.js';
import { broadcastTo } from './shape.js';

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
 * A tensor of the given shape filled with `value`. A tensor `value` is
 * broadcast to `shape` (MLX semantics), and gradients flow back into it.
 *
 * @param shape - The size of each axis.
 * @param value - The fill value: a number, or a tensor that broadcasts to `shape`.
 * @param dtype - The element type (default float32 for a number, the tensor's own dtype for a tensor).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.full([2], 7).toArray();                    // [7, 7]
 * mt.full([2, 2], mt.tensor([1, 2])).toArray(); // [[1, 2], [1, 2]]
 * ```
 * @group Creation
 */
export function full(shape: number[], value: number | Tensor, dtype?: DType): Tensor {
  if (!(value instanceof Tensor)) return new Tensor(native.full(shape, value, dtype ?? 'float32'));
  return broadcastTo(dtype && dtype !== value.dtype ? astype(value, dtype) : value, shape);
}

/**
 * A tensor with the shape of `x` filled with `value`.
 *
 * @param x - The tensor whose shape (and, by default, dtype) to take.
 * @param value - The fill value: a number, or a tensor that broadcasts to `x.shape`.
 * @param dtype - The element type (default `x.dtype`).
 * @returns A new tensor.
 * @example
 * ```ts
 * mt.fullLike(mt.zeros([2], 'int32'), 3).toArray(); // [3, 3]
 * ```
 * @see MLX `full_like`
 * @group Creation
 */
export function fullLike(x: Tensor, value: number | Tensor, dtype: DType = x.dtype): Tensor {
  return full([...x.shape], value, dtype);
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

/**
 * Evenly spaced values in `[0, stop)`: `arange(stop)`. As in MLX, the dtype
 * defaults to int32 when the arguments are all integers and to float32
 * otherwise. `arange(start, stop)` and `arange(start, stop, step)` are the
 * other forms, each with an optional dtype last.
 *
 * @param stop - The end, excluded.
 * @param dtype - The element type.
 * @returns A 1-d tensor of `ceil(stop)` values.
 * @example
 * ```ts
 * mt.arange(4).toArray();          // [0, 1, 2, 3] (int32)
 * mt.arange(3, 'float64').dtype;   // 'float64'
 * ```
 * @group Creation
 */
export function arange(stop: number, dtype?: DType): Tensor;
/**
 * Evenly spaced values in `[start, stop)`, one apart.
 *
 * @param start - The first value.
 * @param stop - The end, excluded.
 * @param dtype - The element type (default int32 for integer arguments, else float32).
 * @returns A 1-d tensor of `ceil(stop - start)` values.
 * @example
 * ```ts
 * mt.arange(2, 5).toArray(); // [2, 3, 4]
 * ```
 * @group Creation
 */
export function arange(start: number, stop: number, dtype?: DType): Tensor;
/**
 * Evenly spaced values in `[start, stop)`, `step` apart.
 *
 * @param start - The first value.
 * @param stop - The end, excluded.
 * @param step - The spacing; negative counts down; never 0.
 * @param dtype - The element type (default int32 for integer arguments, else float32).
 * @returns A 1-d tensor of `ceil((stop - start) / step)` values.
 * @example
 * ```ts
 * mt.arange(1, 2, 0.25).toArray(); // [1, 1.25, 1.5, 1.75] (float32)
 * mt.arange(5, 0, -2).toArray();   // [5, 3, 1]
 * ```
 * @group Creation
 */
export function arange(start: number, stop: number, step: number, dtype?: DType): Tensor;
export function arange(a: number, b?: number | DType, c?: number | DType, d?: DType): Tensor {
  const nums: number[] = [a];
  let dtype: DType | undefined;
  for (const v of [b, c, d]) {
    if (typeof v === 'string') dtype = v;
    else if (v !== undefined) nums.push(v);
  }
  const [start, stop, step] = nums.length === 1 ? [0, a, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  dtype ??= [start, stop, step].every(Number.isInteger) ? 'int32' : 'float32';
  return new Tensor(native.arange(start, stop, step, dtype));
}

/**
 * `num` evenly spaced values from `start` to `stop`, both included.
 *
 * @param start - The first value.
 * @param stop - The last value.
 * @param num - How many values (default 50).
 * @param dtype - The element type (default float32).
 * @returns A 1-d tensor of `num` values.
 * @example
 * ```ts
 * mt.linspace(0, 1, 5).toArray(); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 * @group Creation
 */
export function linspace(start: number, stop: number, num = 50, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.linspace(start, stop, num, dtype));
}

/**
 * An `n × m` matrix with ones on diagonal `k` and zeros elsewhere.
 *
 * @param n - Rows.
 * @param m - Columns (default `n`).
 * @param k - The diagonal: 0 the main one, positive above it, negative below.
 * @param dtype - The element type (default float32).
 * @returns A tensor of shape `[n, m]`.
 * @example
 * ```ts
 * mt.eye(2, 3, 1).toArray(); // [[0, 1, 0], [0, 0, 1]]
 * ```
 * @group Creation
 */
export function eye(n: number, m?: number, k = 0, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.eye(n, m ?? n, k, dtype));
}

/**
 * The `n × n` identity matrix.
 *
 * @param n - Rows and columns.
 * @param dtype - The element type (default float32).
 * @returns A tensor of shape `[n, n]`.
 * @example
 * ```ts
 * mt.identity(2).toArray(); // [[1, 0], [0, 1]]
 * ```
 * @group Creation
 */
export function identity(n: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.identity(n, dtype));
}

/**
 * An `n × m` matrix with ones on and below diagonal `k`, zeros above.
 *
 * @param n - Rows.
 * @param m - Columns (default `n`).
 * @param k - The last diagonal of ones: 0 the main one, positive above it, negative below.
 * @param dtype - The element type (default float32).
 * @returns A tensor of shape `[n, m]`.
 * @example
 * ```ts
 * mt.tri(2, 3).toArray(); // [[1, 0, 0], [1, 1, 0]]
 * ```
 * @group Creation
 */
export function tri(n: number, m?: number, k = 0, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.tri(n, m ?? n, k, dtype));
}

/** The sizes of the last two axes, which tril/triu treat as matrices. */
function matrixDims(op: string, x: Tensor): [number, number] {
  if (x.ndim < 2) throw new RangeError(`[${op}] x must have at least 2 axes, got shape [${x.shape.join(',')}]`);
  return [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
}

/**
 * The lower triangle of the last two axes: entries above diagonal `k` become 0.
 * Differentiable (a composition of `where` with a {@link tri} mask).
 *
 * @param x - A tensor of at least 2 axes.
 * @param k - The last diagonal kept: 0 the main one, positive above it, negative below.
 * @returns A tensor of the same shape and dtype.
 * @example
 * ```ts
 * mt.tril(mt.tensor([[1, 2], [3, 4]])).toArray(); // [[1, 0], [3, 4]]
 * ```
 * @group Creation
 */
export function tril(x: Tensor, k = 0): Tensor {
  const [n, m] = matrixDims('tril', x);
  return where(tri(n, m, k, 'bool'), x, 0);
}

/**
 * The upper triangle of the last two axes: entries below diagonal `k` become 0.
 * Differentiable (a composition of `where` with a {@link tri} mask).
 *
 * @param x - A tensor of at least 2 axes.
 * @param k - The first diagonal kept: 0 the main one, positive above it, negative below.
 * @returns A tensor of the same shape and dtype.
 * @example
 * ```ts
 * mt.triu(mt.tensor([[1, 2], [3, 4]])).toArray(); // [[1, 2], [0, 4]]
 * ```
 * @group Creation
 */
export function triu(x: Tensor, k = 0): Tensor {
  const [n, m] = matrixDims('triu', x);
  return where(tri(n, m, k - 1, 'bool'), 0, x);
}
