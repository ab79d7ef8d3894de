// Rules for shape ops: move the cotangent back into the input's layout.
// Everything here is linear, so `inputs` serve only for their shapes.
import { add, pad, reshape, roll, slice, split, sum, transpose } from '../../tensor/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GradTable } from './rule.js';

/** Zero (low, high) pairs for every axis of `t` but `axis`. */
function widthsAt(t: Tensor, axis: number, low: number, high: number): [number, number][] {
  return t.shape.map((_, i) => (i === axis ? [low, high] : [0, 0]));
}

/** Where each of `xs` starts along `axis` of their concatenation. */
function offsets(xs: Tensor[], axis: number): number[] {
  const out: number[] = [];
  let at = 0;
  for (const x of xs.slice(0, -1)) out.push((at += x.shape[axis]!));
  return out;
}

export const shapeGrads = {
  // flatten, expandDims and squeeze are recorded as reshape too.
  reshape: (dy, { inputs: [x] }) => [reshape(dy, [...x!.shape])],
  broadcastTo: (dy) => [dy], // the engine's sumToShape undoes the broadcast
  // swapaxes and moveaxis are recorded as transpose with their permutation.
  transpose: (dy, { attrs: { axes } }) => {
    const inverse: number[] = [];
    (axes as number[]).forEach((a, i) => (inverse[a] = i));
    return [transpose(dy, inverse)];
  },
  concatenate: (dy, { inputs, attrs: { axis } }) => {
    const ax = axis < 0 ? axis + dy.ndim : axis;
    return split(dy, offsets(inputs, ax), ax);
  },
  stack: (dy, { inputs, attrs: { axis } }) => split(dy, inputs.length, axis).map((g, i) => reshape(g, [...inputs[i]!.shape])),
  // One piece of a split: zeros where the other pieces were.
  split: (dy, { inputs: [x], attrs: { axis, start } }) =>
    [pad(dy, widthsAt(dy, axis, start, x!.shape[axis]! - start - dy.shape[axis]!))],
  // Constant mode: the middle of dy. Edge mode, axis by axis: the padding
  // also repeated x's first and last values, so its sums flow back there
  // (axis by axis, the corners reach the corner values of x).
  pad: (dy, { inputs: [x], attrs: { low, high, mode } }) => {
    if (mode === 'constant') return [slice(dy, low, x!.shape.map((n, a) => low[a] + n))];
    let g = dy;
    x!.shape.forEach((n, a) => {
      const [lo, hi] = [low[a] as number, high[a] as number];
      if (lo === 0 && hi === 0) return;
      const [before, middle, after] = split(g, [lo, lo + n], a) as [Tensor, Tensor, Tensor];
      g = middle;
      if (n > 0) {
        const first = pad(sum(before, a, true), widthsAt(g, a, 0, n - 1));
        const last = pad(sum(after, a, true), widthsAt(g, a, n - 1, 0));
        g = add(g, add(first, last));
      }
    });
    return [g];
  },
  roll: (dy, { attrs: { shift, axes } }) => [roll(dy, (shift as number[]).map((s) => -s), axes ?? undefined)],
  // Each element was copied `repeats` times side by side: sum the copies.
  repeat: (dy, { inputs: [x], attrs: { repeats, axis } }) => {
    if (axis === undefined) return [reshape(sum(reshape(dy, [x!.size, repeats]), 1), [...x!.shape])];
    const s = [...x!.shape];
    s.splice(axis + 1, 0, repeats);
    return [sum(reshape(dy, s), axis + 1)];
  },
  // Each axis of the output is (copy, position): sum over the copies.
  tile: (dy, { inputs: [x], attrs: { reps } }) => {
    const nd = Math.max(x!.ndim, reps.length);
    const s = [...Array(nd - x!.ndim).fill(1), ...x!.shape];
    const r = [...Array(nd - reps.length).fill(1), ...reps];
    const g = reshape(dy, s.flatMap((d, i) => [r[i], d]));
    return [reshape(sum(g, s.map((_, i) => 2 * i)), [...x!.shape])];
  },
} satisfies GradTable;
