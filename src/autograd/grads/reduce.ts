// Rules for reductions and scans: spread the cotangent back over the reduced
// axes, or run the scan's adjoint (MLX primitives.cpp Reduce/Scan/Softmax::vjp).
import {
  arange, astype, broadcastTo, cummax, cummin, cumprod, cumsum, divide, equal, exp, expandDims, full, greaterEqual, logicalAnd,
  maximum, multiply, notEqual, onesLike, prod, reshape, softmax, subtract, sum, where, zerosLike,
} from '../../tensor/ops/index.js';
import { scatterAddAxisUnchecked } from '../../tensor/ops/indexing.js';
import { native } from '../../tensor/native.js';
import { Tensor } from '../../tensor/tensor.js';
import { isGradEnabled } from '../tape.js';
import type { GradTable } from './rule.js';

type Axes = number | number[] | undefined | null;

/** The reduced axes as sorted non-negative integers (all axes when absent). */
function axisList(x: Tensor, axes: Axes): number[] {
  const nd = x.ndim;
  const list = axes === undefined || axes === null ? [...Array(nd).keys()] : Array.isArray(axes) ? axes : [axes];
  return list.map((a) => (a < 0 ? a + nd : a)).sort((a, b) => a - b);
}

/** `dy` with the reduced axes put back as size 1, so it broadcasts against `x`. */
export function keepDimsShape(x: Tensor, axes: Axes): number[] {
  const reduced = new Set(axisList(x, axes));
  return x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
}

/**
 * For each element, the product of the other elements of its reduction block,
 * with no division (so exact at zeros): along one axis, the exclusive
 * products from both ends; over axes [a, ...rest], the other rows' products
 * along `a` times the element's exclusive product within its own row.
 */
function othersProduct(x: Tensor, axes: number[]): Tensor {
  if (axes.length === 0) return onesLike(x);
  const [a, ...rest] = axes as [number, ...number[]];
  const rows = rest.length ? prod(x, rest, true) : x;
  const along = multiply(cumprod(rows, a, { inclusive: false }), cumprod(rows, a, { reverse: true, inclusive: false }));
  return rest.length ? multiply(along, othersProduct(x, rest)) : along;
}

export const reduceGrads = {
  sum: (dy, { inputs: [x], attrs: { axes } }) => [broadcastTo(reshape(dy, keepDimsShape(x!, axes)), [...x!.shape])],
  prod: (dy, { inputs: [x], attrs: { axes } }) => [multiply(reshape(dy, keepDimsShape(x!, axes)), othersProduct(x!, axisList(x!, axes)))],
  // Ties split the gradient equally among the elements equal to the extreme, as MLX's Reduce::vjp does.
  max: (dy, { inputs: [x], out, attrs: { axes } }) => [extremeGrad(dy, x!, out, axes)],
  min: (dy, { inputs: [x], out, attrs: { axes } }) => [extremeGrad(dy, x!, out, axes)],
  logsumexp: (dy, { inputs: [x], out, attrs: { axes } }) => {
    const shape = keepDimsShape(x!, axes);
    return [multiply(reshape(dy, shape), exp(subtract(x!, reshape(out, shape))))]; // dy * softmax(x)
  },
  softmax: (dy, { out, attrs: { axes } }) => {
    const g = multiply(dy, out);
    return [subtract(g, multiply(out, sum(g, axes, true)))]; // out * (dy - sum(dy * out))
  },
  // (softmax(logits) − onehot(targets)) · dy: MLX's one-kernel vjp, or, when
  // the gradient is itself recorded, the same in differentiable ops.
  crossEntropyFused: (dy, { inputs: [logits, targets], out }) => {
    if (!isGradEnabled()) return [new Tensor(native.crossEntropyFusedVjp(logits!.data, targets!.data, out.data, dy.data)), null];
    const onehot = equal(expandDims(targets!, -1), arange(logits!.shape.at(-1)!, targets!.dtype));
    return [multiply(subtract(softmax(logits!), astype(onehot, logits!.dtype)), expandDims(dy, -1)), null];
  },
  // The adjoint of a scan is the same scan in the other direction.
  cumsum: (dy, { attrs: { axis, reverse, inclusive } }) => [cumsum(dy, axis, { reverse: !reverse, inclusive })],
  // MLX's zero-safe rule: before the first zero of a scan, the plain
  // sum(dy * out) / x; at the first zero, the same sum with that zero set to
  // 1; after it, 0. Denominators are kept non-zero so no NaN reaches where().
  cumprod: (dy, { inputs: [x], out, attrs: { axis, reverse, inclusive } }) => {
    const back = (p: Tensor): Tensor => cumsum(multiply(p, dy), axis, { reverse: !reverse, inclusive });
    const other = cumprod(x!, axis, { reverse, inclusive: !inclusive });
    const [excl, incl] = inclusive ? [other, out] : [out, other];
    const isZero = equal(incl, 0);
    const firstZero = logicalAnd(isZero, notEqual(excl, 0));
    const withOne = cumprod(where(firstZero, 1, x!), axis, { reverse, inclusive });
    const regular = divide(back(out), where(isZero, 1, x!));
    return [where(firstZero, back(withOne), where(isZero, 0, regular))];
  },
  cummax: (dy, { inputs: [x], attrs }) => [scanExtremeGrad(cummax, dy, x!, attrs as ScanAttrs)],
  cummin: (dy, { inputs: [x], attrs }) => [scanExtremeGrad(cummin, dy, x!, attrs as ScanAttrs)],
} satisfies GradTable;

interface ScanAttrs {
  axis: number;
  reverse: boolean;
  inclusive: boolean;
}

function extremeGrad(dy: Tensor, x: Tensor, out: Tensor, axes: Axes): Tensor {
  const shape = keepDimsShape(x, axes);
  const mask = equal(x, reshape(out, shape));
  return divide(multiply(reshape(dy, shape), mask), sum(mask, axes ?? undefined, true));
}

/**
 * Each output of a cumulative max/min came from one element: scatter `dy`
 * there. Ties go to the element latest in scan order (as MLX's Scan::vjp and
 * PyTorch's cummax do): mark the elements equal to the inclusive running
 * extreme, number the positions in scan order, and carry the latest marked
 * number forward with a running max.
 */
function scanExtremeGrad(scan: typeof cummax, dy: Tensor, x: Tensor, { axis, reverse, inclusive }: ScanAttrs): Tensor {
  const mark = equal(x, scan(x, axis, { reverse }));
  const rank = cumsum(full([...x.shape], 1, 'int32'), axis, { reverse, inclusive: false }); // 0, 1, ... in scan order
  const src = cummax(where(mark, rank, -1), axis, { reverse, inclusive }); // < 0: an exclusive scan's first output
  const s = maximum(src, 0);
  const idx = reverse ? subtract(x.shape.at(axis)! - 1, s) : s;
  return scatterAddAxisUnchecked(zerosLike(x), idx, where(greaterEqual(src, 0), dy, 0), axis);
}
