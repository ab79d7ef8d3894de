import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native, type NativeArray } from '../../../src/tensor/native.js';
import { axisOf, shape, toTensor, valuesFor, type Data } from '../../helpers/arbitraries.js';
import { spec } from './spec.js';

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** A tensor's data of a random shape with at least `minDims` axes. */
const dataOf = (minDims = 0, maxSize = 4): fc.Arbitrary<Data> => shape(minDims, 3, maxSize).chain((s) => valuesFor(s));

/** Several tensors' data that agree on every axis but `axis`, whose sizes vary (0 included). */
const concatCases = shape(1).chain((s) =>
  fc.tuple(axisOf(s.length), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([axis, sizes]) => {
    const ax = axis < 0 ? axis + s.length : axis;
    return fc.tuple(fc.tuple(...sizes.map((n) => valuesFor(s.map((d, i) => (i === ax ? n : d))))), fc.constant(axis));
  }));

/** Several tensors' data of one shape, and an axis of their stack. */
const stackCases = shape().chain((s) =>
  fc.tuple(fc.integer({ min: 1, max: 3 }), axisOf(s.length + 1)).chain(([k, axis]) =>
    fc.tuple(fc.tuple(...Array.from({ length: k }, () => valuesFor(s))), fc.constant(axis))));

/** A piece of NumPy-style split: a count of sections that divides the axis, or indices (any order, out of range too). */
const splitCases = dataOf(1).chain((d) =>
  axisOf(d.shape.length).chain((axis) => {
    const n = d.shape[axis < 0 ? axis + d.shape.length : axis]!;
    const divisors = [...Array(n).keys()].map((i) => i + 1).filter((k) => n % k === 0);
    const how = fc.oneof(fc.constantFrom(...divisors), fc.array(fc.integer({ min: -n - 1, max: n + 1 }), { maxLength: 3 }));
    return fc.tuple(fc.constant(d), how, fc.constant(axis));
  }));

/** Each piece flattened, weighted by its index and joined: every piece (empty ones too) reaches the output. */
const joinPieces = (ps: mt.Tensor[]): mt.Tensor => mt.concatenate(ps.map((p, k) => mt.multiply(mt.reshape(p, [p.size]), k + 1)));
const joinNative = (ps: NativeArray[]): NativeArray =>
  native.concatenate(ps.map((p, k) => native.multiply(native.reshape(p, [size(native.shape(p))]), k + 1)), 0);

type PadWidth = number | [number, number] | [number, number][];
/** Pad widths in each of pad's three forms, a mode and a fill value. */
const padCases = dataOf().chain((d) => {
  const pair = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }));
  const width: fc.Arbitrary<PadWidth> = fc.oneof(
    fc.integer({ min: 0, max: 2 }),
    pair,
    fc.tuple(...d.shape.map(() => pair)) as fc.Arbitrary<[number, number][]>,
  );
  return fc.tuple(fc.constant(d), width, fc.constantFrom('constant' as const, 'edge' as const), fc.integer({ min: -3, max: 3 }));
});

/** pad's widths as one (low, high) pair per axis, for the oracle. */
const pairs = (w: PadWidth, ndim: number): [number, number][] =>
  typeof w === 'number' ? Array(ndim).fill([w, w]) : typeof w[0] === 'number' ? Array(ndim).fill(w) : (w as [number, number][]);

/** A shift for one axis, for several axes, or for the flat tensor. */
const rollCases = dataOf().chain((d) => {
  const nd = d.shape.length;
  const shift = fc.integer({ min: -5, max: 5 });
  const axes: fc.Arbitrary<[number | number[], number | number[] | undefined]> = nd === 0
    ? shift.map((s) => [s, undefined])
    : fc.oneof(
      shift.map((s): [number, undefined] => [s, undefined]),
      fc.tuple(shift, axisOf(nd)),
      fc.shuffledSubarray([...Array(nd).keys()], { minLength: 1 }).chain((as) => fc.tuple(fc.oneof(shift, fc.array(shift, { minLength: as.length, maxLength: as.length })), fc.constant(as))),
    );
  return fc.tuple(fc.constant(d), axes);
});

