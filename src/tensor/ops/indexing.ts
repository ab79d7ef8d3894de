// Indexing ops: slices, gathers, scatters, flips and strided views. Their
// rules are in src/autograd/grads/indexing.ts.
//
// MLX does not bounds-check gather/scatter indices (an index out of range
// reads garbage or writes past the buffer), so the public functions here
// check the index dtype and range first. That check evaluates the indices.
// Gradient rules and the sorting ops, whose indices are in range by
// construction, use the `*Unchecked` forms, which ops/index.ts keeps private.
// Inside a compiled function's trace, the check is deferred to every call
// (tensor/trace.ts).
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import { sameDims, type Tensor } from '../tensor.js';
import { currentTrace, type Trace } from '../trace.js';
import { broadcastTo, reshape } from './shape.js';

const INTEGER = new Set(['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64']);
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
/** MLX's gather/scatter take no negative axes: count them from the end here (bad ones are left to MLX). */
const axesOf = (x: Tensor, axes: number | number[]): number[] => list(axes).map((a) => (a < 0 && a >= -x.ndim ? a + x.ndim : a));
const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;

/** The size of `x`'s axis `axis` (negative counts from the end), or undefined when there is no such axis. */
function axisSize(x: Tensor, axis: number): number | undefined {
  return x.shape[axis < 0 ? axis + x.ndim : axis];
}

/** An index array's smallest value and its largest non-negative and negative ones (±Infinity when there are none). */
interface IndexRange { min: number; maxNonNegative: number; maxNegative: number }

// Each index tensor's range, read once: a tensor never changes, and reading
// it again costs a device-to-host copy on a GPU (a training loop that reuses
// its labels would pay it every step).
const indexRanges = new WeakMap<Tensor, IndexRange>();

function indexRange(idx: Tensor): IndexRange {
  let range = indexRanges.get(idx);
  if (!range) {
    range = { min: Infinity, maxNonNegative: -Infinity, maxNegative: -Infinity };
    for (const v of idx.toTypedArray()) {
      const k = Number(v);
      range.min = Math.min(range.min, k);
      if (k < 0) range.maxNegative = Math.max(range.maxNegative, k);
      else range.maxNonNegative = Math.max(range.maxNonNegative, k);
    }
    indexRanges.set(idx, range);
  }
  return range;
}

/**
 * Throws unless `idx` has an integer dtype and every index lies in
 * [-size, size), leaving room for a slice of `extent` elements from it.
 * Evaluates `idx` (once per array). An undefined size (a bad axis) is left to MLX's own error.
 */
export function checkIndices(op: string, idx: Tensor, size: number | undefined, what: string, extent = 1): void {
  if (!INTEGER.has(idx.dtype)) throw new TypeError(`[${op}] indices must have an integer dtype, got ${idx.dtype}`);
  if (size === undefined) return;
  const trace = currentTrace();
  if (trace) return deferCheck(trace, op, idx, size, what, extent);
  const { min, maxNonNegative, maxNegative } = indexRange(idx);
  if (min >= -size && maxNonNegative + extent <= size && maxNegative + extent <= 0) return;
  // Out of range: find the first bad index for the message.
  for (const v of idx.toTypedArray()) {
    const k = Number(v);
    if (k < -size || (k < 0 ? k + size : k) + extent > size) {
      const slice = extent === 1 ? '' : ` with slice size ${extent}`;
      throw new RangeError(`[${op}] index ${k}${slice} is out of range for ${what} of size ${size}`);
    }
  }
}

/** Inside a compiled function's trace: the check runs on each call, on the argument the indices are. */
function deferCheck(trace: Trace, op: string, idx: Tensor, size: number, what: string, extent: number): void {
  const input = trace.inputs.get(idx);
  if (input === undefined || trace.shapeless) {
    throw new TypeError(`[${op}] inside mt.compile, indices are checked against their range on every call, so they must be ` +
      `an argument of the compiled function${trace.shapeless ? ', compiled without shapeless' : ''} (these are computed inside it)`);
  }
  trace.checks.push({ input, op, size, what, extent });
}

