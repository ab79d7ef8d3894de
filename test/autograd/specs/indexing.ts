import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native, type NativeArray } from '../../../src/tensor/native.js';
import { shape, toTensor, valuesFor, type Data } from '../../helpers/arbitraries.js';
import { spec } from './spec.js';

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
/** An index tensor (int32) from a shape and flat values. */
const ints = (s: number[], v: number[]): mt.Tensor => mt.tensor(Int32Array.from(v), 'int32', s);
const h = (t: mt.Tensor): NativeArray => t.data;
/** MLX's native gather/scatter want non-negative axes (the TS ops count negative ones from the end). */
const pos = (axes: number[], ndim: number): number[] => axes.map((a) => (a < 0 ? a + ndim : a));
/** `count` indices into an axis of size d, each negative half of the time. */
const indicesInto = (d: number, count: number, extent = 1): fc.Arbitrary<number[]> =>
  fc.array(fc.tuple(int(0, d - extent), fc.boolean()).map(([k, neg]) => (neg ? k - d : k)), { minLength: count, maxLength: count });
/** A random subset of an ndim-axis shape's axes, as a sorted list (maybe negative). */
const axesOf = (ndim: number, minLength = 0): fc.Arbitrary<number[]> => ndim === 0 ? fc.constant([]) :
  fc.uniqueArray(int(0, ndim - 1), { minLength: Math.min(minLength, ndim), maxLength: ndim })
    .chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - ndim))));

/** Python slice rules (which MLX follows): the length of start:stop:step on an axis of size d. */
function sliceLength(d: number, start: number, stop: number, step: number): number {
  const clip = (v: number, lo: number, hi: number): number => (v < 0 ? Math.max(v + d, lo) : Math.min(v, hi));
  const [s, e] = step > 0 ? [clip(start, 0, d), clip(stop, 0, d)] : [clip(start, -1, d - 1), clip(stop, -1, d - 1)];
  return Math.max(0, Math.ceil((e - s) / step));
}

interface SliceCase { x: Data; start: number[]; stop: number[]; strides: number[] | undefined }
/**
 * Non-empty slices (MLX's own vjp mishandles empty ones with negative
 * strides; empty slices are gradchecked in test/tensor). Per axis: the range
 * lo..hi-1 walked either way, bounds written positive, negative or clipped.
 */
const sliceAxis = (d: number): fc.Arbitrary<[number, number, number]> =>
  fc.tuple(int(0, d - 1), int(1, d), fc.constantFrom(-2, -1, 1, 2), fc.boolean(), fc.boolean()).map(([a, b, step, negStart, wideStop]) => {
    const lo = Math.min(a, b - 1), hi = Math.max(a + 1, b);
    const first = step > 0 ? lo : hi - 1, end = step > 0 ? hi : lo - 1;
    const start = negStart ? first - d : first;
    const stop = end === d || end === -1 ? (wideStop ? end + Math.sign(step) * (d + 2) : end === d ? d : -d - 1) : end;
    return [start, stop, step];
  });
const sliceCase: fc.Arbitrary<SliceCase> = shape(1, 3).chain((s) => fc.tuple(valuesFor(s), fc.tuple(...s.map(sliceAxis)), fc.boolean())
  .map(([x, axes, unit]) => ({
    x,
    start: axes.map((a) => a[0]),
    stop: axes.map((a) => a[1]),
    // Without strides MLX steps by 1: keep only the cases that walk forwards.
    strides: unit && axes.every((a) => a[2] === 1) ? undefined : axes.map((a) => a[2]),
  })));
const sliceShape = (c: SliceCase): number[] => c.x.shape.map((d, i) => sliceLength(d, c.start[i]!, c.stop[i]!, c.strides?.[i] ?? 1));

/** x, one or more axes, broadcasting index arrays and a slice size per axis (room left after each index). */
interface GatherCase { x: Data; axes: number[]; idxShape: number[]; idx: number[][]; sizes: number[] }
const gatherCase = (fullSlices: boolean): fc.Arbitrary<GatherCase> => shape(1, 3).chain((s) => axesOf(s.length, 1).chain((axes) => {
  const norm = axes.map((a) => (a < 0 ? a + s.length : a));
  return fc.tuple(shape(0, 2, 3), fc.tuple(...s.map((d, i) => (fullSlices ? fc.constant(norm.includes(i) ? 1 : d) : int(1, d)))))
    .chain(([idxShape, sizes]) => fc.record({
      x: valuesFor(s),
      axes: fc.constant(axes),
      idxShape: fc.constant(idxShape),
      idx: fc.tuple(...norm.map((a) => indicesInto(s[a]!, size(idxShape), sizes[a]))),
      sizes: fc.constant(sizes),
    }));
}));

