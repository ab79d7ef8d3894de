// Initializers, as MLX's nn.init: each call returns a function from a tensor
// (or a shape) to a new tensor of that shape, so `model.apply(init.heNormal())` works.
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { withDevice } from '../tensor/device.js';
import { full, tensor } from '../tensor/ops/index.js';
import { normal as randomNormal, uniform as randomUniform } from '../tensor/ops/random.js';

/** Makes a tensor shaped like `a` (a tensor or a shape); `gain` scales it where the formula has one. */
export type Initializer = (a: Tensor | number[], gain?: number) => Tensor;

const shapeOf = (a: Tensor | number[]): number[] => (a instanceof Tensor ? [...a.shape] : a);
const dtypeOf = (a: Tensor | number[], dtype?: DType): DType => dtype ?? (a instanceof Tensor ? a.dtype : 'float32');

/**
 * `[fanIn, fanOut]` of a weight in MLX's layout (`[out, ...kernel, in]`):
 * `[in · k, out · k]` with `k` the kernel size (1 for a matrix).
 *
 * @param shape - A weight's shape, at least 2 axes.
 * @returns `[fanIn, fanOut]`.
 * @example
 * ```ts
 * nn.init.fans([64, 3, 3, 16]); // [144, 576]
 * ```
 * @group Init
 */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) throw new RangeError(`[init] fan in/out needs a weight of at least 2 axes, got shape [${shape.join(',')}]`);
  const k = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 1]! * k, shape[0]! * k];
}

/**
 * Fills with `value`.
 * @param value - The value.
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer.
 * @example
 * ```ts
 * nn.init.constant(0.5)([2]).toArray(); // [0.5, 0.5]
 * ```
 * @group Init
 */
export function constant(value: number, dtype?: DType): Initializer {
  return (a) => full(shapeOf(a), value, dtypeOf(a, dtype));
}

/**
 * Samples from N(mean, std²).
 * @param mean - The mean (default 0).
 * @param std - The standard deviation (default 1).
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer.
 * @example
 * ```ts
 * nn.init.normal(0, 0.02)([3, 4]).shape; // [3, 4]
 * ```
 * @group Init
 */
export function normal(mean = 0, std = 1, dtype?: DType): Initializer {
  return (a) => randomNormal(shapeOf(a), { loc: mean, scale: std, dtype: dtypeOf(a, dtype) });
}

/**
 * Samples from U(low, high).
 * @param low - The lower bound (default 0).
 * @param high - The upper bound (default 1).
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer.
 * @example
 * ```ts
 * nn.init.uniform(-0.1, 0.1)([3]).shape; // [3]
 * ```
 * @group Init
 */
export function uniform(low = 0, high = 1, dtype?: DType): Initializer {
  return (a) => randomUniform(shapeOf(a), { low, high, dtype: dtypeOf(a, dtype) });
}

/**
 * Glorot/Xavier normal: N(0, σ²) with σ = gain · √(2 / (fanIn + fanOut)).
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer; its `gain` defaults to 1.
 * @example
 * ```ts
 * nn.init.glorotNormal()([64, 32]).shape; // [64, 32]
 * ```
 * @see MLX `glorot_normal`
 * @group Init
 */
export function glorotNormal(dtype?: DType): Initializer {
  return (a, gain = 1) => {
    const [fi, fo] = fans(shapeOf(a));
    return normal(0, gain * Math.sqrt(2 / (fi + fo)), dtype)(a);
  };
}

/**
 * Glorot/Xavier uniform: U(−b, b) with b = gain · √(6 / (fanIn + fanOut)).
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer; its `gain` defaults to 1.
 * @example
 * ```ts
 * nn.init.glorotUniform()([64, 32]).shape; // [64, 32]
 * ```
 * @see MLX `glorot_uniform`
 * @group Init
 */
