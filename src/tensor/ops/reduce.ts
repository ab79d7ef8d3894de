// Reductions over axes, arg-reductions, scans along one axis, and softmax.
// Primitives record themselves (rules in src/autograd/grads/reduce.ts); mean,
// var, std and logSoftmax are compositions of them.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { divide, multiply, sqrt, square, subtract } from './elementwise.js';
import { reshape } from './shape.js';

/** One axis or several; omitted means all axes. */
export type Axes = number | number[];

/** Options of the scans ({@link cumsum}, {@link cumprod}, {@link cummax}, {@link cummin}). */
export interface ScanOptions {
  /** Scan from the last element to the first (default false). */
  reverse?: boolean;
  /** Include each element in its own result (default true); exclusive scans start from the identity. */
  inclusive?: boolean;
}

/** `axes` as a list of axes in [0, ndim), checked the way MLX checks them, naming `op`. */
function normalizeAxes(op: string, x: Tensor, axes: Axes | undefined): number[] {
  const nd = x.ndim;
  if (axes === undefined) return [...Array(nd).keys()];
  const list = (Array.isArray(axes) ? axes : [axes]).map((a) => {
    if (!Number.isInteger(a)) throw new TypeError(`[${op}] axes must be integers, got ${a}`);
    if (a < -nd || a >= nd) {
      throw new RangeError(`[${op}] axis ${a} is out of range for an array of ${nd} dimensions (shape [${x.shape.join(',')}])`);
    }
    return a < 0 ? a + nd : a;
  });
  if (new Set(list).size !== list.length) throw new RangeError(`[${op}] axes [${list.join(',')}] repeat an axis`);
  return list;
}

/**
 * Sum over `axes` (all axes when omitted).
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; negative axes count from the end.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The sums.
 * @example
 * ```ts
 * mt.sum(mt.tensor([[1, 2], [3, 4]]), 0).toArray(); // [4, 6]
 * ```
 * @group Reduction
 */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply('sum', [x], native.sum(x.data, axes ?? null, keepDims), { axes, keepDims });
}

/**
 * Mean over `axes` (all axes when omitted): the sum divided by the number of
 * elements reduced. Integer inputs give float32.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; negative axes count from the end.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The means.
 * @example
 * ```ts
 * mt.mean(mt.tensor([[1, 2], [3, 4]]), 1).toArray(); // [1.5, 3.5]
 * ```
 * @group Reduction
 */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const count = normalizeAxes('mean', x, axes).reduce((n, a) => n * x.shape[a]!, 1);
  return divide(sum(x, axes, keepDims), count);
}

/**
 * Product over `axes` (all axes when omitted). Its gradient is exact where
 * inputs are zero (it multiplies the other elements, never divides).
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; negative axes count from the end.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The products.
 * @example
 * ```ts
 * mt.prod(mt.tensor([[1, 2], [3, 4]]), 1).toArray(); // [2, 12]
 * ```
 * @group Reduction
 */
export function prod(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply('prod', [x], native.prod(x.data, axes ?? null, keepDims), { axes, keepDims });
}

/**
 * Maximum over `axes` (all axes when omitted). Where several elements tie for
 * the maximum, the gradient is split equally among them (as MLX does).
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; negative axes count from the end.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The maxima.
 * @example
 * ```ts
 * mt.max(mt.tensor([[1, 5], [3, 4]]), 0).toArray(); // [3, 5]
 * ```
 * @group Reduction
 */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply('max', [x], native.max(x.data, axes ?? null, keepDims), { axes, keepDims });
}

/**
 * Minimum over `axes` (all axes when omitted). Where several elements tie for
 * the minimum, the gradient is split equally among them (as MLX does).
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; negative axes count from the end.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The minima.
 * @example
 * ```ts
 * mt.min(mt.tensor([[1, 5], [3, 4]]), 0).toArray(); // [1, 4]
 * ```
 * @group Reduction
 */
export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply('min', [x], native.min(x.data, axes ?? null, keepDims), { axes, keepDims });
}

/**
 * `log(sum(exp(x)))` over `axes`, computed stably (the maximum is taken out
 * before exponentiating). Its gradient is the softmax of `x`.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns The log-sum-exps.
 * @example
 * ```ts
 * mt.logsumexp(mt.tensor([1000, 1000])).item(); // 1000.693...
 * ```
 * @group Reduction
 */
export function logsumexp(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return apply('logsumexp', [x], native.logsumexp(x.data, axes ?? null, keepDims), { axes, keepDims });
}

