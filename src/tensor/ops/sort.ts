// Sorting and partitioning. The value-returning ops are compositions of
// argsort/argpartition and takeAlongAxis, so their gradient is takeAlongAxis's
// (each output value's gradient goes back to the element it came from);
// argsort and argpartition themselves are not differentiable.
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { slice, takeAlongAxisUnchecked } from './indexing.js';
import { reshape } from './shape.js';

/**
 * Indices that sort `x` along `axis` (ascending, stable, NaNs last). Not
 * differentiable.
 *
 * @param x - Input tensor.
 * @param axis - The axis to sort along (default -1; `null` sorts the flattened tensor).
 * @returns uint32 indices, shaped like `x` (1-d when `axis` is null).
 * @example
 * ```ts
 * mt.argsort(mt.tensor([3, 1, 2])).toArray(); // [1, 2, 0]
 * ```
 * @group Sorting
 */
export function argsort(x: Tensor, axis: number | null = -1): Tensor {
  return new Tensor(native.argsort(x.data, axis));
}

/**
 * `x` sorted along `axis` (ascending, stable, NaNs last). Differentiable: the
 * gradient of each sorted value goes to the element it came from.
 *
 * @param x - Input tensor.
 * @param axis - The axis to sort along (default -1; `null` sorts the flattened tensor).
 * @returns The sorted values.
 * @example
 * ```ts
 * mt.sort(mt.tensor([[3, 1, 2], [0, 5, 4]])).toArray(); // [[1, 2, 3], [0, 4, 5]]
 * ```
 * @group Sorting
 */
export function sort(x: Tensor, axis: number | null = -1): Tensor {
  if (axis === null) return sort(reshape(x, [-1]), 0);
  return takeAlongAxisUnchecked(x, argsort(x, axis), axis);
}

/**
 * Indices that partition `x` along `axis` around its `kth` smallest element:
 * that element lands at position `kth`, smaller or equal ones before it and
 * larger or equal ones after it, each side in no particular order. Not
 * differentiable.
 *
 * @param x - Input tensor.
 * @param kth - The position to put in sorted place (negative counts from the end).
 * @param axis - The axis to partition (default -1; `null`: the flattened tensor).
 * @returns uint32 indices, shaped like `x` (1-d when `axis` is null).
 * @example
 * ```ts
 * mt.argpartition(mt.tensor([3, 1, 2, 7, 5]), 2).toArray(); // e.g. [2, 1, 0, 4, 3]: x[0] = 3 at position 2
 * ```
 * @group Sorting
 */
export function argpartition(x: Tensor, kth: number, axis: number | null = -1): Tensor {
  return new Tensor(native.argpartition(x.data, kth, axis));
}

/**
 * `x` partitioned along `axis` around its `kth` smallest element (see
 * {@link argpartition}). Differentiable like {@link sort}.
 *
 * @param x - Input tensor.
 * @param kth - The position to put in sorted place (negative counts from the end).
 * @param axis - The axis to partition (default -1; `null`: the flattened tensor).
 * @returns The partitioned values.
 * @example
 * ```ts
 * mt.partition(mt.tensor([3, 1, 2, 7, 5]), 2).toArray(); // e.g. [2, 1, 3, 5, 7]: 3 in place
 * ```
 * @group Sorting
 */
export function partition(x: Tensor, kth: number, axis: number | null = -1): Tensor {
  if (axis === null) return partition(reshape(x, [-1]), kth, 0);
  return takeAlongAxisUnchecked(x, argpartition(x, kth, axis), axis);
}

/**
 * The `k` largest elements of `x` along `axis`, in no particular order (as
 * MLX's `topk`). Differentiable like {@link sort}; among equal values, which
 * ones are picked is unspecified.
 *
 * @param x - Input tensor.
 * @param k - How many to keep, 1 to the size of `axis`.
 * @param axis - The axis to search (default -1; `null`: the flattened tensor).
 * @returns `x` with `axis` shortened to `k`.
 * @example
 * ```ts
 * mt.sort(mt.topk(mt.tensor([3, 1, 2, 7, 5]), 2)).toArray(); // [5, 7]
 * ```
 * @group Sorting
 */
export function topk(x: Tensor, k: number, axis: number | null = -1): Tensor {
  if (axis === null) return topk(reshape(x, [-1]), k, 0);
  const ax = axis < 0 ? axis + x.ndim : axis;
  const n = x.shape[ax];
  if (n === undefined) throw new RangeError(`[topk] axis ${axis} is out of range for a tensor with ${x.ndim} axes`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`[topk] k must be an integer in [1, ${n}] for axis ${axis} of size ${n}, got ${k}`);
  // argpartition around n - k puts the k largest last; keep those indices.
  const start = x.shape.map((_, i) => (i === ax ? n - k : 0));
  const idx = slice(argpartition(x, n - k, ax), start, [...x.shape]);
  return takeAlongAxisUnchecked(x, idx, ax);
}
