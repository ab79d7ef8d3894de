import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native } from '../../../src/tensor/native.js';
import { broadcastPair, toTensor, valuesFor, type Data } from '../../helpers/arbitraries.js';
import { spec } from './spec.js';

const dim = fc.integer({ min: 1, max: 3 });

/** matmul operands: 1-d vectors or batches of matrices whose batch shapes broadcast. */
const matmulCases: fc.Arbitrary<[Data, Data]> = fc.tuple(dim, dim, dim, broadcastPair(), fc.boolean(), fc.boolean())
  .map(([m, k, n, [ba, bb], aVec, bVec]) => [aVec ? [k] : [...ba.slice(-2), m, k], bVec ? [k] : [...bb.slice(-2), k, n]])
  .chain(([sa, sb]) => fc.tuple(valuesFor(sa), valuesFor(sb)));

/** addmm: c broadcasts to [M, N] (dropped or size-1 axes), with scales. */
const addmmCases = fc.tuple(dim, dim, dim, fc.constantFrom('mn', 'n', '1n', 'm1', ''), fc.constantFrom(1, -1.5, 0.5, 2), fc.constantFrom(1, -1, 0.5, 3))
  .chain(([m, k, n, c, alpha, beta]) => {
    const cs = { mn: [m, n], n: [n], '1n': [1, n], m1: [m, 1], '': [] }[c];
    return fc.tuple(valuesFor(cs), valuesFor([m, k]), valuesFor([k, n]), fc.constant(alpha), fc.constant(beta));
  });

/** linear: x of 1 to 3 axes whose last has the weight's inputs, weight [outputs, inputs], a bias or none. */
const linearCases = fc.tuple(dim, dim, fc.array(dim, { maxLength: 2 }), fc.boolean())
  .chain(([inputs, outputs, lead, bias]) =>
    fc.tuple(valuesFor([...lead, inputs]), valuesFor([outputs, inputs]), bias ? valuesFor([outputs]) : fc.constant(null)));

type Axes = number | [number[], number[]];
/** tensordot: b holds a's contracted axes in any order (negative half of the time), plus free axes of its own. */
const tensordotCases: fc.Arbitrary<[Data, Data, Axes]> = fc.array(dim, { minLength: 0, maxLength: 3 }).chain((sa) =>
  fc.tuple(fc.shuffledSubarray([...sa.keys()]), fc.array(dim, { maxLength: 2 }), fc.boolean(), fc.boolean()).chain(([axesA, free, asCount, negative]) => {
    if (asCount) {
      // The count form: a's last n axes against b's first n.
      const n = axesA.length;
      return fc.tuple(valuesFor(sa), valuesFor([...sa.slice(sa.length - n), ...free]), fc.constant<Axes>(n));
    }
    const sb = [...axesA.map((i) => sa[i]!), ...free];
    const order = [...sb.keys()].reverse(); // b's axes in another order than a's
    const axesB = axesA.map((_, j) => order.indexOf(j));
    const neg = (ax: number[], nd: number): number[] => (negative ? ax.map((x) => x - nd) : ax);
    return fc.tuple(valuesFor(sa), valuesFor(order.map((i) => sb[i]!)), fc.constant<Axes>([neg(axesA, sa.length), neg(axesB, sb.length)]));
  }));

/** einsum patterns: products, traces, diagonals, transposes, lonely and repeated letters, scalars. */
const PATTERNS = [
  'ij,jk->ik', 'ij,jk', 'ii->', 'ii->i', 'ii', 'ij->ji', 'i,i->', 'i,j->ij', 'bij,bjk->bik', 'iij,k->jk',
  'ij,ij->j', 'ijk->', 'ij,k->k', ',ij->ij', 'ij,jk,kl->il', 'iji->j', 'Ab,bC->CA',
];
/** Letter sizes; a letter shared by several operands is sometimes 1 in one of them (einsum broadcasts). */
const einsumCases: fc.Arbitrary<[string, Data[]]> = fc.constantFrom(...PATTERNS).chain((p) => {
  const subs = p.split('->')[0]!.split(',');
  const letters = [...new Set(subs.join(''))];
  return fc.tuple(fc.array(dim, { minLength: letters.length, maxLength: letters.length }), fc.array(fc.boolean(), { minLength: subs.length, maxLength: subs.length }))
    .chain(([sizes, squash]) => {
      const shapes = subs.map((s, i) => [...s].map((c) => {
        const shared = subs.filter((t) => t.includes(c)).length > 1, repeated = s.indexOf(c) !== s.lastIndexOf(c);
        return squash[i] && shared && !repeated && i === 0 ? 1 : sizes[letters.indexOf(c)]!;
      }));
      return fc.tuple(fc.constant(p), fc.tuple(...shapes.map((s) => valuesFor(s))));
    });
});
/** Ellipsis patterns, with batch shapes that broadcast (right-aligned). */
const ellipsisCases: fc.Arbitrary<[string, Data[]]> = fc.tuple(fc.constantFrom('...ij,...jk->...ik', '...ij,...jk', 'i...,i...->...', '...i->...'), broadcastPair(), dim, dim, dim)
  .chain(([p, [ba, bb], i, j, k]) => {
    const shapes = p === '...i->...' ? [[...ba, i]] : p.startsWith('i...') ? [[i, ...ba], [i, ...bb]] : [[...ba, i, j], [...bb, j, k]];
    return fc.tuple(fc.constant(p), fc.tuple(...shapes.map((s) => valuesFor(s))));
  });

export const linalgSpecs = {
  matmul: spec({
    cases: matmulCases,
    inputs: ([a, b], dtype) => [toTensor(a, dtype), toTensor(b, dtype)],
    fn: () => (a, b) => mt.matmul(a, b),
    oracle: () => (a, b) => native.matmul(a, b),
  }),
  addmm: spec({
    cases: addmmCases,
    inputs: ([c, a, b], dtype) => [toTensor(c, dtype), toTensor(a, dtype), toTensor(b, dtype)],
    fn: ([, , , alpha, beta]) => (c, a, b) => mt.addmm(c, a, b, alpha, beta),
    oracle: ([, , , alpha, beta]) => (c, a, b) => native.addmm(c, a, b, alpha, beta),
  }),
  linear: spec({
    cases: linearCases,
    inputs: ([x, w, b], dtype) => [toTensor(x, dtype), toTensor(w, dtype), ...(b ? [toTensor(b, dtype)] : [])],
    fn: () => (x, w, b) => mt.linear(x, w, b),
    oracle: () => (x, w, b) => native.linear(x, w, b ?? null),
  }),
  tensordot: spec({
    cases: tensordotCases,
    inputs: ([a, b], dtype) => [toTensor(a, dtype), toTensor(b, dtype)],
    fn: ([, , axes]) => (a, b) => mt.tensordot(a, b, axes),
    oracle: ([, , axes]) => (a, b) => (typeof axes === 'number' ? native.tensordot(a, b, axes, null) : native.tensordot(a, b, axes[0], axes[1])),
  }),
  einsum: spec({
    cases: fc.oneof(einsumCases, ellipsisCases),
    inputs: ([, ds], dtype) => ds.map((d) => toTensor(d, dtype)),
    fn: ([p]) => (...xs) => mt.einsum(p, ...xs),
    oracle: ([p]) => (...xs) => native.einsum(p, xs),
  }),
};
