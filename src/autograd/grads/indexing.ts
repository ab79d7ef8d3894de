// Rules for indexing ops: scatter the cotangent back where the values came
// from, as MLX's Slice/Gather/Scatter::vjp do. Index arrays get no gradient.
// Rules use the unchecked ops: the forward pass checked the indices already.
import { broadcastTo, flip, reshape, slice, sliceUpdate, tensor, zeros, zerosLike } from '../../tensor/ops/index.js';
import {
  asStrided, gatherUnchecked, putAlongAxisUnchecked, scatterAddAxisUnchecked, scatterAddUnchecked, scatterUnchecked,
  takeAlongAxisUnchecked,
} from '../../tensor/ops/indexing.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GradTable } from './rule.js';

/** A recorded scatter/gather's inputs: [x, ...indices, updates?]. */
const indexArgs = (inputs: Tensor[], hasUpdates: boolean): Tensor[] => inputs.slice(1, hasUpdates ? -1 : undefined);
const nulls = (n: number): null[] => Array<null>(n).fill(null);

export const indexingGrads = {
  slice: (dy, { inputs: [x], attrs: { start, stop, strides } }) => [sliceUpdate(zerosLike(x!), dy, start, stop, strides)],
  // The old values under the slice are overwritten: they get nothing.
  sliceUpdate: (dy, { inputs: [, u], attrs: { start, stop, strides } }) => [
    sliceUpdate(dy, zerosLike(u!), start, stop, strides),
    slice(dy, start, stop, strides), // the engine sums it back if `update` was broadcast
  ],
  flip: (dy, { attrs: { axes } }) => [flip(dy, axes)],

  // gather's output has MLX's scatter layout (index shape + slice sizes): add it back into zeros.
  gather: (dy, { inputs, attrs: { axes } }) => {
    const idx = indexArgs(inputs, false);
    return [scatterAddUnchecked(zerosLike(inputs[0]!), idx, dy, axes), ...nulls(idx.length)];
  },
  // Overwritten positions of x get nothing; each update gets the cotangent of
  // the position it was written to. With repeated indices every repeated
  // update gets it (MLX's Scatter::vjp does the same), though only one landed.
  scatter: (dy, { inputs, attrs: { axes } }) => {
    const x = inputs[0]!, u = inputs[inputs.length - 1]!, idx = indexArgs(inputs, true);
    return [
      scatterUnchecked(dy, idx, zerosLike(u), axes),
      ...nulls(idx.length),
      gatherUnchecked(dy, idx, axes, u.shape.slice(u.ndim - x.ndim)),
    ];
  },
  scatterAdd: (dy, { inputs, attrs: { axes } }) => {
    const x = inputs[0]!, u = inputs[inputs.length - 1]!, idx = indexArgs(inputs, true);
    return [dy, ...nulls(idx.length), gatherUnchecked(dy, idx, axes, u.shape.slice(u.ndim - x.ndim))];
  },

  // take puts the index shape in place of `axis`: flatten it to one axis of
  // size k, broadcast the indices over the other axes and add dy back along `axis`.
  take: (dy, { inputs: [x, idx], attrs: { axis } }) => {
    const ax = axis < 0 ? axis + x!.ndim : axis;
    const pre = x!.shape.slice(0, ax), post = x!.shape.slice(ax + 1);
    const full = [...pre, idx!.size, ...post];
    const i = broadcastTo(reshape(idx!, [...pre.map(() => 1), idx!.size, ...post.map(() => 1)]), full);
    return [scatterAddAxisUnchecked(zerosLike(x!), i, reshape(dy, full), ax), null];
  },
  // When x broadcast against the indices, scatterAddAxis broadcasts the zeros
  // likewise and the engine sums the result back to x's shape.
  takeAlongAxis: (dy, { inputs: [x, idx], attrs: { axis } }) => [scatterAddAxisUnchecked(zerosLike(x!), idx!, dy, axis), null],
  putAlongAxis: (dy, { inputs: [, idx], attrs: { axis } }) => [
    putAlongAxisUnchecked(dy, idx!, zeros([], dy.dtype), axis),
    null,
    takeAlongAxisUnchecked(dy, idx!, axis), // every repeated index's value gets the cotangent, as in scatter
  ],
  scatterAddAxis: (dy, { inputs: [, idx], attrs: { axis } }) => [dy, null, takeAlongAxisUnchecked(dy, idx!, axis)],

  // The view's element j came from flat element map[j], where map is the same
  // view of 0..n-1; overlapping views add up (MLX's AsStrided::vjp).
  asStrided: (dy, { inputs: [x], attrs: { shape, strides, offset } }) => {
    const n = x!.size;
    const map = reshape(asStrided(tensor(Int32Array.from({ length: n }, (_, i) => i)), shape, strides, offset), [-1]);
    const flat = scatterAddUnchecked(zeros([n], dy.dtype), [map], reshape(dy, [-1, 1]), [0]);
    return [reshape(flat, [...x!.shape])];
  },
} satisfies GradTable;