export const shapeSpecs = {
  reshape: spec({
    // A new shape of the same size: flat, reversed, or with 1s inserted; -1 infers an axis.
    cases: dataOf().chain((d) => fc.tuple(fc.constant(d), fc.constantFrom(
      [-1], [...d.shape].reverse(), [1, ...d.shape, 1], d.shape.length ? [...d.shape.slice(0, -1), -1] : [1],
    ))),
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, s]) => (x) => mt.reshape(x, s),
    oracle: ([, s]) => (x) => native.reshape(x, s),
  }),
  broadcastTo: spec({
    // x's shape drops leading axes of the target and has 1s in some others.
    cases: shape().chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
      .chain(([drop, ones]) => fc.tuple(valuesFor(s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))), fc.constant(s)))),
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, s]) => (x) => mt.broadcastTo(x, s),
    oracle: ([, s]) => (x) => native.broadcastTo(x, s),
  }),
  transpose: spec({
    // A permutation with some axes negative, or none (reverse).
    cases: dataOf().chain((d) => fc.tuple(fc.constant(d), fc.option(
      fc.shuffledSubarray([...Array(d.shape.length).keys()], { minLength: d.shape.length, maxLength: d.shape.length })
        .chain((p) => fc.tuple(...p.map((a) => fc.constantFrom(a, a - d.shape.length)))),
      { nil: undefined },
    ))),
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, axes]) => (x) => mt.transpose(x, axes),
    oracle: ([, axes]) => (x) => native.transpose(x, axes ?? null),
  }),
  concatenate: spec({
    cases: concatCases,
    inputs: ([ds], dtype) => ds.map((d) => toTensor(d, dtype)),
    fn: ([, axis]) => (...xs) => mt.concatenate(xs, axis),
    oracle: ([, axis]) => (...xs) => native.concatenate(xs, axis),
  }),
  stack: spec({
    cases: stackCases,
    inputs: ([ds], dtype) => ds.map((d) => toTensor(d, dtype)),
    fn: ([, axis]) => (...xs) => mt.stack(xs, axis),
    oracle: ([, axis]) => (...xs) => native.stack(xs, axis),
  }),
  split: spec({
    cases: splitCases,
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, how, axis]) => (x) => joinPieces(mt.split(x, how, axis)),
    oracle: ([, how, axis]) => (x) => joinNative(native.split(x, how, axis)),
  }),
  pad: spec({
    cases: padCases,
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, w, mode, value]) => (x) => mt.pad(x, w, mode, value),
    oracle: ([d, w, mode, value]) => (x) => {
      const p = pairs(w, d.shape.length);
      return native.pad(x, p.map((q) => q[0]), p.map((q) => q[1]), mode, value);
    },
  }),
  roll: spec({
    cases: rollCases,
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, [shift, axes]]) => (x) => mt.roll(x, shift, axes),
    oracle: ([, [shift, axes]]) => (x) => {
      const as = axes === undefined ? null : typeof axes === 'number' ? [axes] : axes;
      return native.roll(x, typeof shift === 'number' ? (as ?? [0]).map(() => shift) : shift, as);
    },
  }),
  repeat: spec({
    cases: dataOf().chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 0, max: 3 }), d.shape.length ? fc.option(axisOf(d.shape.length), { nil: undefined }) : fc.constant(undefined))),
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, r, axis]) => (x) => mt.repeat(x, r, axis),
    oracle: ([, r, axis]) => (x) => native.repeat(x, r, axis ?? null),
  }),
  tile: spec({
    // reps shorter than, as long as or longer than x's shape.
    cases: dataOf().chain((d) => fc.tuple(fc.constant(d), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }))),
    inputs: ([d], dtype) => [toTensor(d, dtype)],
    fn: ([, reps]) => (x) => mt.tile(x, reps),
    oracle: ([, reps]) => (x) => native.tile(x, reps),
  }),
};
