// Shape ops: views and rearrangements of the same values.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

/**
 * The same values in a new shape; one dimension may be -1 (inferred).
 *
 * @param x - Input tensor.
 * @param shape - The new shape; its size must equal `x.size`.
 * @returns A tensor of shape `shape`.
 * @example
 * ```ts
 * mt.reshape(mt.tensor([1, 2, 3, 4]), [2, -1]).shape; // [2, 2]
 * ```
 * @group Shape
 */
export function reshape(x: Tensor, shape: number[]): Tensor {
  return apply('reshape', [x], native.reshape(x.data, shape));
}

/**
 * Broadcasts `x` to `shape` (NumPy rules).
 *
 * @param x - Input tensor.
 * @param shape - The target shape.
 * @returns A tensor of shape `shape`.
 * @example
 * ```ts
 * mt.broadcastTo(mt.tensor([1, 2]), [3, 2]).shape; // [3, 2]
 * ```
 * @see MLX `broadcast_to`
 * @group Shape
 */
export function broadcastTo(x: Tensor, shape: number[]): Tensor {
  return apply('broadcastTo', [x], native.broadcastTo(x.data, shape));
}
