// Rules for convGeneral, which every convolution is (MLX Convolution::vjp),
// and for max pooling. Per spatial axis, with stride s, padding lo/hi (never
// negative: convGeneral crops first), kernel dilation dk, input dilation di
// and kernel size k, the forward pass is
//   out[o] = sum_t xp[o*s + t*dk] * w[t]   (w flipped when `flip`)
// where xp is the input dilated by di and padded. Both gradients are
// convolutions again, with the roles of stride and dilation exchanged; in
// the common float32 case the weight's is one matmul over im2col(x) instead.
import {
  add, argmax, convGeneral, equal, flip, matmul, max, pad, reshape, slice, sum, swapaxes, tensor, transpose, where, zeros,
} from '../../tensor/ops/index.js';
import { isNarrow, isPlainConv, type ConvAttrs } from '../../tensor/ops/conv.js';
import { scatterAddAxisUnchecked, takeUnchecked } from '../../tensor/ops/indexing.js';
import { poolTiles, poolWindows, tileAxes, tiledExtent, type PoolGeometry } from '../../tensor/ops/pool.js';
import { hasOwnKernel, native } from '../../tensor/native.js';
import { Tensor } from '../../tensor/tensor.js';
import { isGradEnabled, noGrad } from '../tape.js';
import { maskedBy } from './elementwise.js';
import { wants, type GradRule, type GradTable } from './rule.js';

/**
 * Swaps the first and last axes of a [A, ..., B] tensor within each of
 * `groups` groups of its first axis: [G*A', ..., B] -> [G*B, ..., A'].
 */
function groupSwap(w: Tensor, groups: number): Tensor {
  if (groups === 1) return swapaxes(w, 0, -1);
  const [a, ...rest] = w.shape as number[];
  const grouped = swapaxes(reshape(w, [groups, a! / groups, ...rest]), 1, -1);
  return reshape(grouped, [groups * rest[rest.length - 1]!, ...rest.slice(0, -1), a! / groups]);
}

/**
 * A padding that may be negative, made non-negative by adding whole output
 * steps (each `step` more input adds one output); returns how many outputs
 * that added, to slice off. MLX's conv would crop before input dilation.
 */
function raise(pad: number, step: number): [number, number] {
  const m = pad < 0 ? Math.ceil(-pad / step) : 0;
  return [pad + m * step, m];
}

/** `g` cut to `size` along each spatial axis, starting at `start`. */
function crop(g: Tensor, start: number[], size: number[]): Tensor {
  if (start.every((v, i) => v === 0 && g.shape[i + 1] === size[i])) return g;
  const last = g.shape[g.ndim - 1]!;
  return slice(g, [0, ...start, 0], [g.shape[0]!, ...start.map((v, i) => v + size[i]!), last]);
}

/**
 * dx: the cotangent dilated by the stride, padded so that each input
 * position meets the kernel taps that read it, convolved with the flipped
 * kernel whose in/out channels are swapped per group.
 */
function inputGrad(dy: Tensor, x: Tensor, w: Tensor, a: ConvAttrs): Tensor {
  const n = x.shape.slice(1, -1), k = w.shape.slice(1, -1), o = dy.shape.slice(1, -1);
  const lo: number[] = [], hi: number[] = [], start: number[] = [];
  n.forEach((ni, i) => {
    const span = a.kernelDilation[i]! * (k[i]! - 1), di = a.inputDilation[i]!;
    const [l, m] = raise(span - a.paddingLo[i]!, di);
    lo.push(l), start.push(m);
    hi.push(raise((ni - 1) * di + a.paddingLo[i]! - (o[i]! - 1) * a.stride[i]!, di)[0]);
  });
  const g = convGeneral(dy, groupSwap(w, a.groups), {
    stride: a.inputDilation, padding: [lo, hi], kernelDilation: a.kernelDilation,
    inputDilation: a.stride, groups: a.groups, flip: !a.flip,
  });
  return crop(g, start, n);
}

/**
 * dw[t] = sum over batch and outputs of dy[o] * xp[o*s + t*dk]: a
 * convolution of the input (batch as channels) with the cotangent as kernel,
 * stride dk and kernel dilation s. The high padding stops at the last input
 * position any output read.
 */
