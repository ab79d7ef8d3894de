// Convolutions, in MLX's layout: input [N, ...spatial, C_in], weight
// [C_out, ...kernel, C_in / groups]. MLX writes every convolution as
// conv_general, and so do we: convGeneral is the one primitive (its rule is
// in src/autograd/grads/conv.ts), the others are convGeneral with MLX's
// parameters, so they are differentiable for free.
import { apply, isGradEnabled, noGrad } from '../../autograd/tape.js';
import { tidy } from '../memory.js';
import { native, type NativeArray } from '../native.js';
import { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { flip as flipAxes, slice } from './indexing.js';
import { concatenate, expandDims, reshape } from './shape.js';

/** Options of {@link conv1d}, {@link conv2d} and {@link conv3d}. */
export interface ConvOptions {
  /** Step between windows, per spatial axis or one for all (default 1). */
  stride?: number | number[];
  /** Zeros added at both ends of each spatial axis (default 0). */
  padding?: number | number[];
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
  /** Channel groups: input and output channels split into this many independent convolutions (default 1). */
  groups?: number;
  /** Added to each output channel: shape `[C_out]`, the weight's dtype (PyTorch's `bias` argument; the CPU adds it inside the product). */
  bias?: Tensor;
}

/** Options of the transposed convolutions. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one end of each output axis, to pick among the input sizes a strided convolution maps to the same output size (default 0). */
  outputPadding?: number | number[];
}

/** Options of {@link convGeneral}. */
export interface ConvGeneralOptions {
  /** Step between windows (default 1). */
  stride?: number | number[];
  /** Zeros before and after each spatial axis: one number, one per axis, or `[low, high]` lists (default 0). Negative padding crops the input before input dilation, as in MLX. */
  padding?: number | number[] | [number[], number[]];
  /** Spacing between kernel taps (default 1). */
  kernelDilation?: number | number[];
  /** Spacing put between input elements (default 1; a transposed convolution's stride). */
  inputDilation?: number | number[];
  /** Channel groups (default 1). */
  groups?: number;
  /** Flip the kernel's spatial axes: true convolution rather than cross-correlation (default false). */
  flip?: boolean;
  /** Added to each output channel: shape `[C_out]`, the weight's dtype. */
  bias?: Tensor;
}

/**
 * One value per spatial axis: a number or a 1-list is repeated (as MLX
 * does); longer lists are kept for MLX to check. Checked to be integers here,
 * so that the message names the op the user called.
 */
function perAxis(op: string, name: string, v: number | number[] | undefined, n: number, fallback: number): number[] {
  const list = v === undefined ? Array(n).fill(fallback) : typeof v === 'number' ? Array(n).fill(v) : v.length === 1 ? Array(n).fill(v[0]) : [...v];
  if (!list.every((x) => Number.isInteger(x))) throw new TypeError(`[${op}] ${name} must be integers, got ${JSON.stringify(v)}`);
  return list;
}

/**
 * General convolution, MLX's `conv_general`: strides, low/high padding,
 * kernel and input dilation, groups and kernel flip, over 1 to 3 spatial axes.
 * On the CPU, MLX computes float64 convolutions at float32 precision and
 * has no float64 kernel for dilation, flips or groups (an error at eval).
 *
 * @param input - Input of shape `[N, ...spatial, C_in]`.
 * @param weight - Kernel of shape `[C_out, ...kernel, C_in / groups]`.
 * @param options - Stride, padding, kernel and input dilation, groups, flip, bias.
 * @returns Output of shape `[N, ...spatialOut, C_out]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2, 3]), [1, 3, 1]);
 * const w = mt.reshape(mt.tensor([1, 10]), [1, 2, 1]);
 * mt.convGeneral(x, w, { inputDilation: 2 }).toArray(); // [[[1], [20], [2], [30]]] (x dilated to [1, 0, 2, 0, 3])
 * ```
 * @see MLX `conv_general`
 * @group Convolution
 */