/**
 * Checks each index array against the axis it indexes and the slice taken
 * there (MLX reports count mismatches and bad axes itself).
 */
function checkIndexList(op: string, x: Tensor, indices: Tensor[], axes: number[], sliceSizes?: readonly number[]): void {
  indices.forEach((idx, i) => {
    const a = axes[i], size = a === undefined ? undefined : axisSize(x, a);
    const extent = a === undefined || !sliceSizes ? 1 : sliceSizes[a < 0 ? a + x.ndim : a] ?? 1;
    checkIndices(op, idx, size, `axis ${a}`, Math.max(1, extent));
  });
}

/** The NumPy broadcast of several shapes, or null when they don't broadcast. */
function broadcastShapes(shapes: (readonly number[])[]): number[] | null {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out = Array<number>(n).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = n - s.length + i, d = s[i]!;
      if (d !== 1 && out[j] !== 1 && out[j] !== d) return null;
      if (d !== 1) out[j] = d;
    }
  }
  return out;
}

/**
 * MLX wants scatter updates of shape `indexShape + sliceShape`, where the
 * slice has one entry per axis of `x` (size 1 on the indexed axes). We also
 * take the natural shape `indexShape + (x's non-indexed axes)` and anything
 * that broadcasts to it, and reshape it into MLX's layout.
 */
function scatterUpdates(op: string, x: Tensor, indices: Tensor[], updates: Tensor, axes: number[]): Tensor {
  const nd = x.ndim;
  const ax = axes.map((a) => (a < 0 ? a + nd : a));
  const b = broadcastShapes(indices.map((i) => i.shape));
  // Bad axes, counts or index shapes: MLX names them in its own error.
  if (!b || indices.length !== axes.length || ax.some((a) => a < 0 || a >= nd)) return updates;
  if (updates.ndim === b.length + nd) return updates;
  const natural = [...b, ...x.shape.filter((_, i) => !ax.includes(i))];
  const full = [...b, ...x.shape.map((d, i) => (ax.includes(i) ? 1 : d))];
  const fits = broadcastShapes([updates.shape, natural]);
  if (!fits || !sameDims(fits, natural)) {
    throw new RangeError(`[${op}] updates of shape ${fmt(updates.shape)} fit neither ${fmt(natural)} (the indices' shape, then the axes of x that are not indexed) nor ${fmt(full)} (MLX's layout)`);
  }
  return reshape(sameDims(updates.shape, natural) ? updates : broadcastTo(updates, natural), full);
}

/** The slice shape of scatter updates in MLX's layout, or undefined when they are not (MLX reports it). */
function scatterSliceSizes(x: Tensor, indices: Tensor[], updates: Tensor): number[] | undefined {
  const b = broadcastShapes(indices.map((i) => i.shape));
  const ok = b && updates.ndim === b.length + x.ndim && sameDims(updates.shape.slice(0, b.length), b);
  return ok ? updates.shape.slice(b.length) : undefined;
}

/**
 * Slices `x`: along axis i, elements `start[i]`, `start[i] + strides[i]`, ...
 * up to but excluding `stop[i]` (Python slice rules: negative bounds count
 * from the end and are clipped; a negative stride walks backwards).
 *
 * @param x - Input tensor.
 * @param start - The first index on every axis.
 * @param stop - The end (exclusive) on every axis.
 * @param strides - The step on every axis (default 1; never 0).
 * @returns The slice.
 * @example
 * ```ts
 * const x = mt.tensor([1, 2, 3, 4]);
 * mt.slice(x, [1], [3]).toArray();         // [2, 3]
 * mt.slice(x, [0], [4], [2]).toArray();    // [1, 3]
 * ```
 * @group Indexing
 */
export function slice(x: Tensor, start: number[], stop: number[], strides?: number[]): Tensor {
  return apply('slice', [x], native.slice(x.data, start, stop, strides ?? null), { start, stop, strides });
}

