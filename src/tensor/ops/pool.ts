// Pooling over NLC / NHWC inputs. Windows are gathered with `take` along
// the flattened spatial axes of the padded input, by an index table built
// here. avgPool is a mean of those windows (its gradient comes from take's
// rule); maxPool is a primitive whose rule scatter-adds the cotangent into
// each window's argmax (src/autograd/grads/conv.ts).
// Non-overlapping windows without padding (stride = kernel, the common
// case) are a reshape instead, [N, o0, k0, o1, k1, C]: no gather (~5x
// faster), and maxPool's rule becomes a mask, no scatter. On the CPU and a
// CUDA GPU, max pooling over such windows and its rule are one kernel each
// instead (native/src/kernels.cc, cuda_kernels.cc; hasOwnKernel).
import { apply, noGrad } from '../../autograd/tape.js';
import { tidy } from '../memory.js';
import { hasOwnKernel, native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { multiply } from './elementwise.js';
import { slice, takeUnchecked } from './indexing.js';
import { max, sum } from './reduce.js';
import { pad, reshape } from './shape.js';

/** Where the windows of one pooling call lie. */
export interface PoolGeometry {
  kernel: number[];
  stride: number[];
  padding: number[];
  /** Output size per spatial axis. */
  out: number[];
  /** Padded input size per spatial axis. */
  padded: number[];
  /** Padded flat spatial index of each window's first element, per output position (made on first use: tiled windows need none). */
  readonly base: number[];
  /** Offset of each window element from the window's first, in window (row-major) order. */
  offsets: number[];
  /** stride = kernel and no padding: the windows tile the input, see {@link poolTiles}. */
  tiled: boolean;
}

const perAxis = (v: number | number[], n: number): number[] => (typeof v === 'number' ? Array(n).fill(v) : [...v]);

/** Checks the arguments of a pooling op over `d` spatial axes and lays out its windows. */
export function poolGeometry(op: string, x: Tensor, d: number, kernelSize: number | number[], stride?: number | number[], padding: number | number[] = 0): PoolGeometry {
  const layout = d === 1 ? 'N, L, C' : 'N, H, W, C';
  if (x.ndim !== d + 2) throw new RangeError(`[${op}] input must have ${d + 2} axes [${layout}], got shape [${x.shape.join(',')}]`);
  const kernel = perAxis(kernelSize, d), step = perAxis(stride ?? kernel, d), pads = perAxis(padding, d);
  const check = (name: string, v: number[], min: number): void => {
    if (v.length !== d || v.some((k) => !Number.isInteger(k) || k < min)) {
      throw new RangeError(`[${op}] ${name} must be ${d === 1 ? 'an integer' : `${d} integers`} >= ${min}, got [${v.join(',')}]`);
    }
  };
  check('kernelSize', kernel, 1);
  check('stride', step, 1);
  check('padding', pads, 0);
  // As PyTorch: every window then holds at least one input element.
  if (pads.some((p, i) => p > kernel[i]! / 2)) {
    throw new RangeError(`[${op}] padding [${pads.join(',')}] must be at most half the kernel size [${kernel.join(',')}]`);
  }
  const size = x.shape.slice(1, -1);
  const padded = size.map((s, i) => s + 2 * pads[i]!);
  const out = padded.map((p, i) => Math.floor((p - kernel[i]!) / step[i]!) + 1);
  if (out.some((o) => o < 1)) {
    throw new RangeError(`[${op}] kernel [${kernel.join(',')}] is larger than the padded input [${padded.join(',')}] of shape [${x.shape.join(',')}]`);
  }
  // Row-major strides of the padded spatial axes, to flatten positions.
  const strides = padded.map((_, i) => padded.slice(i + 1).reduce((a, b) => a * b, 1));
  const grid = (dims: number[], at: (idx: number[]) => number): number[] => {
    const list: number[] = [];
    const walk = (idx: number[]): void => {
      if (idx.length === dims.length) return void list.push(at(idx));
      for (let i = 0; i < dims[idx.length]!; i++) walk([...idx, i]);
    };
    walk([]);
    return list;
  };
  const offsets = grid(kernel, (t) => t.reduce((a, ti, i) => a + ti * strides[i]!, 0));
  const tiled = kernel.every((k, i) => step[i] === k && pads[i] === 0);
  let base: number[] | undefined;
  return {
    kernel, stride: step, padding: pads, out, padded, offsets, tiled,
    get base() {
      return (base ??= grid(out, (o) => o.reduce((a, oi, i) => a + oi * step[i]! * strides[i]!, 0)));
    },
  };
}

/** Each window's elements: [N, outputs, window, C], gathered from `x` padded with `fill`. */
export function poolWindows(x: Tensor, g: PoolGeometry, fill: number): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[x.ndim - 1]!];
  const xp = pad(x, [[0, 0], ...g.padding.map((p): [number, number] => [p, p]), [0, 0]], 'constant', fill);
  const index = Int32Array.from(g.base.flatMap((b) => g.offsets.map((t) => b + t)));
  // Every index is a position of the padded input by construction: no check needed.
  const windows = takeUnchecked(reshape(xp, [n, -1, c]), tensor(index, 'int32'), 1);
  return reshape(windows, [n, g.base.length, g.offsets.length, c]);
}

