export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
// indexing.ts also holds the unchecked forms that gradient rules use: not public.
export { slice, sliceUpdate, scatter, scatterAdd, gather, take, takeAlongAxis, putAlongAxis, scatterAddAxis, flip, asStrided } from './indexing.js';
export * from './sort.js';
export * from './io.js';
export * from './linalg.js';
export * from './conv.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d } from './pool.js';
// As MLX-Python's mx.random: mt.random.normal(...), mt.random.split(key) (split alone is the shape op).
export * as random from './random.js';
