// Shape ops: views and rearrangements of the same values. Their rules are in
// src/autograd/grads/shape.ts. flatten, expandDims and squeeze run MLX's own
// op (and its checks) but are recorded as the reshape they are; swapaxes and
// moveaxis likewise as a transpose.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

/** `axis` counted from the front of `ndim` axes (MLX has already checked its range). */
const normalize = (axis: number, ndim: number): number => (axis < 0 ? axis + ndim : axis);

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
 * Merges the axes from `startAxis` to `endAxis` (both included) into one.
 *
 * @param x - Input tensor.
 * @param startAxis - First axis to merge (default 0).
 * @param endAxis - Last axis to merge (default -1, the last).
 * @returns A tensor with those axes merged; a 0-d tensor becomes 1-d.
 * @example
 * ```ts
 * mt.flatten(mt.zeros([2, 3, 4]), 1).shape; // [2, 12]
 * ```
 * @group Shape
 */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  return apply('reshape', [x], native.flatten(x.data, startAxis, endAxis));
}

/**
 * Permutes the axes: axis `i` of the result is axis `axes[i]` of `x`.
 *
 * @param x - Input tensor.
 * @param axes - A permutation of the axes (default: reversed).
 * @returns The permuted tensor.
 * @example
 * ```ts
 * mt.transpose(mt.tensor([[1, 2, 3]])).toArray(); // [[1], [2], [3]]
 * ```
 * @group Shape
 */
export function transpose(x: Tensor, axes?: number[]): Tensor {
  const out = native.transpose(x.data, axes ?? null);
  const nd = x.ndim;
  const perm = axes ? axes.map((a) => normalize(a, nd)) : [...Array(nd).keys()].reverse();
  return apply('transpose', [x], out, { axes: perm });
}

/**
 * Swaps two axes.
 *
 * @param x - Input tensor.
 * @param axis1 - One axis.
 * @param axis2 - The other axis.
 * @returns The tensor with the two axes swapped.
 * @example
 * ```ts
 * mt.swapaxes(mt.zeros([2, 3, 4]), 0, -1).shape; // [4, 3, 2]
 * ```
 * @group Shape
 */
export function swapaxes(x: Tensor, axis1: number, axis2: number): Tensor {
  const out = native.swapaxes(x.data, axis1, axis2);
  const perm = [...Array(x.ndim).keys()];
  const [a, b] = [normalize(axis1, x.ndim), normalize(axis2, x.ndim)];
  [perm[a], perm[b]] = [b, a];
  return apply('transpose', [x], out, { axes: perm });
}

/**
 * Moves one axis to a new position, keeping the order of the others.
 *
 * @param x - Input tensor.
 * @param source - The axis to move.
 * @param destination - Where it ends up.
 * @returns The tensor with the axis moved.
 * @example
 * ```ts
 * mt.moveaxis(mt.zeros([2, 3, 4]), 0, -1).shape; // [3, 4, 2]
 * ```
 * @group Shape
 */
export function moveaxis(x: Tensor, source: number, destination: number): Tensor {
  const out = native.moveaxis(x.data, source, destination);
  const src = normalize(source, x.ndim);
  const perm = [...Array(x.ndim).keys()].filter((a) => a !== src);
  perm.splice(normalize(destination, x.ndim), 0, src);
  return apply('transpose', [x], out, { axes: perm });
}

/**
 * Inserts axes of size 1.
 *
 * @param x - Input tensor.
 * @param axes - Where the new axes are in the result: one axis or a list.
 * @returns A tensor with `x.ndim + axes.length` axes.
 * @example
 * ```ts
 * mt.expandDims(mt.zeros([2, 3]), [0, -1]).shape; // [1, 2, 3, 1]
 * ```
 * @see MLX `expand_dims`
 * @group Shape
 */
export function expandDims(x: Tensor, axes: number | number[]): Tensor {
  return apply('reshape', [x], native.expandDims(x.data, axes));
}

/**
 * Removes axes of size 1.
 *
 * @param x - Input tensor.
 * @param axes - The axes to remove, each of size 1 (default: every size-1 axis).
 * @returns The tensor without those axes.
 * @example
 * ```ts
 * mt.squeeze(mt.zeros([1, 2, 1])).shape; // [2]
 * ```
 * @group Shape
 */