/**
 * The windows of a tiled geometry as a view: `x` cut to whole windows and
 * reshaped to [N, o0, k0, o1, k1, ..., C]; the window axes are {@link tileAxes}.
 */
export function poolTiles(x: Tensor, g: PoolGeometry): Tensor {
  const [n, c] = [x.shape[0]!, x.shape[x.ndim - 1]!];
  const used = tiledExtent(g);
  const whole = used.every((u, i) => u === x.shape[i + 1]) ? x : slice(x, x.shape.map(() => 0), [n, ...used, c]);
  return reshape(whole, [n, ...g.out.flatMap((o, i) => [o, g.kernel[i]!]), c]);
}

/** The extent the windows of a tiled geometry cover on each spatial axis (elements past it are in none). */
export const tiledExtent = (g: PoolGeometry): number[] => g.out.map((o, i) => o * g.kernel[i]!);

/** The window axes of {@link poolTiles}' view: 2, 4, ... */
export const tileAxes = (g: PoolGeometry): number[] => g.kernel.map((_, i) => 2 + 2 * i);

function maxPool(op: 'maxPool1d' | 'maxPool2d', x: Tensor, d: number, kernelSize: number | number[], stride?: number | number[], padding?: number | number[]): Tensor {
  const g = poolGeometry(op, x, d, kernelSize, stride, padding);
  if (g.tiled && hasOwnKernel(x.dtype)) {
    // Over relu's output: relu of the pooled input, the same values (both
    // are monotone), without relu's pass over the whole input; the rule
    // (src/autograd/grads/conv.ts) then sends the gradient to relu's input.
    const inner = x.reluInput;
    if (inner && !inner.isDisposed) {
      const pooled = native.maxPoolTiled(inner.data, g.kernel);
      const out = native.relu(pooled);
      native.dispose(pooled);
      // Relu's input takes the gradient only where relu was recorded (not under noGrad, nor past a backward that freed it).
      return apply(op, x.node?.inputs[0] === inner ? [x, inner] : [x], out, g);
    }
    return apply(op, [x], native.maxPoolTiled(x.data, g.kernel), g);
  }
  // The forward values, computed unrecorded; the op is recorded once, below, with its own rule.
  const out = tidy(() => noGrad(() => native.stopGradient(
    (g.tiled ? max(poolTiles(x, g), tileAxes(g)) : max(poolWindows(x, g, -Infinity), 2)).data,
  )));
  const shaped = native.reshape(out, [x.shape[0]!, ...g.out, x.shape[x.ndim - 1]!]);
  native.dispose(out);
  return apply(op, [x], shaped, g);
}

function avgPool(op: string, x: Tensor, d: number, kernelSize: number | number[], stride?: number | number[], padding?: number | number[]): Tensor {
  const g = poolGeometry(op, x, d, kernelSize, stride, padding);
  const mean = multiply(g.tiled ? sum(poolTiles(x, g), tileAxes(g)) : sum(poolWindows(x, g, 0), 2), 1 / g.offsets.length);
  return reshape(mean, [x.shape[0]!, ...g.out, x.shape[x.ndim - 1]!]);
}