export function glorotUniform(dtype?: DType): Initializer {
  return (a, gain = 1) => {
    const [fi, fo] = fans(shapeOf(a));
    const b = gain * Math.sqrt(6 / (fi + fo));
    return uniform(-b, b, dtype)(a);
  };
}

/**
 * He/Kaiming normal: N(0, σ²) with σ = gain / √fan. The gain defaults to √2
 * (He et al. for ReLU, PyTorch's `kaiming_normal_`; MLX's default is 1).
 * @param mode - Which fan: 'fanIn' (default) or 'fanOut'.
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer.
 * @example
 * ```ts
 * nn.init.heNormal()([64, 32]).shape; // [64, 32]
 * ```
 * @see MLX `he_normal`
 * @group Init
 */
export function heNormal(mode: 'fanIn' | 'fanOut' = 'fanIn', dtype?: DType): Initializer {
  return (a, gain = Math.SQRT2) => {
    const [fi, fo] = fans(shapeOf(a));
    return normal(0, gain / Math.sqrt(mode === 'fanIn' ? fi : fo), dtype)(a);
  };
}

/**
 * He/Kaiming uniform: U(−b, b) with b = gain · √(3 / fan); the gain defaults to √2 as in {@link heNormal}.
 * @param mode - Which fan: 'fanIn' (default) or 'fanOut'.
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer.
 * @example
 * ```ts
 * nn.init.heUniform()([64, 32]).shape; // [64, 32]
 * ```
 * @see MLX `he_uniform`
 * @group Init
 */
export function heUniform(mode: 'fanIn' | 'fanOut' = 'fanIn', dtype?: DType): Initializer {
  return (a, gain = Math.SQRT2) => {
    const [fi, fo] = fans(shapeOf(a));
    const b = gain * Math.sqrt(3 / (mode === 'fanIn' ? fi : fo));
    return uniform(-b, b, dtype)(a);
  };
}

/**
 * A (semi-)orthogonal matrix times `gain` (Saxe et al.): rows or columns,
 * whichever are fewer, are orthonormal. A weight of more than 2 axes is
 * treated as `[shape[0], rest]`. The QR factorization (of a normal sample,
 * by Gram-Schmidt) runs in JS: fine for initialization, O(n³).
 * @param dtype - The dtype (default: the tensor's, or float32).
 * @returns The initializer; its `gain` defaults to 1.
 * @example
 * ```ts
 * const q = nn.init.orthogonal()([3, 3]); // q · qᵀ = I
 * ```
 * @group Init
 */
export function orthogonal(dtype?: DType): Initializer {
  return (a, gain = 1) => {
    const shape = shapeOf(a);
    if (shape.length < 2) throw new RangeError(`[orthogonal] needs at least 2 axes, got shape [${shape.join(',')}]`);
    const rows = shape[0]!, cols = shape.slice(1).reduce((x, y) => x * y, 1);
    const n = Math.max(rows, cols), k = Math.min(rows, cols);
    // float64 exists only on the CPU in MLX; the sample is read into JS anyway.
    const z = withDevice('cpu', () => randomNormal([n, k], { dtype: 'float64' }));
    const m = Float64Array.from(z.toTypedArray() as Float64Array);
    z.dispose();
    // Modified Gram-Schmidt over the k columns of an n×k normal matrix, twice for stability.
    for (let j = 0; j < k; j++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          let dot = 0;
          for (let r = 0; r < n; r++) dot += m[r * k + i]! * m[r * k + j]!;
          for (let r = 0; r < n; r++) m[r * k + j]! -= dot * m[r * k + i]!;
        }
      }
      let norm = 0;
      for (let r = 0; r < n; r++) norm += m[r * k + j]! ** 2;
      norm = Math.sqrt(norm);
      for (let r = 0; r < n; r++) m[r * k + j]! /= norm;
    }
    // Q is n×k with orthonormal columns; a wide weight takes its transpose.
    const out = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? m[r * k + c]! : m[c * k + r]!);
    return tensor(out, dtypeOf(a, dtype), shape);
  };
}
