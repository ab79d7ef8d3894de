// Collectives. Their gradients are those of the sum of every rank's loss: a
// rank's input reaches every rank's output, so the cotangents of all ranks
// flow back to it, summed by a collective. Each rank runs the same backward
// pass, so the collectives here pair up across ranks like the forward ones.
import { allGather, allSum } from '../../distributed/ops.js';
import type { Group } from '../../distributed/group.js';
import { astype, divide, equal, reshape, slice, where } from '../../tensor/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GradTable } from './rule.js';

/** allMax/allMin: the summed cotangent goes to the ranks holding the extreme, split equally among ties. */
function extremeGrad(dy: Tensor, x: Tensor, out: Tensor, group: Group): Tensor {
  const mask = equal(x, out);
  const ties = allSum(astype(mask, dy.dtype), group); // >= 1 wherever this rank's mask is set
  return where(mask, divide(allSum(dy, group), ties), 0);
}

export const distributedGrads = {
  allSum: (dy, { attrs: { group } }) => [allSum(dy, group)],
  // The block this rank contributed, of the cotangents summed over ranks (a
  // sumScatter, written with allSum because the ring backend lacks sum_scatter).
  allGather: (dy, { inputs: [x], attrs: { group } }) => {
    const n = x!.ndim === 0 ? 1 : x!.shape[0]!;
    const start = dy.shape.map((_, i) => (i === 0 ? group.rank * n : 0));
    const stop = dy.shape.map((d, i) => (i === 0 ? (group.rank + 1) * n : d));
    return [reshape(slice(allSum(dy, group), start, stop), [...x!.shape])];
  },
  allMax: (dy, { inputs: [x], out, attrs: { group } }) => [extremeGrad(dy, x!, out, group)],
  allMin: (dy, { inputs: [x], out, attrs: { group } }) => [extremeGrad(dy, x!, out, group)],
  // Rank r's output block is the sum of every rank's block r: each input gets all the blocks' cotangents.
  sumScatter: (dy, { attrs: { group } }) => [allGather(dy, group)],
} satisfies GradTable;