/**
 * 1-d max pooling. Its gradient goes to each window's maximum; when several
 * elements tie, the first in the window gets all of it.
 * On the CPU and a CUDA GPU, over the output of {@link relu} with stride =
 * kernel and no padding, it pools relu's input and takes relu of the result:
 * the same values, without relu's pass over the whole input, forward or back.
 *
 * @param x - Input of shape `[N, L, C]`.
 * @param kernelSize - Window length.
 * @param stride - Step between windows (default `kernelSize`).
 * @param padding - Implicit `-Infinity` added at both ends, at most `kernelSize / 2` (default 0).
 * @returns Output of shape `[N, floor((L + 2 * padding - kernelSize) / stride) + 1, C]`.
 * @example
 * ```ts
 * mt.maxPool1d(mt.reshape(mt.tensor([1, 3, 2, 5]), [1, 4, 1]), 2).toArray(); // [[[3], [5]]]
 * ```
 * @group Pooling
 */
export function maxPool1d(x: Tensor, kernelSize: number, stride?: number, padding?: number): Tensor {
  return maxPool('maxPool1d', x, 1, kernelSize, stride, padding);
}

/**
 * 2-d max pooling. Its gradient goes to each window's maximum; when several
 * elements tie, the first in the window (row-major order) gets all of it.
 * On the CPU and a CUDA GPU, over the output of {@link relu} with stride =
 * kernel and no padding, it pools relu's input and takes relu of the result:
 * the same values, without relu's pass over the whole input, forward or back.
 *
 * @param x - Input of shape `[N, H, W, C]`.
 * @param kernelSize - Window size: one number or `[kH, kW]`.
 * @param stride - Step between windows (default `kernelSize`).
 * @param padding - Implicit `-Infinity` around each spatial axis, at most half the kernel (default 0).
 * @returns Output of shape `[N, H_out, W_out, C]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2, 3, 4]), [1, 2, 2, 1]);
 * mt.maxPool2d(x, 2).toArray(); // [[[[4]]]]
 * ```
 * @group Pooling
 */
export function maxPool2d(x: Tensor, kernelSize: number | number[], stride?: number | number[], padding?: number | number[]): Tensor {
  return maxPool('maxPool2d', x, 2, kernelSize, stride, padding);
}

/**
 * 1-d average pooling. Padding counts as zeros in the average (PyTorch's
 * default `count_include_pad`, MLX's `AvgPool1d`).
 *
 * @param x - Input of shape `[N, L, C]`.
 * @param kernelSize - Window length.
 * @param stride - Step between windows (default `kernelSize`).
 * @param padding - Zeros added at both ends, at most `kernelSize / 2` (default 0).
 * @returns Output of shape `[N, floor((L + 2 * padding - kernelSize) / stride) + 1, C]`.
 * @example
 * ```ts
 * mt.avgPool1d(mt.reshape(mt.tensor([1, 3, 2, 6]), [1, 4, 1]), 2).toArray(); // [[[2], [4]]]
 * ```
 * @group Pooling
 */
export function avgPool1d(x: Tensor, kernelSize: number, stride?: number, padding?: number): Tensor {
  return avgPool('avgPool1d', x, 1, kernelSize, stride, padding);
}

/**
 * 2-d average pooling. Padding counts as zeros in the average.
 *
 * @param x - Input of shape `[N, H, W, C]`.
 * @param kernelSize - Window size: one number or `[kH, kW]`.
 * @param stride - Step between windows (default `kernelSize`).
 * @param padding - Zeros around each spatial axis, at most half the kernel (default 0).
 * @returns Output of shape `[N, H_out, W_out, C]`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2, 3, 4]), [1, 2, 2, 1]);
 * mt.avgPool2d(x, 2).toArray(); // [[[[2.5]]]]
 * ```
 * @group Pooling
 */
export function avgPool2d(x: Tensor, kernelSize: number | number[], stride?: number | number[], padding?: number | number[]): Tensor {
  return avgPool('avgPool2d', x, 2, kernelSize, stride, padding);
}
