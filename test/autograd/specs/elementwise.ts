import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native } from '../../../src/tensor/native.js';
import { binaryData, data, shape, toTensor, valuesFor, type Data } from '../../helpers/arbitraries.js';
import { spec, type GradSpec } from './spec.js';

type Unary = (x: mt.Tensor) => mt.Tensor;
type Binary = (a: mt.Tensor, b: mt.Tensor) => mt.Tensor;

/** Values k/2 + offset: at least 0.25 from every integer and half-integer when offset is 0.25. */
const grid = (offset: number): fc.Arbitrary<Data> =>
  shape().chain((s) => fc.array(fc.integer({ min: -6, max: 5 }), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) })
    .map((ks) => ({ shape: s, values: ks.map((k) => k / 2 + offset) })));

const unary = (op: keyof typeof native & keyof typeof mt, min = -2, max = 2, cases = data(min, max)): GradSpec<Data> => spec({
  cases,
  inputs: (d, dtype) => [toTensor(d, dtype)],
  fn: () => mt[op] as Unary,
  oracle: () => (x) => (native[op] as (a: typeof x) => typeof x)(x),
});

const binary = (op: keyof typeof native & keyof typeof mt, cases: fc.Arbitrary<[Data, Data]> = binaryData()): GradSpec<[Data, Data]> => spec({
  cases,
  inputs: ([a, b], dtype) => [toTensor(a, dtype), toTensor(b, dtype)],
  fn: () => mt[op] as Binary,
  oracle: () => (a, b) => (native[op] as (x: typeof a, y: typeof b) => typeof a)(a, b),
});

/** Broadcastable pairs whose second operand lies in [min, max]. */
const pairIn = (amin: number, amax: number, bmin: number, bmax: number): fc.Arbitrary<[Data, Data]> =>
  binaryData().chain(([a, b]) => fc.tuple(valuesFor(a.shape, amin, amax), valuesFor(b.shape, bmin, bmax)));

/** Pairs at least 0.25 apart, so max/min never tie within a finite-difference step. */
const apart = binaryData().map(([a, b]): [Data, Data] => [
  { ...a, values: a.values.map((v) => Math.round(v * 2) / 2) },
  { ...b, values: b.values.map((v) => Math.round(v * 2) / 2 + 0.25) },
]);

export const elementwiseSpecs = {
  add: binary('add'),
  subtract: binary('subtract'),
  multiply: binary('multiply'),
  divide: binary('divide', pairIn(-2, 2, 0.3, 2)),
  power: binary('power', pairIn(0.3, 2, -2, 2)),
  remainder: binary('remainder', pairIn(0.1, 0.9, 1.1, 2)),
  maximum: binary('maximum', apart),
  minimum: binary('minimum', apart),
  arctan2: binary('arctan2', pairIn(-2, 2, 0.5, 2)),
  logaddexp: binary('logaddexp'),
  where: spec({
    cases: binaryData().chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), fc.array(fc.boolean(), { minLength: a.values.length, maxLength: a.values.length }))),
    inputs: ([a, b], dtype) => [toTensor(a, dtype), toTensor(b, dtype)],
    fn: ([a, , c]) => (x, y) => mt.where(mt.tensor(c, 'bool', a.shape), x, y),
    oracle: ([a, , c]) => (x, y) => native.where(mt.keep(mt.tensor(c, 'bool', a.shape)).data, x, y),
  }),
  clip: spec({
    cases: grid(0.125),
    inputs: (d, dtype) => [toTensor(d, dtype)],
    fn: () => (x) => mt.clip(x, -0.5, 0.5),
    oracle: () => (x) => native.clip(x, -0.5, 0.5),
  }),
  nanToNum: spec({
    cases: data(),
    inputs: (d, dtype) => [toTensor(d, dtype)],
    // MLX's nan_to_num has no float64 kernel: check it in float32 with looser tolerances.
    fn: () => (x) => mt.astype(mt.nanToNum(mt.astype(x, 'float32')), x.dtype),
    oracle: () => (x) => native.nanToNum(x, 0, null, null),
    tol: { rtol: 1e-2, atol: 1e-3 },
  }),
  astype: spec({
    cases: data(),
    inputs: (d, dtype) => [toTensor(d, dtype)],
    fn: () => (x) => mt.astype(mt.astype(x, 'float32'), x.dtype),
    tol: { rtol: 1e-2, atol: 1e-3 },
  }),
  abs: unary('abs', -2, 2, grid(0.25)),
  negative: unary('negative'),
  sign: unary('sign', -2, 2, grid(0.25)),
  floor: unary('floor', -2, 2, grid(0.25)),
  ceil: unary('ceil', -2, 2, grid(0.25)),
  round: spec({
    cases: grid(0.25),
    inputs: (d, dtype) => [toTensor(d, dtype)],
    fn: () => (x) => mt.round(x),
    oracle: () => (x) => native.round(x, 0),
  }),
  exp: unary('exp'),
  expm1: unary('expm1'),
  log: unary('log', 0.2, 3),
  log1p: unary('log1p', -0.5, 3),
  log2: unary('log2', 0.2, 3),
  log10: unary('log10', 0.2, 3),
  sqrt: unary('sqrt', 0.2, 3),
  rsqrt: unary('rsqrt', 0.2, 3),
  square: unary('square'),
  reciprocal: unary('reciprocal', 0.3, 3),
  sin: unary('sin'),
  cos: unary('cos'),
  tan: unary('tan', -1.2, 1.2),
  arcsin: unary('arcsin', -0.8, 0.8),
  arccos: unary('arccos', -0.8, 0.8),
  arctan: unary('arctan'),
  sinh: unary('sinh'),
  cosh: unary('cosh'),
  tanh: unary('tanh'),
  arcsinh: unary('arcsinh'),
  arccosh: unary('arccosh', 1.2, 3),
  arctanh: unary('arctanh', -0.8, 0.8),
  sigmoid: unary('sigmoid'),
  erf: unary('erf'),
  erfinv: unary('erfinv', -0.8, 0.8),
};

