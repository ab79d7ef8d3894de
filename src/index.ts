/**
 * mlx-tape: deep learning in TypeScript on Apple's MLX, with gradients from
 * a TypeScript tape.
 *
 * @example
 * ```ts
 * import * as mt from 'mlx-tape';
 * const x = mt.tensor([1, 2, 3, 4]);
 * mt.grad((t: mt.Tensor) => mt.sum(mt.square(t)))(x).toArray(); // [2, 4, 6, 8]
 * ```
 * @module
 */
export { MlxError } from './errors.js';
export { type DType, isFloating } from './tensor/dtype.js';
export { Tensor, type NestedArray, type GradHook, itemsize } from './tensor/tensor.js';
export { tidy, keep, dispose } from './tensor/memory.js';
export * from './tensor/ops/index.js';
export * from './tensor/device.js';
export { noGrad, enableGrad, isGradEnabled, type Node, type Input, type DiffOp, type Attrs } from './autograd/tape.js';
export type { NativeArray } from './tensor/native.js';
export type { BackwardOptions } from './autograd/backward.js';
export { grad, valueAndGrad, vjp } from './autograd/functional.js';
export { type Tree, treeFlatten, treeUnflatten } from './autograd/tree.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './autograd/gradcheck.js';
export * as data from './data/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as distributed from './distributed/index.js';