/** takeAlongAxis-style cases: x, an axis, and indices with x's rank that broadcast against x off the axis. */
interface AlongCase { x: Data; axis: number; idxShape: number[]; idx: number[]; v: Data }
const alongCase = (xBroadcasts: boolean): fc.Arbitrary<AlongCase> => shape(1, 3).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).chain((ax) =>
  fc.tuple(int(1, 4), fc.array(fc.constantFrom(0, 1, 2), { minLength: s.length, maxLength: s.length }), fc.boolean()).chain(([m, kinds, neg]) => {
    // Off the axis each dim is shared, or 1 in the indices, or (if allowed) 1 in x.
    const xs = s.map((d, i) => (i !== ax && xBroadcasts && kinds[i] === 2 ? 1 : d));
    const is = s.map((d, i) => (i === ax ? m : kinds[i] === 1 ? 1 : d));
    const outShape = s.map((d, i) => (i === ax ? m : d));
    return fc.record({
      x: valuesFor(xs),
      axis: fc.constant(neg ? ax - s.length : ax),
      idxShape: fc.constant(is),
      idx: indicesInto(s[ax]!, size(is)),
      v: valuesFor(outShape),
    });
  })));

/** Distinct indices along the axis within every lane, so put/scatter never writes one place twice. */
const distinctAlong = (c: AlongCase): fc.Arbitrary<AlongCase> => {
  const ax = c.axis < 0 ? c.axis + c.x.shape.length : c.axis, d = c.x.shape[ax]!, m = Math.min(c.idxShape[ax]!, d);
  const idxShape = c.idxShape.map((n, i) => (i === ax ? m : n));
  const lanes = size(idxShape) / m, inner = size(idxShape.slice(ax + 1));
  return fc.array(fc.shuffledSubarray([...Array(d).keys()], { minLength: m, maxLength: m }), { minLength: lanes, maxLength: lanes }).map((perms) => {
    const idx = Array<number>(size(idxShape));
    perms.forEach((p, lane) => p.forEach((k, j) => {
      const outer = Math.floor(lane / inner), rest = lane % inner;
      idx[(outer * m + j) * inner + rest] = k;
    }));
    return { ...c, idxShape, idx, v: { shape: idxShape, values: c.v.values.slice(0, size(idxShape)) } };
  });
};

