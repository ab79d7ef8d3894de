// Rules for products and contractions (MLX Matmul/AddMM::vjp). Each is the
// same product again with the cotangent in place of one operand.
import { broadcastTo, einsum, eye, matmul, multiply, ones, reshape, swapaxes, tensordot, transpose } from '../../tensor/ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { wants, type GradTable } from './rule.js';

/**
 * [dy·bᵀ, aᵀ·dy] for `a @ b`. A 1-d operand is a row (a) or column (b) whose
 * axis the output dropped: put it back in `dy`, then drop it from the result.
 * Batch axes that broadcast are summed back by the engine's sumToShape.
 */
function matmulGrads(dy: Tensor, a: Tensor, b: Tensor): [Tensor | null, Tensor | null] {
  let g = dy;
  if (a.ndim === 1 || b.ndim === 1) {
    const shape = [...dy.shape];
    if (b.ndim === 1) shape.push(1);
    if (a.ndim === 1) shape.splice(shape.length - 1, 0, 1);
    g = reshape(dy, shape);
  }
  // A 1-d operand as a matrix, only where the other's gradient needs it.
  const A = a.ndim === 1 && wants(b) ? reshape(a, [1, -1]) : a;
  const B = b.ndim === 1 && wants(a) ? reshape(b, [-1, 1]) : b;
  let da = wants(a) ? matmul(g, swapaxes(B, -1, -2)) : null;
  // b = transpose(W), as in x·Wᵀ written with addmm: take db as (gᵀ·a)ᵀ, so that
  // transpose's rule hands W a contiguous gradient (an update of W with a
  // transposed one runs MLX's slow strided elementwise path).
  let db = !wants(b) ? null
    : b.ndim === 2 && b.node?.op === 'transpose' ? swapaxes(matmul(swapaxes(g, -1, -2), A), -1, -2) : matmul(swapaxes(A, -1, -2), g);
  if (da && a.ndim === 1) da = reshape(da, [...da.shape.slice(0, -2), a.shape[0]!]);
  if (db && b.ndim === 1) db = reshape(db, db.shape.slice(0, -1));
  return [da, db];
}

/** The permutation that undoes `perm` (transpose by it puts axes back). */
const inverse = (perm: number[]): number[] => perm.map((_, i) => perm.indexOf(i));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
/** `t` as a matrix of rows `width` wide. */
const rows = (t: Tensor, width: number): Tensor => (t.ndim === 2 ? t : reshape(t, [-1, width]));

export const linalgGrads = {
  matmul: (dy, { inputs: [a, b] }) => matmulGrads(dy, a!, b!),
  addmm: (dy, { inputs: [c, a, b], attrs: { alpha, beta } }) => {
    const [da, db] = matmulGrads(dy, a!, b!);
    const scale = (t: Tensor | null, k: number): Tensor | null => (t === null || k === 1 ? t : multiply(t, k)); // a multiply by 1 is a full copy
    return [wants(c) ? scale(dy, beta) : null, scale(da, alpha), scale(db, alpha)];
  },
  // out = x·Wᵀ + bias over x's last axis, W [outputs, inputs]: the rows of x
  // and dy taken together for W's gradient, as one matrix each; the bias's is
  // dy, which the engine sums over the leading axes (sumToShape).
  linear: (dy, { inputs: [x, w, bias] }) => {
    const [outputs, inputs] = w!.shape as [number, number];
    return [
      wants(x) ? matmul(dy, w!) : null,
      wants(w) ? matmul(swapaxes(rows(dy, outputs), 0, 1), rows(x!, inputs)) : null,
      ...(bias ? [wants(bias) ? dy : null] : []),
    ];
  },
  // out = [free axes of a..., free axes of b...]. Contracting dy with the
  // other operand's free axes leaves this operand's axes in another order.
  tensordot: (dy, { inputs: [a, b], attrs: { axesA, axesB } }) => {
    const A = axesA as number[], B = axesB as number[];
    const freeA = range(0, a!.ndim).filter((i) => !A.includes(i));
    const freeB = range(0, b!.ndim).filter((i) => !B.includes(i));
    const nA = freeA.length;
    // tensordot leaves the other operand's uncontracted axes in increasing order.
    const byB = [...B.keys()].sort((i, j) => B[i]! - B[j]!);
    const byA = [...A.keys()].sort((i, j) => A[i]! - A[j]!);
    const da = tensordot(dy, b!, [range(nA, dy.ndim), freeB]); // axes: freeA, then A paired with sorted B
    const db = tensordot(a!, dy, [freeA, range(0, nA)]); // axes: B paired with sorted A, then freeB
    return [
      transpose(da, inverse([...freeA, ...byB.map((i) => A[i]!)])),
      transpose(db, inverse([...byA.map((i) => B[i]!), ...freeB])),
    ];
  },
  // The gradient of one operand is the einsum of dy with all the others,
  // written to that operand's letters.
  einsum: (dy, { inputs, attrs }) => {
    const subs = attrs.inputs as string[], output = attrs.output as string;
    const used = new Set([...subs.join(''), ...output]);
    const fresh = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !used.has(c));
    return inputs.map((x, i) => {
      const terms = [output], operands = [dy];
      subs.forEach((s, j) => {
        if (j !== i) terms.push(s), operands.push(inputs[j]!);
      });
      // A repeated letter ('ii') reads a diagonal, so only the diagonal gets
      // gradient: rename the repeat and tie it to the first with an identity.
      let target = '';
      [...subs[i]!].forEach((c, p) => {
        if (!target.includes(c)) return void (target += c);
        const f = fresh.shift()!;
        target += f;
        terms.push(c + f);
        operands.push(eye(x.shape[p]!, undefined, 0, dy.dtype));
      });
      // A letter only this operand has was summed over: the gradient is constant along it.
      [...target].forEach((c, p) => {
        if (!terms.some((t) => t.includes(c))) terms.push(c), operands.push(ones([x.shape[p]!], dy.dtype));
      });
      const g = einsum(`${terms.join(',')}->${target}`, ...operands);
      // Where x broadcast a size-1 axis the engine sums g back; where the
      // others did, g has size 1 and x's full size is wanted.
      const full = g.shape.map((d, p) => Math.max(d, x.shape[p]!));
      return full.some((d, p) => d !== g.shape[p]) ? broadcastTo(g, full) : g;
    });
  },
} satisfies GradTable;
