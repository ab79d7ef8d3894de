// The input of each output of relu: max pooling over a relu output pools the
// input instead and takes relu after (src/tensor/ops/pool.ts). Not exported
// from the package.
import type { Tensor } from '../tensor.js';

export const reluInputs = new WeakMap<Tensor, Tensor>();
