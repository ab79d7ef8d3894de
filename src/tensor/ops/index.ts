export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
// indexing.ts also holds the unchecked forms that gradient rules use: not public.
export { slice, sliceUpdate, scatter, scatterAdd, gather, take, takeAlongAxis, putAlongAxis, scatterAddAxis, flip, asStrided } from './indexing.js';
export * from './sort.js';
export * from './io.js';
export * from './linalg.js';
// conv.ts also holds isPlainConv and isNarrow, which the gradient rules use: not public.
export { convGeneral, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from './conv.js';
export type { ConvOptions, ConvTransposeOptions, ConvGeneralOptions } from './conv.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d } from './pool.js';
/**
 * Random numbers from MLX's keyed PRNG, as MLX-Python's `mx.random`: a
 * namespace, since `split` alone is the shape op. Each sampler takes an
 * optional key; the same key gives the same values.
 *
 * @example
 * ```ts
 * mt.random.seed(0);
 * mt.random.normal([2, 2], { key: mt.random.key(1) }).shape; // [2, 2]
 * ```
 * @group Random
 */
export * as random from './random.js';