/**
 * Variance over `axes`: the mean squared deviation from the mean, times
 * `n / (n - ddof)` where `n` counts the elements reduced (so `ddof = 1` gives
 * the unbiased estimate). Where `n <= ddof` the result is infinite or NaN, as in MLX.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @param ddof - Delta degrees of freedom, a non-negative integer (default 0).
 * @returns The variances.
 * @example
 * ```ts
 * mt.var(mt.tensor([1, 2, 3, 4])).item();             // 1.25
 * mt.var(mt.tensor([1, 2, 3, 4]), 0, false, 1).item(); // 1.666...
 * ```
 * @group Reduction
 */
function var_(x: Tensor, axes?: Axes, keepDims = false, ddof = 0): Tensor {
  if (!Number.isInteger(ddof) || ddof < 0) throw new RangeError(`[var] ddof must be a non-negative integer, got ${ddof}`);
  const n = normalizeAxes('var', x, axes).reduce((k, a) => k * x.shape[a]!, 1);
  const v = mean(square(subtract(x, mean(x, axes, true))), axes, keepDims);
  // MLX's factor: n / max(n - ddof, 0), infinite where too few elements remain.
  return ddof === 0 ? v : multiply(v, n / Math.max(n - ddof, 0));
}
// `var` is a reserved word: declare under another name, export as MLX's.
export { var_ as var };

/**
 * Standard deviation over `axes`: the square root of {@link var}.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @param ddof - Delta degrees of freedom, a non-negative integer (default 0).
 * @returns The standard deviations.
 * @example
 * ```ts
 * mt.std(mt.tensor([1, 3])).item(); // 1
 * ```
 * @group Reduction
 */
export function std(x: Tensor, axes?: Axes, keepDims = false, ddof = 0): Tensor {
  if (!Number.isInteger(ddof) || ddof < 0) throw new RangeError(`[std] ddof must be a non-negative integer, got ${ddof}`);
  normalizeAxes('std', x, axes);
  return sqrt(var_(x, axes, keepDims, ddof));
}

/**
 * Whether all elements over `axes` are true (non-zero). Not differentiable.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns A bool tensor.
 * @example
 * ```ts
 * mt.all(mt.tensor([[1, 0], [1, 1]]), 1).toArray(); // [false, true]
 * ```
 * @group Reduction
 */
export function all(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return new Tensor(native.all(x.data, axes ?? null, keepDims));
}

/**
 * Whether any element over `axes` is true (non-zero). Not differentiable.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns A bool tensor.
 * @example
 * ```ts
 * mt.any(mt.tensor([[1, 0], [0, 0]]), 1).toArray(); // [true, false]
 * ```
 * @group Reduction
 */
export function any(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return new Tensor(native.any(x.data, axes ?? null, keepDims));
}

/**
 * The number of non-zero elements over `axes`, as int32. Not differentiable.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes; all axes when omitted.
 * @param keepDims - Keep the reduced axes with size 1 (default false).
 * @returns An int32 tensor of counts.
 * @example
 * ```ts
 * mt.countNonzero(mt.tensor([[0, 2], [3, 4]]), 1).toArray(); // [1, 2]
 * ```
 * @see MLX `count_nonzero`
 * @group Reduction
 */
export function countNonzero(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return new Tensor(native.countNonzero(x.data, axes ?? null, keepDims));
}

/**
 * The index of the maximum along `axis` (of the flattened tensor when `axis`
 * is omitted), as uint32; the first index wins ties. Not differentiable.
 *
 * @param x - Input tensor.
 * @param axis - The axis to reduce; negative counts from the end.
 * @param keepDims - Keep the reduced axis with size 1 (default false).
 * @returns A uint32 tensor of indices.
 * @example
 * ```ts
 * mt.argmax(mt.tensor([[1, 5], [3, 4]]), 1).toArray(); // [1, 1]
 * ```
 * @group Reduction
 */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return new Tensor(native.argmax(x.data, axis ?? null, keepDims));
}

/**
 * The index of the minimum along `axis` (of the flattened tensor when `axis`
 * is omitted), as uint32; the first index wins ties. Not differentiable.
 *
 * @param x - Input tensor.
 * @param axis - The axis to reduce; negative counts from the end.
 * @param keepDims - Keep the reduced axis with size 1 (default false).
 * @returns A uint32 tensor of indices.
 * @example
 * ```ts
 * mt.argmin(mt.tensor([[1, 5], [3, 4]]), 1).toArray(); // [0, 0]
 * ```
 * @group Reduction
 */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return new Tensor(native.argmin(x.data, axis ?? null, keepDims));
}