function weightGrad(dy: Tensor, x: Tensor, w: Tensor, a: ConvAttrs): Tensor {
  const n = x.shape.slice(1, -1), k = w.shape.slice(1, -1), o = dy.shape.slice(1, -1);
  const G = a.groups, N = x.shape[0]!, C = x.shape[x.ndim - 1]!;
  const hi = n.map((ni, i) => raise(
    a.kernelDilation[i]! * (k[i]! - 1) + (o[i]! - 1) * a.stride[i]! - a.paddingLo[i]! - (ni - 1) * a.inputDilation[i]!,
    a.kernelDilation[i]!,
  )[0]);
  // [N, ..., G*C'] -> [C', ..., G*N]: batch becomes the channels, grouped as the kernel's.
  const xT = reshape(swapaxes(reshape(x, [N, ...n, G, C / G]), 0, -1), [C / G, ...n, G * N]);
  const g = convGeneral(xT, swapaxes(dy, 0, -1), {
    stride: a.kernelDilation, padding: [a.paddingLo, hi], kernelDilation: a.stride,
    inputDilation: a.inputDilation, groups: G,
  });
  const dw = swapaxes(crop(g, k.map(() => 0), k), 0, -1);
  return a.flip ? flip(dw, k.map((_, i) => i + 1)) : dw;
}

/**
 * Max pooling: each window's cotangent goes to the window's argmax, by a
 * scatter-add into a zero (padded) input, so overlapping windows add up.
 * Ties: argmax takes the first maximum in window (row-major) order, which
 * gets the whole gradient.
 */
function maxPoolGrad(dy: Tensor, x: Tensor, g: PoolGeometry): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[x.ndim - 1]!], o = g.base.length;
  const first = noGrad(() => argmax(poolWindows(x, g, -Infinity), 2)); // [N, O, C]: index within the window
  const offsets = tensor(Int32Array.from(g.offsets), 'int32');
  const pos = add(takeUnchecked(offsets, first, 0), tensor(Int32Array.from(g.base), 'int32', [1, o, 1]));
  const size = g.padded.reduce((a, b) => a * b, 1);
  const dxp = scatterAddAxisUnchecked(zeros([n, size, c], dy.dtype), pos, reshape(dy, [n, o, c]), 1);
  // Positions in the padding (only a window of -Infinity can pick one) are dropped.
  const start = [0, ...g.padding, 0];
  return slice(reshape(dxp, [n, ...g.padded, c]), start, [...x.shape].map((d, i) => start[i]! + d));
}

/**
 * Max pooling over tiled windows (stride = kernel, no padding): each
 * window's cotangent selected at its winner, no gather or scatter. The same
 * tie rule: each window position gets a rank, highest first in row-major
 * order; the winner is the highest-ranked position equal to the maximum.
 * A window whose maximum is NaN (equal to nothing) passes no gradient.
 * Selects, not mask products: the other positions get 0 even from a NaN
 * cotangent, as from the scatter and the kernels, and the GPU runs two
 * kernels fewer. On the CPU and a CUDA GPU one kernel does all that, unless
 * the gradient is itself recorded (createGraph), which needs the composition.
 */
function tiledMaxPoolGrad(dy: Tensor, x: Tensor, out: Tensor, g: PoolGeometry): Tensor {
  if (hasOwnKernel(x.dtype) && dy.dtype === x.dtype && !isGradEnabled()) {
    return new Tensor(native.maxPoolTiledGrad(x.data, out.data, dy.data, g.kernel));
  }
  const [n, c] = [x.shape[0]!, x.shape[x.ndim - 1]!];
  const k = g.kernel.reduce((a, b) => a * b, 1);
  // uint8 where it fits: the mask passes then move a quarter of the bytes.
  const rank = tensor(Int32Array.from({ length: k }, (_, i) => k - i), k < 256 ? 'uint8' : 'int32', [1, ...g.kernel.flatMap((ki) => [1, ki]), 1]);
  const split = (t: Tensor): Tensor => reshape(t, [n, ...g.out.flatMap((o) => [o, 1]), c]); // [N, o0, 1, o1, 1, C]
  const best = max(where(equal(poolTiles(x, g), split(out)), rank, 0), tileAxes(g), true);
  const used = tiledExtent(g);
  const dx = reshape(where(equal(best, rank), split(dy), 0), [n, ...used, c]);
  // Elements past the last whole window are in no window.
  return used.every((u, i) => u === x.shape[i + 1]) ? dx : pad(dx, [[0, 0], ...used.map((u, i): [number, number] => [0, x.shape[i + 1]! - u]), [0, 0]]);
}

const maxPoolRule = (dy: Tensor, x: Tensor, out: Tensor, g: PoolGeometry): Tensor => (g.tiled ? tiledMaxPoolGrad(dy, x, out, g) : maxPoolGrad(dy, x, g));