/**
 * A copy of `x` with the slice `start:stop:strides` replaced by `update`
 * (broadcast to the slice's shape).
 *
 * @param x - The tensor to update (it is not modified).
 * @param update - The new values of the slice.
 * @param start - The first index on every axis.
 * @param stop - The end (exclusive) on every axis.
 * @param strides - The step on every axis (default 1; never 0).
 * @returns The updated copy.
 * @example
 * ```ts
 * mt.sliceUpdate(mt.zeros([4]), mt.tensor([7, 8]), [1], [3]).toArray(); // [0, 7, 8, 0]
 * ```
 * @see MLX `slice_update`
 * @group Indexing
 */
export function sliceUpdate(x: Tensor, update: Tensor, start: number[], stop: number[], strides?: number[]): Tensor {
  return apply('sliceUpdate', [x, update], native.sliceUpdate(x.data, update.data, start, stop, strides ?? null), { start, stop, strides });
}

/**
 * A copy of `x` with `updates` written at the positions that `indices` pick:
 * `indices[i]` indexes axis `axes[i]`, the index arrays broadcast together,
 * and each picked position receives a slice of `updates`. `updates` has the
 * index shape followed by either x's non-indexed axes (the natural shape,
 * broadcast if needed) or one slice size per axis of x (MLX's layout, size 1
 * on indexed axes). Indices are checked (this evaluates them). Where an index
 * repeats, which update lands is unspecified (on the CPU the last one); the
 * gradient reaches every repeated update, as MLX's own vjp does.
 *
 * @param x - The tensor to update (it is not modified).
 * @param indices - One integer index array per axis in `axes`.
 * @param updates - The values to write.
 * @param axes - The axes that `indices` index.
 * @returns The updated copy.
 * @example
 * ```ts
 * mt.scatter(mt.zeros([4]), [mt.tensor([3, 0], 'int32')], mt.tensor([5, 6]), [0]).toArray(); // [6, 0, 0, 5]
 * ```
 * @group Indexing
 */
export function scatter(x: Tensor, indices: Tensor | Tensor[], updates: Tensor, axes: number | number[]): Tensor {
  const idx = list(indices), ax = axesOf(x, axes);
  const u = scatterUpdates('scatter', x, idx, updates, ax);
  checkIndexList('scatter', x, idx, ax, scatterSliceSizes(x, idx, u));
  return scatterUnchecked(x, idx, u, ax);
}

/**
 * Like {@link scatter}, but adds `updates` at the picked positions, so
 * repeated indices accumulate. Indices are checked (this evaluates them).
 *
 * @param x - The tensor to add into (it is not modified).
 * @param indices - One integer index array per axis in `axes`.
 * @param updates - The values to add (natural shape or MLX's layout, see {@link scatter}).
 * @param axes - The axes that `indices` index.
 * @returns `x` plus the scattered updates.
 * @example
 * ```ts
 * mt.scatterAdd(mt.zeros([4]), [mt.tensor([0, 2], 'int32')], mt.tensor([10, 30]), [0]).toArray(); // [10, 0, 30, 0]
 * ```
 * @see MLX `scatter_add`
 * @group Indexing
 */
export function scatterAdd(x: Tensor, indices: Tensor | Tensor[], updates: Tensor, axes: number | number[]): Tensor {
  const idx = list(indices), ax = axesOf(x, axes);
  const u = scatterUpdates('scatterAdd', x, idx, updates, ax);
  checkIndexList('scatterAdd', x, idx, ax, scatterSliceSizes(x, idx, u));
  return scatterAddUnchecked(x, idx, u, ax);
}

/**
 * Gathers slices of `x`: `indices[i]` indexes axis `axes[i]` (the index
 * arrays broadcast together) and at each picked position a slice of size
 * `sliceSizes` is taken. The result has the index shape followed by
 * `sliceSizes`. Indices are checked, leaving room for the slice (this
 * evaluates them).
 *
 * @param x - Input tensor.
 * @param indices - One integer index array per axis in `axes`.
 * @param axes - The axes that `indices` index.
 * @param sliceSizes - The slice size on every axis of `x`.
 * @returns The gathered slices.
 * @example
 * ```ts
 * const x = mt.tensor([[1, 2], [3, 4]]);
 * mt.gather(x, [mt.tensor([1, 0], 'int32')], [0], [1, 2]).toArray(); // [[[3, 4]], [[1, 2]]]
 * ```
 * @group Indexing
 */