export function convGeneral(input: Tensor, weight: Tensor, options: ConvGeneralOptions = {}): Tensor {
  const n = Math.max(input.ndim - 2, 1);
  const p = options.padding;
  const pair = Array.isArray(p) && Array.isArray(p[0]);
  const at = (name: string, v: number | number[] | undefined, fallback: number): number[] => perAxis('convGeneral', name, v, n, fallback);
  let lo = at('padding', pair ? (p as number[][])[0] : (p as number | number[] | undefined), 0);
  let hi = at('padding', pair ? (p as number[][])[1] : (p as number | number[] | undefined), 0);
  const stride = at('stride', options.stride, 1);
  const kernelDilation = at('kernelDilation', options.kernelDilation, 1);
  const inputDilation = at('inputDilation', options.inputDilation, 1);
  const { groups = 1, flip = false, bias } = options;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0] || bias.dtype !== weight.dtype)) {
    throw new TypeError(`[convGeneral] bias must have shape [${weight.shape[0]}] and dtype ${weight.dtype} (the weight's C_out and dtype), got shape [${bias.shape.join(',')}] and dtype ${bias.dtype}`);
  }
  // MLX crops the input for negative padding inside conv_general; crop it
  // here, with our own slice, so that the recorded op only pads.
  let x = input;
  if ([...lo, ...hi].some((v) => v < 0) && lo.length === n && hi.length === n && input.ndim === n + 2) {
    const start = [0, ...lo.map((v) => Math.max(0, -v)), 0];
    const stop = [...input.shape].map((d, i) => (i === 0 || i === n + 1 ? d : d + Math.min(0, hi[i - 1]!)));
    x = slice(input, start, stop);
    lo = lo.map((v) => Math.max(0, v));
    hi = hi.map((v) => Math.max(0, v));
  }
  // Arguments MLX would refuse go to MLX as they are, for its own error.
  const valid = x.ndim === n + 2 && weight.ndim === n + 2 && inputDilation.length === n && inputDilation.every((d) => Number.isInteger(d) && d >= 1);
  const device = native.defaultDevice();
  const attrs: ConvAttrs = { stride, paddingLo: lo, paddingHi: hi, kernelDilation, inputDilation, groups, flip };
  if (device === 'cpu' && valid && isPlainConv(x, weight, attrs) && byIm2colFits(x, weight, stride, lo, hi, kernelDilation)) {
    return convByIm2col(x, weight, bias, attrs);
  }
  const out = device === 'gpu' && valid && (flip || inputDilation.some((d) => d !== 1))
    ? plainConvOnGpu(x, weight, stride, lo, hi, kernelDilation, inputDilation, groups, flip)
    : native.convGeneral(x.data, weight.data, stride, lo, hi, kernelDilation, inputDilation, groups, flip);
  if (!bias) return apply('convGeneral', [x, weight], out, attrs);
  try {
    return apply('convGeneral', [x, weight, bias], native.add(out, bias.data), attrs);
  } finally {
    native.dispose(out);
  }
}

/**
 * convGeneral's arguments, as its rule (src/autograd/grads/conv.ts) reads
 * them; `cols`: the input's im2col rows, when the forward made them and the
 * weight's gradient will want them.
 */
export interface ConvAttrs {
  stride: number[];
  paddingLo: number[];
  paddingHi: number[];
  kernelDilation: number[];
  inputDilation: number[];
  groups: number;
  flip: boolean;
  cols?: Tensor;
}

/**
 * A float32, non-empty convolution without dilation, groups or flip: it and
 * its gradients can run as matmuls over im2col's window rows (here and in
 * src/autograd/grads/conv.ts).
 */
export function isPlainConv(x: Tensor, w: Tensor, a: { kernelDilation: number[]; inputDilation: number[]; groups: number; flip: boolean }): boolean {
  if (a.flip || a.groups !== 1 || [...a.kernelDilation, ...a.inputDilation].some((v) => v !== 1)) return false;
  return x.dtype === 'float32' && w.dtype === 'float32' && x.size > 0 && w.size > 0;
}

