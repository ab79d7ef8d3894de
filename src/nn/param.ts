// How layers make their parameters: PyTorch's default initializations, as leaves that require grad.
import type { Tensor } from '../tensor/tensor.js';
import { full } from '../tensor/ops/index.js';
import { uniform } from '../tensor/ops/random.js';

/** U(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear, Conv and RNN weights and biases. */
export function uniformParam(shape: number[], fanIn: number): Tensor {
  const b = 1 / Math.sqrt(fanIn);
  return uniform(shape, { low: -b, high: b }).requireGrad();
}

/** A parameter filled with `value` (norm layers' weights 1 and biases 0). */
export function constParam(shape: number[], value: number): Tensor {
  return full(shape, value).requireGrad();
}