export const indexingSpecs = {
  slice: spec({
    cases: sliceCase,
    inputs: (c, dtype) => [toTensor(c.x, dtype)],
    fn: (c) => (x) => mt.slice(x, c.start, c.stop, c.strides),
    oracle: (c) => (x) => native.slice(x, c.start, c.stop, c.strides ?? null),
  }),
  sliceUpdate: spec({
    // The update is the slice's shape, or broadcasts to it (size-1 axes).
    cases: sliceCase.chain((c) => fc.tuple(fc.constant(c), fc.array(fc.boolean(), { minLength: c.x.shape.length, maxLength: c.x.shape.length }))
      .chain(([c, ones]) => fc.tuple(fc.constant(c), valuesFor(sliceShape(c).map((d, i) => (ones[i] ? 1 : d)))))),
    inputs: ([c, u], dtype) => [toTensor(c.x, dtype), toTensor(u, dtype)],
    fn: ([c]) => (x, u) => mt.sliceUpdate(x, u, c.start, c.stop, c.strides),
    oracle: ([c]) => (x, u) => native.sliceUpdate(x, u, c.start, c.stop, c.strides ?? null),
  }),
  flip: spec({
    cases: shape(0, 3).chain((s) => fc.tuple(valuesFor(s), fc.option(axesOf(s.length), { nil: undefined }))),
    inputs: ([x], dtype) => [toTensor(x, dtype)],
    fn: ([, axes]) => (x) => mt.flip(x, axes),
    oracle: ([, axes]) => (x) => native.flip(x, axes ?? null),
  }),
  gather: spec({
    cases: gatherCase(false),
    inputs: (c, dtype) => [toTensor(c.x, dtype)],
    fn: (c) => (x) => mt.gather(x, c.idx.map((v) => ints(c.idxShape, v)), c.axes, c.sizes),
    oracle: (c) => (x) => native.gather(x, c.idx.map((v) => h(ints(c.idxShape, v))), pos(c.axes, c.x.shape.length), c.sizes),
  }),
  // Natural-shape updates at distinct positions (a repeated position keeps
  // only one update, which finite differences would see).
  scatter: spec({
    cases: shape(1, 3).chain((s) => axesOf(s.length, 1).chain((axes) => {
      const norm = axes.map((a) => (a < 0 ? a + s.length : a));
      const points = fc.uniqueArray(fc.tuple(...norm.map((a) => int(0, s[a]! - 1))), { minLength: 1, maxLength: 3, selector: (p) => p.join(',') });
      return fc.tuple(valuesFor(s), fc.constant(axes), points).chain(([x, axes, pts]) =>
        fc.tuple(fc.constant(x), fc.constant(axes), fc.constant(pts), valuesFor([pts.length, ...s.filter((_, i) => !norm.includes(i))])));
    })),
    inputs: ([x, , , u], dtype) => [toTensor(x, dtype), toTensor(u, dtype)],
    fn: ([, axes, pts]) => (x, u) => mt.scatter(x, axes.map((_, j) => ints([pts.length], pts.map((p) => p[j]!))), u, axes),
    oracle: ([x, axes, pts]) => (a, u) => {
      const ax = pos(axes, x.shape.length), idx = axes.map((_, j) => h(ints([pts.length], pts.map((p) => p[j]!))));
      return native.scatter(a, idx, native.reshape(u, [pts.length, ...x.shape.map((d, i) => (ax.includes(i) ? 1 : d))]), ax);
    },
  }),
  // MLX's layout with repeated indices allowed (they add up). Full slices:
  // MLX's own vjp assumes them; partial slices are gradchecked in test/tensor.
  scatterAdd: spec({
    cases: gatherCase(true).chain((c) => fc.tuple(fc.constant(c), valuesFor([...c.idxShape, ...c.sizes]))),
    inputs: ([c, u], dtype) => [toTensor(c.x, dtype), toTensor(u, dtype)],
    fn: ([c]) => (x, u) => mt.scatterAdd(x, c.idx.map((v) => ints(c.idxShape, v)), u, c.axes),
    oracle: ([c]) => (x, u) => native.scatterAdd(x, c.idx.map((v) => h(ints(c.idxShape, v))), u, pos(c.axes, c.x.shape.length)),
  }),
  take: spec({
    cases: shape(1, 3).chain((s) => fc.tuple(valuesFor(s), fc.option(int(-s.length, s.length - 1), { nil: undefined }), shape(0, 2, 3))
      .chain(([x, axis, is]) => fc.tuple(fc.constant(x), fc.constant(axis), fc.constant(is),
        indicesInto(axis === undefined ? size(s) : s.at(axis)!, size(is))))),
    inputs: ([x], dtype) => [toTensor(x, dtype)],
    fn: ([, axis, is, idx]) => (x) => mt.take(x, ints(is, idx), axis),
    oracle: ([, axis, is, idx]) => (x) => native.take(x, h(ints(is, idx)), axis ?? null),
  }),
  takeAlongAxis: spec({
    cases: alongCase(true),
    inputs: (c, dtype) => [toTensor(c.x, dtype)],
    fn: (c) => (x) => mt.takeAlongAxis(x, ints(c.idxShape, c.idx), c.axis),
    oracle: (c) => (x) => native.takeAlongAxis(x, h(ints(c.idxShape, c.idx)), c.axis),
  }),
  putAlongAxis: spec({
    cases: alongCase(false).chain(distinctAlong),
    inputs: (c, dtype) => [toTensor(c.x, dtype), toTensor(c.v, dtype)],
    fn: (c) => (x, v) => mt.putAlongAxis(x, ints(c.idxShape, c.idx), v, c.axis),
    oracle: (c) => (x, v) => native.putAlongAxis(x, h(ints(c.idxShape, c.idx)), v, c.axis),
  }),
  scatterAddAxis: spec({
    cases: alongCase(false).map((c) => ({ ...c, v: { shape: c.idxShape, values: c.v.values.slice(0, size(c.idxShape)) } })),
    inputs: (c, dtype) => [toTensor(c.x, dtype), toTensor(c.v, dtype)],
    fn: (c) => (x, v) => mt.scatterAddAxis(x, ints(c.idxShape, c.idx), v, c.axis),
    oracle: (c) => (x, v) => native.scatterAddAxis(x, h(ints(c.idxShape, c.idx)), v, c.axis),
  }),
  // Views with negative, zero (repeating) and overlapping strides, kept inside x.
  asStrided: spec({
    cases: shape(1, 2).chain((s) => fc.tuple(valuesFor(s), shape(1, 2, 3), fc.array(int(-2, 2), { minLength: 2, maxLength: 2 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .chain(([x, view, st, r]) => {
        const strides = view.map((_, i) => st[i]!);
        const reach = view.map((d, i) => (d - 1) * strides[i]!);
        const lo = -reach.filter((v) => v < 0).reduce((a, b) => a + b, 0), hi = size(s) - 1 - reach.filter((v) => v > 0).reduce((a, b) => a + b, 0);
        return fc.constant({ x, view, strides, offset: lo + Math.floor(r * (hi - lo + 1) * 0.999) });
      })
      .filter((c) => c.offset <= size(c.x.shape) - 1 - c.view.reduce((a, d, i) => a + Math.max(0, (d - 1) * c.strides[i]!), 0) && c.offset >= 0)),
    inputs: (c, dtype) => [toTensor(c.x, dtype)],
    fn: (c) => (x) => mt.asStrided(x, c.view, c.strides, c.offset),
    oracle: (c) => (x) => native.asStrided(x, c.view, c.strides, c.offset),
  }),
};
