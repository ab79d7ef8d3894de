// Rules for reductions: spread the cotangent back over the reduced axes.
import { broadcastTo, reshape } from '../../tensor/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GradTable } from './rule.js';

/** `dy` with the reduced axes put back as size 1, so it broadcasts against `x`. */
export function keepDimsShape(x: Tensor, axes: number | number[] | undefined | null): number[] {
  const nd = x.ndim;
  const list = axes === undefined || axes === null ? [...Array(nd).keys()] : Array.isArray(axes) ? axes : [axes];
  const reduced = new Set(list.map((a) => (a < 0 ? a + nd : a)));
  return x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
}

export const reduceGrads = {
  sum: (dy, { inputs: [x], attrs: { axes } }) => [broadcastTo(reshape(dy, keepDimsShape(x!, axes)), [...x!.shape])],
} satisfies GradTable;