/**
 * Whether a plain convolution's arguments hold one value per spatial axis,
 * with matching channels and windows that fit; anything else goes to MLX,
 * for its own error.
 */
function byIm2colFits(x: Tensor, w: Tensor, stride: number[], lo: number[], hi: number[], kernelDilation: number[]): boolean {
  const n = x.ndim - 2;
  if ([stride, lo, hi, kernelDilation].some((v) => v.length !== n) || x.shape[n + 1] !== w.shape[n + 1]) return false;
  if (stride.some((v) => !Number.isInteger(v) || v < 1) || [...lo, ...hi].some((v) => !Number.isInteger(v) || v < 0)) return false;
  return w.shape.slice(1, -1).every((k, i) => x.shape[i + 1]! + lo[i]! + hi[i]! >= k);
}

/**
 * A plain float32 convolution on the CPU as im2col (our kernel,
 * native/src/kernels.cc) and one matmul: the products MLX's own CPU conv
 * makes (the same bits on W2's convs) without its slower strided copy; W2's
 * second conv 4.3-5.7 -> 3.3-3.7 ms. When the op is recorded and the
 * weight wants a gradient, the rows stay in `attrs.cols` for the rule's
 * colsᵀ · dy, which then makes no second im2col.
 */
function convByIm2col(x: Tensor, w: Tensor, bias: Tensor | undefined, attrs: ConvAttrs): Tensor {
  const { stride, paddingLo: lo, paddingHi: hi } = attrs;
  const k = w.shape.slice(1, -1), cout = w.shape[0]!;
  const out = k.map((ki, i) => Math.floor((x.shape[i + 1]! + lo[i]! + hi[i]! - ki) / stride[i]!) + 1);
  const cols = native.im2col(x.data, k, stride, lo, hi);
  const rows = native.reshape(w.data, [cout, -1]);
  const width = k.reduce((a, b) => a * b, x.shape[x.ndim - 1]!);
  // The bias goes in with the product (the output starts from it, and sgemm
  // adds to it): no pass of its own over the output.
  const wT = isNarrow(width, cout) ? native.transpose(rows, [1, 0]) : null;
  const product = wT ? native.matmulNarrow(cols, wT, false, bias?.data) : native.linear(cols, rows, bias?.data ?? null);
  const saveCols = isGradEnabled() && w.requiresGrad;
  try {
    const inputs = bias ? [x, w, bias] : [x, w];
    return apply('convGeneral', inputs, native.reshape(product, [x.shape[0]!, ...out, cout]), saveCols ? { ...attrs, cols: new Tensor(cols) } : attrs);
  } finally {
    for (const h of [saveCols ? null : cols, rows, wT, product]) if (h) native.dispose(h);
  }
}

/**
 * Whether a float32 product on the CPU with an inner side of `k` (im2col's
 * row width) and `n` output columns takes native.matmulNarrow: a single
 * input channel's 3x3 rows are 9 wide, which OpenBLAS runs at a seventh of
 * its rate. The limits are kNarrowK and kNarrowN of native/src/kernels.cc.
 */
export const isNarrow = (k: number, n: number): boolean => k <= 16 && n <= 256 && native.defaultDevice() === 'cpu';

/**
 * The same convolution without input dilation or kernel flip, which MLX 0.32.4's
 * CUDA backend gets wrong once convolutions of other shapes ran in the process
 * (transposed convolutions and input gradients; seen in MLX-Python too, see
 * test/tensor/conv.test.ts): the input is dilated with zeros and the kernel
 * flipped here, unrecorded, and MLX gets a plain convolution.
 */
