import fc from 'fast-check';
import * as mt from '../../../src/index.js';
import { native, type NativeArray } from '../../../src/tensor/native.js';
import { poolGeometry } from '../../../src/tensor/ops/pool.js';
import { toTensor, valuesFor, type Data } from '../../helpers/arbitraries.js';
import { spec } from './spec.js';

const KINDS = ['convGeneral', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d'] as const;
type Kind = (typeof KINDS)[number];

/** One convolution: which op, its parameters per spatial axis, and the data. */
interface ConvCase {
  kind: Kind;
  stride: number[];
  padding: number[]; // conv*/convTranspose*: both ends; convGeneral: low end
  paddingHi: number[];
  dilation: number[];
  inputDilation: number[];
  outputPadding: number[];
  groups: number;
  flip: boolean;
  x: Data;
  w: Data;
  bias: Data | null; // the bias option, [C_out]
}

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const axes = (n: number, a: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(a, { minLength: n, maxLength: n });

/**
 * Random convolutions of every kind, each routed through convGeneral (the
 * one primitive). The input is just long enough for the kernel, plus 0-2.
 */
const convCases: fc.Arbitrary<ConvCase> = fc.constantFrom(...KINDS).chain((kind) => {
  const d = kind === 'conv3d' ? 3 : kind.endsWith('2d') ? 2 : kind.endsWith('1d') ? 1 : 0;
  return fc.tuple(d ? fc.constant(d) : int(1, 2), fc.constant(kind)).chain(([n, k]) => fc.record({
    kind: fc.constant(k),
    kernel: axes(n, int(1, n === 3 ? 2 : 3)),
    stride: axes(n, int(1, 2)),
    padding: axes(n, int(k === 'convGeneral' ? -1 : 0, 2)),
    paddingHi: axes(n, int(-1, 2)),
    dilation: axes(n, int(1, 2)),
    inputDilation: axes(n, int(1, 2)),
    outputPadding: axes(n, int(0, 1)),
    extra: axes(n, int(0, 2)),
    groups: int(1, n === 3 ? 1 : 2),
    batch: int(1, 2),
    perGroupIn: int(1, 2),
    perGroupOut: int(1, 2),
    flip: fc.boolean(),
    withBias: fc.boolean(),
  }));
}).chain((c) => {
  const transposed = c.kind.startsWith('convTranspose');
  const size = c.kernel.map((k, i) => {
    // The low/high padding and input dilation that convGeneral ends up with.
    const span = c.dilation[i]! * (k - 1);
    const lo = transposed ? span - c.padding[i]! : c.padding[i]!;
    const hi = c.kind === 'convGeneral' ? c.paddingHi[i]! : transposed ? lo + c.outputPadding[i]! : lo;
    const dil = c.kind === 'convGeneral' ? c.inputDilation[i]! : transposed ? c.stride[i]! : 1;
    const crop = Math.max(0, -lo) + Math.max(0, -hi);
    return crop + 1 + Math.ceil(Math.max(0, span - Math.max(0, lo) - Math.max(0, hi)) / dil) + c.extra[i]!;
  });
  const cin = c.groups * c.perGroupIn, cout = c.groups * c.perGroupOut;
  return fc.tuple(valuesFor([c.batch, ...size, cin], -1, 1), valuesFor([cout, ...c.kernel, c.perGroupIn], -1, 1),
    c.withBias ? valuesFor([cout], -1, 1) : fc.constant(null))
    .map(([x, w, bias]): ConvCase => ({ ...c, x, w, bias }));
});

/** The case's op on tensors: one of the public convolutions, with the bias option when the case has one. */
function convOf(c: ConvCase): (x: mt.Tensor, w: mt.Tensor, bias?: mt.Tensor) => mt.Tensor {
  const o = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: c.outputPadding };
  switch (c.kind) {
    case 'convGeneral':
      return (x, w, bias) => mt.convGeneral(x, w, { stride: c.stride, padding: [c.padding, c.paddingHi], kernelDilation: c.dilation, inputDilation: c.inputDilation, groups: c.groups, flip: c.flip, bias });
    case 'conv1d': return (x, w, bias) => mt.conv1d(x, w, { ...o, bias });
    case 'conv2d': return (x, w, bias) => mt.conv2d(x, w, { ...o, bias });
    case 'conv3d': return (x, w, bias) => mt.conv3d(x, w, { ...o, bias });
    case 'convTranspose1d': return (x, w, bias) => mt.convTranspose1d(x, w, { ...o, bias });
    case 'convTranspose2d': return (x, w, bias) => mt.convTranspose2d(x, w, { ...o, bias });
  }
}

/**
 * conv_general on handles with the input dilation done by hand (pad each
 * element with zeros, then trim): MLX 0.32.4's Convolution::vjp returns
 * wrong shapes when input dilation meets unequal low/high padding (e.g.
 * conv_transpose with output_padding), but differentiates pad, reshape,
 * slice and undilated convolutions correctly. Negative padding crops the
 * input before dilation, as in MLX's conv_general.
 */
function nativeDilatedConv(x: NativeArray, w: NativeArray, stride: number[], lo: number[], hi: number[], kd: number[], id: number[], groups: number, flip: boolean): NativeArray {
  const shape = native.shape(x);
  let h = native.slice(x, [0, ...lo.map((v) => Math.max(0, -v)), 0], shape.map((n, i) => (i === 0 || i === shape.length - 1 ? n : n + Math.min(0, hi[i - 1]!))), null);
  id.forEach((f, i) => {
    if (f === 1) return;
    const s = native.shape(h), ax = i + 1;
    const widths = s.map((): number => 0);
    const spread = native.pad(native.expandDims(h, ax + 1), [...widths, 0], [...widths.slice(0, ax + 1), f - 1, ...widths.slice(ax + 1)], 'constant', 0);
    const merged = native.reshape(spread, [...s.slice(0, ax), s[ax]! * f, ...s.slice(ax + 1)]);
    h = native.slice(merged, s.map(() => 0), s.map((n, j) => (j === ax ? (n - 1) * f + 1 : n)), null);
  });
  const pos = (v: number[]): number[] => v.map((p) => Math.max(0, p));
  return native.convGeneral(h, w, stride, pos(lo), pos(hi), kd, id.map(() => 1), groups, flip);
}

/** The same op on handles, for MLX's vjp: MLX's own entry point where its vjp is right. */
function nativeConvOf(c: ConvCase): (x: NativeArray, w: NativeArray) => NativeArray {
  const [s, p, d, op, g] = [c.stride, c.padding, c.dilation, c.outputPadding, c.groups];
  const transposed = (x: NativeArray, w: NativeArray): NativeArray => {
    const k = native.shape(w).slice(1, -1), lo = p.map((v, i) => d[i]! * (k[i]! - 1) - v);
    return nativeDilatedConv(x, w, s.map(() => 1), lo, lo.map((v, i) => v + op[i]!), d, s, g, true);
  };
  const padded = op.some((v) => v > 0);
  switch (c.kind) {
    case 'convGeneral': return (x, w) => nativeDilatedConv(x, w, s, p, c.paddingHi, d, c.inputDilation, g, c.flip);
    case 'conv1d': return (x, w) => native.conv1d(x, w, s[0]!, p[0]!, d[0]!, g);
    case 'conv2d': return (x, w) => native.conv2d(x, w, s, p, d, g);
    case 'conv3d': return (x, w) => native.conv3d(x, w, s, p, d, g);
    case 'convTranspose1d': return padded ? transposed : (x, w) => native.convTranspose1d(x, w, s[0]!, p[0]!, d[0]!, 0, g);
    case 'convTranspose2d': return padded ? transposed : (x, w) => native.convTranspose2d(x, w, s, p, d, [0, 0], g);
  }
}

/** Distinct values at least 0.25 apart, so no window's maximum ties within a finite-difference step. */
const distinct = (s: number[]): fc.Arbitrary<Data> => {
  const n = s.reduce((a, b) => a * b, 1);
  return fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }).map((p) => ({ shape: s, values: p.map((v) => (v - n / 2) / 4) }));
};