export function gather(x: Tensor, indices: Tensor | Tensor[], axes: number | number[], sliceSizes: number[]): Tensor {
  const idx = list(indices), ax = axesOf(x, axes);
  checkIndexList('gather', x, idx, ax, sliceSizes);
  return gatherUnchecked(x, idx, ax, sliceSizes);
}

/**
 * Takes the entries of `x` at `indices` along `axis` (of the flattened `x`
 * when `axis` is omitted); the index shape replaces that axis. Indices are
 * checked (this evaluates them).
 *
 * @param x - Input tensor.
 * @param indices - Integer indices; negative ones count from the end.
 * @param axis - The axis to index (default: the flattened tensor).
 * @returns The entries picked.
 * @example
 * ```ts
 * mt.take(mt.tensor([[1, 2], [3, 4]]), mt.tensor([1], 'int32'), 1).toArray(); // [[2], [4]]
 * ```
 * @group Indexing
 */
export function take(x: Tensor, indices: Tensor, axis?: number): Tensor {
  if (axis === undefined) {
    checkIndices('take', indices, x.size, 'the flattened input');
    return takeUnchecked(reshape(x, [-1]), indices, 0);
  }
  checkIndices('take', indices, axisSize(x, axis), `axis ${axis}`);
  return takeUnchecked(x, indices, axis);
}

/**
 * Takes, at every position, the entry along `axis` that `indices` names
 * (`out[..., i, ...] = x[..., indices[..., i, ...], ...]`); `indices` and `x`
 * broadcast on the other axes. Indices are checked (this evaluates them).
 *
 * @param x - Input tensor.
 * @param indices - Integer indices with as many axes as `x`.
 * @param axis - The axis to index.
 * @returns A tensor shaped like the broadcast of `indices` and `x` (with `indices`' size on `axis`).
 * @example
 * ```ts
 * mt.takeAlongAxis(mt.tensor([[1, 2], [3, 4]]), mt.tensor([[1], [0]], 'int32'), 1).toArray(); // [[2], [3]]
 * ```
 * @see MLX `take_along_axis`
 * @group Indexing
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  checkIndices('takeAlongAxis', indices, axisSize(x, axis), `axis ${axis}`);
  return takeAlongAxisUnchecked(x, indices, axis);
}

/**
 * A copy of `x` with `values` written along `axis` at `indices` (the inverse
 * of {@link takeAlongAxis}); `values` broadcasts to the indices' shape. Where
 * an index repeats, which value lands is unspecified (on the CPU the last
 * one); the gradient reaches every repeated value. Indices are checked (this
 * evaluates them).
 *
 * @param x - The tensor to update (it is not modified).
 * @param indices - Integer indices with as many axes as `x`.
 * @param values - The values to write.
 * @param axis - The axis to index.
 * @returns The updated copy.
 * @example
 * ```ts
 * mt.putAlongAxis(mt.zeros([2, 2]), mt.tensor([[1], [0]], 'int32'), mt.tensor(5), 1).toArray(); // [[0, 5], [5, 0]]
 * ```
 * @see MLX `put_along_axis`
 * @group Indexing
 */
export function putAlongAxis(x: Tensor, indices: Tensor, values: Tensor, axis: number): Tensor {
  checkIndices('putAlongAxis', indices, axisSize(x, axis), `axis ${axis}`);
  return putAlongAxisUnchecked(x, indices, values, axis);
}

/**
 * Like {@link putAlongAxis}, but adds `values` at `indices`, so repeated
 * indices accumulate. Indices are checked (this evaluates them).
 *
 * @param x - The tensor to add into (it is not modified).
 * @param indices - Integer indices with as many axes as `x`.
 * @param values - The values to add.
 * @param axis - The axis to index.
 * @returns `x` plus the scattered values.
 * @example
 * ```ts
 * mt.scatterAddAxis(mt.zeros([3]), mt.tensor([1, 1], 'int32'), mt.tensor([2, 3]), 0).toArray(); // [0, 5, 0]
 * ```
 * @see MLX `scatter_add_axis`
 * @group Indexing
 */
