// Reductions over axes and scans along one axis.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

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
export function sum(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  return apply('sum', [x], native.sum(x.data, axes ?? null, keepDims), { axes, keepDims });
}