/**
 * Inputs [x], or [x, inner] when x is relu(inner) and the values were pooled
 * from inner (src/tensor/ops/pool.ts). Then, unless x's own gradient is read,
 * each window's cotangent goes straight to inner's first maximum where that
 * is positive (relu's gradient is 1 there, 0 elsewhere): no pass over the
 * whole input for relu's gradient. The same numbers for finite cotangents.
 */
const poolRule: GradRule = (dy, { inputs: [x, inner], attrs, out, observed }) => {
  const g = attrs as PoolGeometry;
  if (!inner) return [maxPoolRule(dy, x!, out, g)];
  if (observed(x!)) return [maxPoolRule(dy, x!, out, g), null];
  return [null, maxPoolRule(maskedBy(dy, out, 'greater', 0), inner, out, g)];
};

/**
 * Whether dw can be dyᵀ · im2col(x), one matmul. weightGrad's convolution
 * form would im2col the transposed input with the whole image as kernel,
 * ~1.5x slower for W2's conv. im2col(x) is a constant of the tape, so a
 * gradient that is itself differentiated with respect to x keeps the
 * convolution form.
 */
const byIm2col = (x: Tensor, w: Tensor, a: ConvAttrs): boolean => isPlainConv(x, w, a) && !(isGradEnabled() && x.requiresGrad);

/**
 * Whether dx can be col2im(dy · w), one matmul and the CPU's overlap-add
 * kernel (native/src/kernels.cc): 2-3x faster than inputGrad's flipped
 * convolution for W2's second conv. Not when the gradient is itself
 * recorded: col2im has no rule.
 */
const byCol2im = (x: Tensor, w: Tensor, a: ConvAttrs): boolean => isPlainConv(x, w, a) && native.defaultDevice() === 'cpu' && !isGradEnabled();

/** dx = col2im(dy · w), dy as [N * prod(out), C_out] and w as [C_out, prod(kernel) * C_in]. */
function inputGradByCol2im(dy: Tensor, x: Tensor, w: Tensor, a: ConvAttrs): Tensor {
  const cols = matmul(reshape(dy, [-1, w.shape[0]!]), reshape(w, [w.shape[0]!, -1]));
  return new Tensor(native.col2im(cols.data, [...x.shape], w.shape.slice(1, -1), a.stride, a.paddingLo, a.paddingHi));
}

/**
 * dw = dyᵀ · im2col(x), im2col(x) being [N * prod(out), prod(kernel) * C];
 * as (colsᵀ · dy)ᵀ when the window rows are narrower than the output
 * channels: OpenBLAS ran W2's first conv (9 against 32) 2x faster so, and
 * its second (288 against 64) 15% slower.
 */
function weightGradByIm2col(dy: Tensor, x: Tensor, w: Tensor, a: ConvAttrs): Tensor {
  // The forward's rows, unless their scope has ended since.
  const cols = a.cols && !a.cols.isDisposed ? a.cols : new Tensor(native.im2col(x.data, w.shape.slice(1, -1), a.stride, a.paddingLo, a.paddingHi));
  const dyRows = reshape(dy, [-1, w.shape[0]!]);
  if (!isGradEnabled() && dy.dtype === 'float32' && isNarrow(cols.shape[1]!, w.shape[0]!)) {
    return reshape(transpose(new Tensor(native.matmulNarrow(cols.data, dyRows.data, true))), [...w.shape]);
  }
  const dw = cols.shape[1]! < w.shape[0]! ? transpose(matmul(transpose(cols), dyRows)) : matmul(transpose(dyRows), cols);
  return reshape(dw, [...w.shape]);
}

/** The bias's gradient: dy summed over every axis but the channels. */
const biasGrad = (dy: Tensor): Tensor => sum(dy, dy.shape.slice(0, -1).map((_, i) => i));

export const convGrads = {
  // inputs: [x, w] or [x, w, bias]
  convGeneral: (dy, { inputs: [x, w, b], attrs }) => [
    !wants(x) ? null
      : byCol2im(x!, w!, attrs as ConvAttrs) ? inputGradByCol2im(dy, x!, w!, attrs as ConvAttrs)
      : inputGrad(dy, x!, w!, attrs as ConvAttrs),
    !wants(w) ? null
      : byIm2col(x!, w!, attrs as ConvAttrs) ? weightGradByIm2col(dy, x!, w!, attrs as ConvAttrs)
      : weightGrad(dy, x!, w!, attrs as ConvAttrs),
    ...(b ? [wants(b) ? biasGrad(dy) : null] : []),
  ],
  maxPool1d: poolRule,
  maxPool2d: poolRule,
} satisfies GradTable;
