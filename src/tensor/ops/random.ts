// Random numbers from MLX's keyed PRNG (mx.random), published as the
// namespace `mt.random` (`mt.random.normal`, `mt.random.split`, ...) as in
// MLX-Python: `split`, `key` and `seed` would otherwise collide with other
// ops. Every sampler takes an optional key (a tensor from key() or split()):
// the same key gives the same values; without one, the next key of a global
// sequence that seed() resets. Samples are constants to autograd (to learn
// a location or scale, write `add(multiply(normal(shape), scale), loc)`).
import type { DType } from '../dtype.js';
import { native, type NativeArray } from '../native.js';
import { Tensor } from '../tensor.js';
import { arg } from './operand.js';

/** A distribution parameter: a number, or a tensor that broadcasts to the sample shape. */
export type Param = Tensor | number;

/** The key's handle; anything else but a Tensor goes on to the native op, which names it in its TypeError. */
function handle(key: Tensor | undefined): NativeArray | null {
  if (key === undefined || key === null) return null;
  return key instanceof Tensor ? key.data : (key as unknown as NativeArray);
}

/**
 * Seeds the global random sequence that samplers use when given no key.
 *
 * @param seed - A non-negative integer.
 * @example
 * ```ts
 * mt.random.seed(0);
 * const a = mt.random.uniform([2]);
 * mt.random.seed(0);
 * mt.random.uniform([2]).toArray(); // the same values as a
 * ```
 * @group Random
 */
export function seed(seed: number): void {
  native.randomSeed(seed);
}

/**
 * A PRNG key made from a seed: a uint32 tensor of shape `[2]`.
 *
 * @param seed - A non-negative integer.
 * @returns The key.
 * @example
 * ```ts
 * const k = mt.random.key(42);
 * mt.random.normal([3], { key: k }); // the same 3 values every time
 * ```
 * @group Random
 */
export function key(seed: number): Tensor {
  return new Tensor(native.randomKey(seed));
}

/**
 * Splits a key into `num` new, independent keys.
 *
 * @param key - A key from `random.key(n)` or an earlier split.
 * @param num - How many keys (default 2).
 * @returns A uint32 tensor of shape `[num, 2]`: row `i` is the i-th key.
 * @example
 * ```ts
 * const keys = mt.random.split(mt.random.key(0), 3); // shape [3, 2]
 * ```
 * @group Random
 */
export function split(key: Tensor, num = 2): Tensor {
  return new Tensor(native.randomSplit(key.data, num));
}

/**
 * Samples from a normal distribution, `loc + scale * N(0, 1)`.
 *
 * @param shape - The sample shape (default `[]`, one value).
 * @param options - `dtype` (a floating dtype, default float32), `loc` (default 0), `scale` (default 1), `key`.
 * @returns A tensor of shape `shape`.
 * @example
 * ```ts
 * mt.random.normal([2, 3], { loc: 1, scale: 0.1 }).shape; // [2, 3]
 * ```
 * @group Random
 */
export function normal(
  shape: number[] = [],
  options: { dtype?: DType; loc?: Param; scale?: Param; key?: Tensor } = {},
): Tensor {
  const { dtype = 'float32', loc, scale, key } = options;
  return new Tensor(native.randomNormal(shape, dtype, loc === undefined ? null : arg(loc), scale === undefined ? null : arg(scale), handle(key)));
}

/**
 * Samples uniformly from `[low, high)`.
 *
 * @param shape - The sample shape (default `[]`, one value).
 * @param options - `low` (default 0), `high` (default 1), `dtype` (float16, bfloat16 or float32, the
 *   default; MLX has no float64 uniform), `key`.
 * @returns A tensor of shape `shape`.
 * @example
 * ```ts
 * mt.random.uniform([3], { low: -1, high: 1 }).shape; // [3]
 * ```
 * @group Random
 */
export function uniform(
  shape: number[] = [],
  options: { low?: Param; high?: Param; dtype?: DType; key?: Tensor } = {},
): Tensor {
  const { low = 0, high = 1, dtype = 'float32', key } = options;
  return new Tensor(native.randomUniform(arg(low), arg(high), shape, dtype, handle(key)));
}

/**
 * Samples booleans that are true with probability `p`.
 *
 * @param p - The probability of true (default 0.5); a tensor gives one per element.
 * @param shape - The sample shape (default: the shape of `p`).
 * @param key - A PRNG key.
 * @returns A bool tensor.
 * @example
 * ```ts
 * mt.random.bernoulli(0.9, [4]).dtype; // 'bool'
 * ```
 * @group Random
 */
export function bernoulli(p: Param = 0.5, shape?: number[], key?: Tensor): Tensor {
  return new Tensor(native.randomBernoulli(arg(p), shape ?? null, handle(key)));
}

/**
 * Samples integers uniformly from `[low, high)`.
 *
 * @param low - The smallest possible value.
 * @param high - One past the largest possible value.
 * @param shape - The sample shape (default `[]`, one value).
 * @param dtype - An integer dtype (default int32).
 * @param key - A PRNG key.
 * @returns A tensor of shape `shape`.
 * @example
 * ```ts
 * mt.random.randint(0, 10, [5]); // five values in 0..9
 * ```
 * @group Random
 */
export function randint(low: Param, high: Param, shape: number[] = [], dtype: DType = 'int32', key?: Tensor): Tensor {
  return new Tensor(native.randomRandint(arg(low), arg(high), shape, dtype, handle(key)));
}

/**
 * Samples category indices from unnormalized log-probabilities.
 *
 * @param logits - Log-probabilities (up to a constant) along `axis`.
 * @param axis - The categories' axis (default -1).
 * @param options - Either `numSamples` (draws per distribution, appended as the last axis) or `shape`
 *   (the full output shape, which must broadcast with `logits` without `axis`), and `key`.
 * @returns A uint32 tensor of indices along `axis`.
 * @example
 * ```ts
 * mt.random.categorical(mt.log(mt.tensor([0.1, 0.9])), -1, { numSamples: 5 }).shape; // [5]
 * ```
 * @group Random
 */
export function categorical(
  logits: Tensor,
  axis = -1,
  options: { shape?: number[]; numSamples?: number; key?: Tensor } = {},
): Tensor {
  const { shape, numSamples, key } = options;
  return new Tensor(native.randomCategorical(logits.data, axis, shape ?? null, numSamples ?? null, handle(key)));
}

/**
 * Samples a normal distribution truncated to `[lower, upper]`.
 *
 * @param lower - The lower bound.
 * @param upper - The upper bound.
 * @param shape - The sample shape (default: the broadcast shape of the bounds).
 * @param options - `dtype` (float16, bfloat16 or float32, the default) and `key`.
 * @returns A tensor of values in `[lower, upper]`.
 * @example
 * ```ts
 * mt.random.truncatedNormal(-1, 1, [100]); // no value outside [-1, 1]
 * ```
 * @see MLX `truncated_normal`
 * @group Random
 */
export function truncatedNormal(
  lower: Param,
  upper: Param,
  shape?: number[],
  options: { dtype?: DType; key?: Tensor } = {},
): Tensor {
  const { dtype = 'float32', key } = options;
  return new Tensor(native.randomTruncatedNormal(arg(lower), arg(upper), shape ?? null, dtype, handle(key)));
}