type ScanOp = 'cumsum' | 'cumprod' | 'cummax' | 'cummin';
/** A scan along `axis`; without an axis, of the flattened tensor (as MLX does). */
function scan(op: ScanOp, x: Tensor, axis: number | undefined, { reverse = false, inclusive = true }: ScanOptions): Tensor {
  if (axis === undefined) return scan(op, reshape(x, [-1]), 0, { reverse, inclusive });
  return apply(op, [x], native[op](x.data, axis, reverse, inclusive), { axis, reverse, inclusive });
}

/**
 * Cumulative sum along `axis` (of the flattened tensor when `axis` is omitted).
 *
 * @param x - Input tensor.
 * @param axis - The axis to scan; negative counts from the end.
 * @param options - `reverse` scans from the end; `inclusive: false` gives exclusive sums.
 * @returns A tensor of the same shape (flattened when `axis` is omitted).
 * @example
 * ```ts
 * mt.cumsum(mt.tensor([1, 2, 3])).toArray();                       // [1, 3, 6]
 * mt.cumsum(mt.tensor([1, 2, 3]), 0, { reverse: true }).toArray(); // [6, 5, 3]
 * ```
 * @group Reduction
 */
export function cumsum(x: Tensor, axis?: number, options: ScanOptions = {}): Tensor {
  return scan('cumsum', x, axis, options);
}

/**
 * Cumulative product along `axis` (of the flattened tensor when `axis` is
 * omitted). Its gradient is exact at zeros (MLX's rule: the first zero of a
 * scan gets the product of the others, later elements get zero).
 *
 * @param x - Input tensor.
 * @param axis - The axis to scan; negative counts from the end.
 * @param options - `reverse` scans from the end; `inclusive: false` gives exclusive products.
 * @returns A tensor of the same shape (flattened when `axis` is omitted).
 * @example
 * ```ts
 * mt.cumprod(mt.tensor([1, 2, 3])).toArray(); // [1, 2, 6]
 * ```
 * @group Reduction
 */
export function cumprod(x: Tensor, axis?: number, options: ScanOptions = {}): Tensor {
  return scan('cumprod', x, axis, options);
}

/**
 * Cumulative maximum along `axis` (of the flattened tensor when `axis` is
 * omitted). Each output's gradient goes to the element it was taken from;
 * among equal elements, the one latest in scan order (as MLX and PyTorch do).
 *
 * @param x - Input tensor.
 * @param axis - The axis to scan; negative counts from the end.
 * @param options - `reverse` scans from the end; `inclusive: false` excludes each element from its own result.
 * @returns A tensor of the same shape (flattened when `axis` is omitted).
 * @example
 * ```ts
 * mt.cummax(mt.tensor([1, 3, 2, 4])).toArray(); // [1, 3, 3, 4]
 * ```
 * @group Reduction
 */
export function cummax(x: Tensor, axis?: number, options: ScanOptions = {}): Tensor {
  return scan('cummax', x, axis, options);
}

/**
 * Cumulative minimum along `axis` (of the flattened tensor when `axis` is
 * omitted). Gradient ties as in {@link cummax}.
 *
 * @param x - Input tensor.
 * @param axis - The axis to scan; negative counts from the end.
 * @param options - `reverse` scans from the end; `inclusive: false` excludes each element from its own result.
 * @returns A tensor of the same shape (flattened when `axis` is omitted).
 * @example
 * ```ts
 * mt.cummin(mt.tensor([3, 1, 2, 0])).toArray(); // [3, 1, 1, 0]
 * ```
 * @group Reduction
 */
export function cummin(x: Tensor, axis?: number, options: ScanOptions = {}): Tensor {
  return scan('cummin', x, axis, options);
}

/**
 * Softmax over `axes`: `exp(x - logsumexp(x))`, with MLX's fused stable kernel.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes (default the last axis).
 * @param precise - Accumulate float16/bfloat16 inputs in float32 (default false).
 * @returns A tensor of the same shape whose values over `axes` sum to 1.
 * @example
 * ```ts
 * mt.softmax(mt.tensor([0, Math.log(3)])).toArray(); // [0.25, 0.75]
 * ```
 * @group Activations
 */
export function softmax(x: Tensor, axes: Axes = -1, precise = false): Tensor {
  return apply('softmax', [x], native.softmax(x.data, axes, precise), { axes });
}

/**
 * Log of the softmax over `axes`, computed stably as `x - logsumexp(x, axes)`.
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes (default the last axis).
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.logSoftmax(mt.tensor([0, Math.log(3)])).toArray(); // [-1.386..., -0.287...]
 * ```
 * @see MLX `log_softmax` (mlx.nn)
 * @group Activations
 */
export function logSoftmax(x: Tensor, axes: Axes = -1): Tensor {
  normalizeAxes('logSoftmax', x, axes); // so a bad axis names this op, not logsumexp
  return subtract(x, logsumexp(x, axes, true));
}