export function squeeze(x: Tensor, axes?: number | number[]): Tensor {
  return apply('reshape', [x], native.squeeze(x.data, axes ?? null));
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

/**
 * Joins tensors along an existing axis; all other axes must match.
 *
 * @param xs - The tensors, at least one.
 * @param axis - The axis to join along (default 0).
 * @returns The joined tensor.
 * @example
 * ```ts
 * mt.concatenate([mt.tensor([1, 2]), mt.tensor([3])]).toArray(); // [1, 2, 3]
 * ```
 * @group Shape
 */
export function concatenate(xs: Tensor[], axis = 0): Tensor {
  return apply('concatenate', xs, native.concatenate(xs.map((x) => x.data), axis), { axis });
}

/**
 * Joins tensors of the same shape along a new axis.
 *
 * @param xs - The tensors, at least one, all of one shape.
 * @param axis - Where the new axis is in the result (default 0).
 * @returns A tensor with one more axis, of size `xs.length`.
 * @example
 * ```ts
 * mt.stack([mt.tensor([1, 2]), mt.tensor([3, 4])], 1).toArray(); // [[1, 3], [2, 4]]
 * ```
 * @group Shape
 */
export function stack(xs: Tensor[], axis = 0): Tensor {
  return apply('stack', xs, native.stack(xs.map((x) => x.data), axis), { axis });
}

/**
 * Splits a tensor along an axis, into equal sections or at given indices
 * (NumPy's `array_split` indices: negative ones count from the end, those
 * past the end clamp, and out-of-order ones give empty pieces).
 *
 * Each piece is recorded as its own op, whose gradient is zero-padded back to
 * `x`'s shape; the pieces' gradients then add up in `x`.
 *
 * @param x - Input tensor.
 * @param indicesOrSections - A number of equal sections that divides the axis, or the indices to split at.
 * @param axis - The axis to split (default 0).
 * @returns The pieces, in order.
 * @example
 * ```ts
 * mt.split(mt.tensor([1, 2, 3, 4, 5]), [2]).map((p) => p.toArray()); // [[1, 2], [3, 4, 5]]
 * ```
 * @group Shape
 */
export function split(x: Tensor, indicesOrSections: number | number[], axis = 0): Tensor[] {
  const parts = native.split(x.data, indicesOrSections, axis);
  const ax = normalize(axis, x.ndim);
  const n = x.shape[ax]!;
  // Where each piece starts along the axis, normalized as MLX's slice does.
  const starts = typeof indicesOrSections === 'number'
    ? parts.map((_, k) => (k * n) / indicesOrSections)
    : [0, ...indicesOrSections].map((i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n));
  return parts.map((p, k) => apply('split', [x], p, { axis: ax, start: starts[k] }));
}

/**
 * Repeats each element `repeats` times along an axis (of the flattened
 * tensor when `axis` is omitted).
 *
 * @param x - Input tensor.
 * @param repeats - How often each element is repeated (non-negative).
 * @param axis - The axis to repeat along (default: flatten first).
 * @returns The tensor with elements repeated.
 * @example
 * ```ts
 * mt.repeat(mt.tensor([1, 2]), 2).toArray(); // [1, 1, 2, 2]
 * ```
 * @group Shape
 */
export function repeat(x: Tensor, repeats: number, axis?: number): Tensor {
  const out = native.repeat(x.data, repeats, axis ?? null);
  return apply('repeat', [x], out, { repeats, axis: axis === undefined ? undefined : normalize(axis, x.ndim) });
}

/**
 * Repeats the whole tensor `reps[i]` times along each axis `i` (NumPy's
 * tile: the shorter of `reps` and `x.shape` is padded with leading 1s).
 *
 * @param x - Input tensor.
 * @param reps - Repetitions per axis (non-negative), or one number for the last axis.
 * @returns The tiled tensor.
 * @example
 * ```ts
 * mt.tile(mt.tensor([1, 2]), [2, 2]).toArray(); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 * @group Shape
 */
export function tile(x: Tensor, reps: number | number[]): Tensor {
  return apply('tile', [x], native.tile(x.data, reps), { reps: typeof reps === 'number' ? [reps] : reps });
}

/** How {@link pad} fills the border: with `constantValues`, or with copies of the edge values. */
export type PadMode = 'constant' | 'edge';

/**
 * Pads a tensor on both sides of each axis.
 *
 * @param x - Input tensor.
 * @param padWidth - `p` (every side of every axis), `[low, high]` (every axis), or one `[low, high]` per axis.
 * @param mode - `'constant'` fills with `constantValues`; `'edge'` repeats each axis's first and last values.
 * @param constantValues - The fill value in constant mode (default 0).
 * @returns The padded tensor.
 * @example
 * ```ts
 * mt.pad(mt.tensor([1, 2]), [1, 2]).toArray();         // [0, 1, 2, 0, 0]
 * mt.pad(mt.tensor([1, 2]), 1, 'edge').toArray();      // [1, 1, 2, 2]
 * ```
 * @group Shape
 */
export function pad(x: Tensor, padWidth: number | [number, number] | [number, number][], mode: PadMode = 'constant', constantValues = 0): Tensor {
  const pairs = padPairs(padWidth, x.ndim);
  if (mode !== 'constant' && mode !== 'edge') {
    throw new TypeError(`[pad] mode must be 'constant' or 'edge', got ${JSON.stringify(mode)}`);
  }
  const low = pairs.map((p) => p[0]);
  const high = pairs.map((p) => p[1]);
  return apply('pad', [x], native.pad(x.data, low, high, mode, constantValues), { low, high, mode });
}

/** One [low, high] pair per axis from pad's three forms (MLX checks the count and the signs). */
function padPairs(w: unknown, ndim: number): number[][] {
  const bad = (): never => {
    throw new TypeError(`[pad] padWidth must be an integer, a [low, high] pair, or one [low, high] pair per axis; got ${JSON.stringify(w)}`);
  };
  if (typeof w === 'number') return Array.from({ length: ndim }, () => [w, w]);
  if (!Array.isArray(w)) return bad();
  if (w.length === 2 && w.every((v) => typeof v === 'number')) return Array.from({ length: ndim }, () => w as number[]);
  if (!w.every((p) => Array.isArray(p) && p.length === 2)) return bad();
  return w as number[][]; // the native converter checks that each is an integer
}

/**
 * Rolls elements along axes: what leaves one end comes back at the other.
 * Without `axes` the tensor is rolled as if flat.
 *
 * @param x - Input tensor.
 * @param shift - How far to roll: one number for every axis, or one per axis.
 * @param axes - The axes to roll (default: the flattened tensor).
 * @returns The rolled tensor.
 * @example
 * ```ts
 * mt.roll(mt.tensor([1, 2, 3, 4]), 1).toArray(); // [4, 1, 2, 3]
 * ```
 * @group Shape
 */
export function roll(x: Tensor, shift: number | number[], axes?: number | number[]): Tensor {
  const axisList = axes === undefined ? null : typeof axes === 'number' ? [axes] : axes;
  const shifts = typeof shift !== 'number' ? shift : axisList ? axisList.map(() => shift) : [shift];
  return apply('roll', [x], native.roll(x.data, shifts, axisList), { shift: shifts, axes: axisList });
}