interface PoolCase { x: Data; kernel: number[]; stride: number[]; padding: number[] }
const poolCases = (d: number): fc.Arbitrary<PoolCase> =>
  fc.tuple(axes(d, int(1, 3)), axes(d, int(1, 3)), axes(d, int(0, 1)), axes(d, int(0, 2)), int(1, 2), int(1, 2)).chain(([kernel, stride, pad, extra, n, ch]) => {
    const padding = pad.map((p, i) => (p && kernel[i]! >= 2 ? 1 : 0)); // at most half the kernel
    const size = kernel.map((k, i) => Math.max(1, k - 2 * padding[i]!) + extra[i]!);
    return distinct([n, ...size, ch]).map((x) => ({ x, kernel, stride, padding }));
  });

/** Max pooling on raw handles, as MLX would differentiate it: gather the windows, take their max. */
function nativeMaxPool(c: PoolCase, op: 'maxPool1d' | 'maxPool2d'): (x: NativeArray) => NativeArray {
  return (x) => {
    const shape = native.shape(x);
    const g = poolGeometry(op, mt.zeros(shape), c.kernel.length, c.kernel, c.stride, c.padding);
    const index = mt.tensor(Int32Array.from(g.base.flatMap((b) => g.offsets.map((t) => b + t))), 'int32');
    const low = [0, ...c.padding, 0];
    const xp = native.pad(x, low, low, 'constant', -Infinity);
    const windows = native.take(native.reshape(xp, [shape[0]!, -1, shape[shape.length - 1]!]), index.data, 1);
    const max = native.max(native.reshape(windows, [shape[0]!, g.base.length, g.offsets.length, -1]), 2, false);
    return native.reshape(max, [shape[0]!, ...g.out, shape[shape.length - 1]!]);
  };
}

const poolSpec = (op: 'maxPool1d' | 'maxPool2d') => spec({
  cases: poolCases(op === 'maxPool1d' ? 1 : 2),
  inputs: (c, dtype) => [toTensor(c.x, dtype)],
  fn: (c) => (x) => (op === 'maxPool1d' ? mt.maxPool1d(x, c.kernel[0]!, c.stride[0], c.padding[0]) : mt.maxPool2d(x, c.kernel, c.stride, c.padding)),
  oracle: (c) => nativeMaxPool(c, op),
});

export const convSpecs = {
  convGeneral: spec({
    cases: convCases,
    inputs: (c, dtype) => [toTensor(c.x, dtype), toTensor(c.w, dtype), ...(c.bias ? [toTensor(c.bias, dtype)] : [])],
    // MLX's CPU convolution has no float64 kernel for dilation, flips or
    // groups: check in float32, with tolerances for its rounding.
    fn: (c) => (x, w, bias) => mt.astype(convOf(c)(mt.astype(x, 'float32'), mt.astype(w, 'float32'), bias && mt.astype(bias, 'float32')), x.dtype),
    // MLX's convolutions take no bias: its oracle adds it after.
    oracle: (c) => (x, w, bias) => (bias ? native.add(nativeConvOf(c)(x, w), bias) : nativeConvOf(c)(x, w)),
    tol: { rtol: 1e-2, atol: 1e-2 },
  }),
  maxPool1d: poolSpec('maxPool1d'),
  maxPool2d: poolSpec('maxPool2d'),
};
