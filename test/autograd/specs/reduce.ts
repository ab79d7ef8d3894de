import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native } from '../../../src/tensor/native.js';
import { crossEntropyFused } from '../../../src/tensor/ops/fused.js';
import { data, shape, toTensor, type Data } from '../../helpers/arbitraries.js';
import { spec, type GradSpec } from './spec.js';

type Axes = number | number[] | undefined;

/** Reduction axes for `ndim` axes: all (undefined), one axis, or a subset; negative half of the time. */
const axesOf = (ndim: number): fc.Arbitrary<Axes> => {
  if (ndim === 0) return fc.constantFrom<Axes>(undefined, []);
  const signed = (a: number): fc.Arbitrary<number> => fc.constantFrom(a, a - ndim);
  const single: fc.Arbitrary<Axes> = fc.integer({ min: 0, max: ndim - 1 }).chain(signed);
  const subset: fc.Arbitrary<Axes> = fc.subarray([...Array(ndim).keys()]).chain((as) => fc.tuple(...as.map(signed)).map((t) => [...t]));
  return fc.oneof(fc.constant<Axes>(undefined), single, subset);
};

interface ReduceCase {
  d: Data;
  axes: Axes;
  keepDims: boolean;
}

const reduceCases = (values: fc.Arbitrary<Data> = data()): fc.Arbitrary<ReduceCase> =>
  values.chain((d) => fc.record({ d: fc.constant(d), axes: axesOf(d.shape.length), keepDims: fc.boolean() }));

/** Distinct values (multiples of 0.25, shuffled), so max/min never tie within a finite-difference step. */
const distinct = (minDims = 0): fc.Arbitrary<Data> =>
  shape(minDims).chain((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    return fc.shuffledSubarray([...Array(64).keys()], { minLength: n, maxLength: n })
      .map((ks) => ({ shape: s, values: ks.map((k) => (k - 32) / 4 + 0.125) }));
  });

/**
 * Values of magnitude in [0.1, 2] where about one in four is exactly zero
 * (prod and cumprod must handle zeros). Tiny non-zero values are left out:
 * cumprod's rule divides by x, as MLX's does, and loses precision on subnormals.
 */
const withZeros = (minDims = 0): fc.Arbitrary<Data> =>
  shape(minDims).chain((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const mag = fc.double({ min: 0.1, max: 2, noNaN: true });
    const v = fc.oneof({ arbitrary: fc.tuple(mag, fc.boolean()).map(([m, neg]) => (neg ? -m : m)), weight: 3 }, { arbitrary: fc.constant(0), weight: 1 });
    return fc.array(v, { minLength: n, maxLength: n }).map((values) => ({ shape: s, values }));
  });

type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'logsumexp';
const reduction = (op: ReduceOp, cases: fc.Arbitrary<ReduceCase>): GradSpec<ReduceCase> => spec({
  cases,
  inputs: ({ d }, dtype) => [toTensor(d, dtype)],
  fn: ({ axes, keepDims }) => (x) => mt[op](x, axes, keepDims),
  oracle: ({ axes, keepDims }) => (x) => native[op](x, axes ?? null, keepDims),
});

interface ScanCase {
  d: Data;
  axis: number | undefined;
  reverse: boolean;
  inclusive: boolean;
}

const scanCases = (values: fc.Arbitrary<Data>): fc.Arbitrary<ScanCase> =>
  values.chain((d) => fc.record({
    d: fc.constant(d),
    // undefined scans the flattened tensor
    axis: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: d.shape.length - 1 }).chain((a) => fc.constantFrom(a, a - d.shape.length))),
    reverse: fc.boolean(),
    inclusive: fc.boolean(),
  }));

type ScanOp = 'cumsum' | 'cumprod' | 'cummax' | 'cummin';
const scan = (op: ScanOp, values: fc.Arbitrary<Data>): GradSpec<ScanCase> => spec({
  cases: scanCases(values),
  inputs: ({ d }, dtype) => [toTensor(d, dtype)],
  // An exclusive cummax/cummin starts from -inf/inf: zero it, so finite differences stay finite.
  fn: ({ axis, reverse, inclusive }) => (x) => {
    const y = mt[op](x, axis, { reverse, inclusive });
    return mt.where(mt.isfinite(y), y, 0);
  },
  oracle: ({ axis, reverse, inclusive }) => (x) => {
    const y = native[op](axis === undefined ? native.reshape(x, [-1]) : x, axis ?? 0, reverse, inclusive);
    return native.where(native.isfinite(y), y, 0);
  },
});

export const reduceSpecs = {
  sum: reduction('sum', reduceCases()),
  prod: reduction('prod', reduceCases(withZeros())),
  max: reduction('max', reduceCases(distinct())),
  min: reduction('min', reduceCases(distinct())),
  // eps 1e-2 for the exp-sum ops: their third derivatives stay below 0.1 on [-3, 3],
  // so truncation is ~1e-6 while exp's float32 rounding over 2·eps drops to ~1e-5.
  logsumexp: { ...reduction('logsumexp', reduceCases(data(-3, 3))), eps: 1e-2 },
  softmax: spec({
    cases: data(-3, 3, 1).chain((d) => fc.record({ d: fc.constant(d), axes: axesOf(d.shape.length).filter((a) => a !== undefined) })),
    inputs: ({ d }, dtype) => [toTensor(d, dtype)],
    fn: ({ axes }) => (x) => mt.softmax(x, axes),
    oracle: ({ axes }) => (x) => native.softmax(x, axes!, false),
    eps: 1e-2,
  }),
  // Logits [..., C] and one class index per row; the targets take no gradient.
  crossEntropyFused: spec({
    cases: data(-3, 3, 1).chain((d) => fc.record({
      d: fc.constant(d),
      labels: fc.array(fc.integer({ min: 0, max: d.shape.at(-1)! - 1 }), { minLength: d.shape.slice(0, -1).reduce((a, b) => a * b, 1), maxLength: d.shape.slice(0, -1).reduce((a, b) => a * b, 1) }),
    })),
    inputs: ({ d }, dtype) => [toTensor(d, dtype)],
    fn: ({ d, labels }) => (x) => crossEntropyFused(x, mt.tensor(Int32Array.from(labels), 'int32', d.shape.slice(0, -1))),
    oracle: ({ d, labels }) => (x) => native.crossEntropyFused(x, mt.tensor(Int32Array.from(labels), 'int32', d.shape.slice(0, -1)).data),
    eps: 1e-2,
  }),
  cumsum: scan('cumsum', data(-2, 2, 1)),
  cumprod: scan('cumprod', withZeros(1)),
  cummax: scan('cummax', distinct(1)),
  cummin: scan('cummin', distinct(1)),
};