export function scatterAddAxis(x: Tensor, indices: Tensor, values: Tensor, axis: number): Tensor {
  checkIndices('scatterAddAxis', indices, axisSize(x, axis), `axis ${axis}`);
  return scatterAddAxisUnchecked(x, indices, values, axis);
}

/**
 * Reverses the order of the elements along `axes` (all axes when omitted).
 *
 * @param x - Input tensor.
 * @param axes - An axis or a list of axes.
 * @returns The flipped tensor.
 * @example
 * ```ts
 * mt.flip(mt.tensor([1, 2, 3, 4]), [0]).toArray(); // [4, 3, 2, 1]
 * ```
 * @group Indexing
 */
export function flip(x: Tensor, axes?: number | number[]): Tensor {
  return apply('flip', [x], native.flip(x.data, axes ?? null), { axes });
}

/**
 * A view of `x`'s elements (in row-major order) with the given shape and
 * element strides, starting at element `offset`. The view must stay inside
 * `x` (checked). Overlapping views are allowed; their gradient adds up.
 *
 * @param x - Input tensor.
 * @param shape - The view's shape.
 * @param strides - The step, in elements, along each axis of the view.
 * @param offset - The element where the view starts (default 0).
 * @returns The strided view (a new tensor).
 * @example
 * ```ts
 * mt.asStrided(mt.tensor([1, 2, 3, 4]), [3, 2], [1, 1]).toArray(); // [[1, 2], [2, 3], [3, 4]]
 * ```
 * @see MLX `as_strided`
 * @group Indexing
 */
export function asStrided(x: Tensor, shape: number[], strides: number[], offset = 0): Tensor {
  return apply('asStrided', [x], native.asStrided(x.data, shape, strides, offset), { shape, strides, offset });
}

// ---- unchecked forms: for gradient rules and ops whose indices are in range by construction ----

/** {@link scatter} without the index check or the updates reshape. */
export function scatterUnchecked(x: Tensor, indices: Tensor[], updates: Tensor, axes: number[]): Tensor {
  return apply('scatter', [x, ...indices, updates], native.scatter(x.data, indices.map((i) => i.data), updates.data, axes), { axes });
}

/** {@link scatterAdd} without the index check or the updates reshape. */
export function scatterAddUnchecked(x: Tensor, indices: Tensor[], updates: Tensor, axes: number[]): Tensor {
  return apply('scatterAdd', [x, ...indices, updates], native.scatterAdd(x.data, indices.map((i) => i.data), updates.data, axes), { axes });
}

/** {@link gather} without the index check. */
export function gatherUnchecked(x: Tensor, indices: Tensor[], axes: number[], sliceSizes: number[]): Tensor {
  return apply('gather', [x, ...indices], native.gather(x.data, indices.map((i) => i.data), axes, sliceSizes), { axes, sliceSizes });
}

/** {@link take} along an axis, without the index check. */
export function takeUnchecked(x: Tensor, indices: Tensor, axis: number): Tensor {
  return apply('take', [x, indices], native.take(x.data, indices.data, axis), { axis });
}

/** {@link takeAlongAxis} without the index check. */
export function takeAlongAxisUnchecked(x: Tensor, indices: Tensor, axis: number): Tensor {
  return apply('takeAlongAxis', [x, indices], native.takeAlongAxis(x.data, indices.data, axis), { axis });
}

/** {@link putAlongAxis} without the index check. */
export function putAlongAxisUnchecked(x: Tensor, indices: Tensor, values: Tensor, axis: number): Tensor {
  return apply('putAlongAxis', [x, indices, values], native.putAlongAxis(x.data, indices.data, values.data, axis), { axis });
}

/** {@link scatterAddAxis} without the index check. */
export function scatterAddAxisUnchecked(x: Tensor, indices: Tensor, values: Tensor, axis: number): Tensor {
  return apply('scatterAddAxis', [x, indices, values], native.scatterAddAxis(x.data, indices.data, values.data, axis), { axis });
}