function plainConvOnGpu(x: Tensor, w: Tensor, stride: number[], lo: number[], hi: number[], kernelDilation: number[], inputDilation: number[], groups: number, flip: boolean): NativeArray {
  const spatial = inputDilation.map((_, i) => i + 1);
  const [xd, wd] = tidy(() => noGrad(() => {
    let xx = x;
    for (const axis of spatial) {
      const s = inputDilation[axis - 1]!, len = xx.shape[axis]!;
      if (s === 1 || len === 0) continue;
      // [.., L, ..] -> [.., L, s, ..] with zeros after each element -> [.., (L - 1) * s + 1, ..]
      const gaps = zeros([...xx.shape.slice(0, axis + 1), s - 1, ...xx.shape.slice(axis + 1)], xx.dtype);
      const spread = reshape(concatenate([expandDims(xx, axis + 1), gaps], axis + 1), [...xx.shape.slice(0, axis), len * s, ...xx.shape.slice(axis + 1)]);
      xx = slice(spread, spread.shape.map(() => 0), spread.shape.map((d, i) => (i === axis ? (len - 1) * s + 1 : d)));
    }
    const ww = flip ? flipAxes(w, spatial) : w;
    // New handles: tidy frees the tensors above, these two are freed below.
    return [native.alias(xx.data), native.alias(ww.data)];
  }));
  try {
    return native.convGeneral(xd!, wd!, stride, lo, hi, kernelDilation, inputDilation.map(() => 1), groups, false);
  } finally {
    native.dispose(xd!);
    native.dispose(wd!);
  }
}

/** MLX's conv1d/2d/3d take any input rank (a 1-list broadcasts); ours check it. */
function checkRank(op: string, input: Tensor, weight: Tensor, n: number): void {
  const layout = n === 1 ? 'N, L, C' : n === 2 ? 'N, H, W, C' : 'N, D, H, W, C';
  if (input.ndim !== n + 2) throw new RangeError(`[${op}] input must have ${n + 2} axes [${layout}], got shape [${input.shape.join(',')}]`);
  if (weight.ndim !== n + 2) throw new RangeError(`[${op}] weight must have ${n + 2} axes [C_out, ...kernel, C_in], got shape [${weight.shape.join(',')}]`);
}

function conv(op: string, n: number, input: Tensor, weight: Tensor, o: ConvOptions): Tensor {
  checkRank(op, input, weight, n);
  const padding = perAxis(op, 'padding', o.padding, n, 0);
  const [stride, dilation] = [perAxis(op, 'stride', o.stride, n, 1), perAxis(op, 'dilation', o.dilation, n, 1)];
  return convGeneral(input, weight, { stride, padding: [padding, padding], kernelDilation: dilation, groups: o.groups, bias: o.bias });
}

/**
 * 1-d convolution (cross-correlation, as in every framework).
 *
 * @param input - Input of shape `[N, L, C_in]`.
 * @param weight - Kernel of shape `[C_out, K, C_in / groups]`.
 * @param options - Stride, padding, dilation, groups, bias.
 * @returns Output of shape `[N, L_out, C_out]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2, 3, 4]), [1, 4, 1]);
 * mt.conv1d(x, mt.ones([1, 2, 1])).toArray(); // [[[3], [5], [7]]]
 * ```
 * @group Convolution
 */
export function conv1d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  return conv('conv1d', 1, input, weight, options);
}

/**
 * 2-d convolution (cross-correlation).
 *
 * @param input - Input of shape `[N, H, W, C_in]`.
 * @param weight - Kernel of shape `[C_out, KH, KW, C_in / groups]`.
 * @param options - Stride, padding, dilation (one number or one per axis), groups, bias.
 * @returns Output of shape `[N, H_out, W_out, C_out]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2, 3, 4]), [1, 2, 2, 1]);
 * mt.conv2d(x, mt.ones([1, 2, 2, 1]), { padding: [0, 0] }).toArray(); // [[[[10]]]]
 * ```
 * @group Convolution
 */
export function conv2d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  return conv('conv2d', 2, input, weight, options);
}

/**
 * 3-d convolution (cross-correlation). MLX supports groups only in 1-d and 2-d.
 *
 * @param input - Input of shape `[N, D, H, W, C_in]`.
 * @param weight - Kernel of shape `[C_out, KD, KH, KW, C_in]`.
 * @param options - Stride, padding, dilation (one number or one per axis), bias.
 * @returns Output of shape `[N, D_out, H_out, W_out, C_out]`.
 * @example
 * ```ts
 * mt.conv3d(mt.ones([1, 2, 2, 2, 1]), mt.ones([1, 2, 2, 2, 1])).toArray(); // [[[[[8]]]]]
 * ```
 * @group Convolution
 */
