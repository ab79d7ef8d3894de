import { sameDims, type Tensor } from '../tensor/tensor.js';
import { reshape, sum } from '../tensor/ops/index.js';

/**
 * Sums `g` over the axes that broadcasting added or stretched, so that it has
 * `shape` again: the one place where broadcasting is undone.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (sameDims(gs, shape)) return g;
  const lead = gs.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gs[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return g;
  // Only leading axes (a bias's gradient): summing them away leaves `shape`.
  if (axes.length === lead) return sum(g, axes);
  return reshape(sum(g, axes, true), [...shape]);
}