export function conv3d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  return conv('conv3d', 3, input, weight, options);
}

/**
 * A transposed convolution as MLX writes it: the input dilated by the
 * stride, padded by `dilation * (K - 1) - padding` (plus `outputPadding` at
 * the high end), convolved with the flipped kernel.
 */
function convTranspose(op: string, n: number, input: Tensor, weight: Tensor, o: ConvTransposeOptions): Tensor {
  checkRank(op, input, weight, n);
  const at = (name: string, v: number | number[] | undefined, fallback: number): number[] => perAxis(op, name, v, n, fallback);
  const [padding, dilation, extra, stride] = [at('padding', o.padding, 0), at('dilation', o.dilation, 1), at('outputPadding', o.outputPadding, 0), at('stride', o.stride, 1)];
  const lo = padding.map((p, i) => dilation[i]! * (weight.shape[i + 1]! - 1) - p);
  const hi = lo.map((l, i) => l + extra[i]!);
  return convGeneral(input, weight, { padding: [lo, hi], kernelDilation: dilation, inputDilation: stride, groups: o.groups, flip: true, bias: o.bias });
}

/**
 * 1-d transposed convolution (the gradient of {@link conv1d} with respect to its input).
 *
 * @param input - Input of shape `[N, L, C_in]`.
 * @param weight - Kernel of shape `[C_out, K, C_in / groups]`.
 * @param options - Stride, padding, dilation, outputPadding, groups, bias.
 * @returns Output of shape `[N, (L - 1) * stride - 2 * padding + dilation * (K - 1) + outputPadding + 1, C_out]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2]), [1, 2, 1]);
 * mt.convTranspose1d(x, mt.ones([1, 2, 1]), { stride: 2 }).toArray(); // [[[1], [1], [2], [2]]]
 * ```
 * @see MLX `conv_transpose1d`
 * @group Convolution
 */
export function convTranspose1d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  return convTranspose('convTranspose1d', 1, input, weight, options);
}

/**
 * 2-d transposed convolution.
 *
 * @param input - Input of shape `[N, H, W, C_in]`.
 * @param weight - Kernel of shape `[C_out, KH, KW, C_in / groups]`.
 * @param options - Stride, padding, dilation, outputPadding (one number or one per axis), groups, bias.
 * @returns Output of shape `[N, H_out, W_out, C_out]`, each axis as in {@link convTranspose1d}.
 * @example
 * ```ts
 * mt.convTranspose2d(mt.ones([1, 1, 1, 1]), mt.ones([1, 2, 2, 1])).shape; // [1, 2, 2, 1]
 * ```
 * @see MLX `conv_transpose2d`
 * @group Convolution
 */
export function convTranspose2d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  return convTranspose('convTranspose2d', 2, input, weight, options);
}

/**
 * 3-d transposed convolution. MLX supports groups only in 1-d and 2-d.
 *
 * @param input - Input of shape `[N, D, H, W, C_in]`.
 * @param weight - Kernel of shape `[C_out, KD, KH, KW, C_in]`.
 * @param options - Stride, padding, dilation, outputPadding (one number or one per axis), bias.
 * @returns Output of shape `[N, D_out, H_out, W_out, C_out]`, each axis as in {@link convTranspose1d}.
 * @example
 * ```ts
 * mt.convTranspose3d(mt.ones([1, 1, 1, 1, 1]), mt.ones([1, 2, 2, 2, 1]), { stride: 2 }).shape; // [1, 2, 2, 2, 1]
 * ```
 * @see MLX `conv_transpose3d`
 * @group Convolution
 */
export function convTranspose3d(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  return convTranspose('convTranspose3d', 3, input, weight, options);
}
