// alpha · x + beta · y, the form of the optimizers' updates (p - lr · g,
// mu · v + g): one pass of native/src/kernels.cc on the CPU instead of two or
// three, the same numbers to the bit.
import { Tensor } from '../tensor/tensor.js';
import { native } from '../tensor/native.js';
import { isFloating } from '../tensor/dtype.js';
import { add, multiply, subtract } from '../tensor/ops/index.js';
import { isGradEnabled, type Input } from '../autograd/tape.js';
import { currentTrace } from '../tensor/trace.js';

/**
 * alpha · x + beta · y. On the CPU, for x and y of one shape and float dtype,
 * one kernel; elsewhere the composed ops: on the GPU, for mixed shapes or
 * dtypes, while recording (the kernel has no gradient rule) and inside
 * mt.compile's trace (MLX fuses the composed ops with their neighbours).
 */
export function axpby(x: Tensor, y: Tensor, alpha: number, beta: number): Tensor {
  if (x.dtype === y.dtype && isFloating(x.dtype) && x.dtype !== 'complex64' && native.sameShape(x.data, y.data) &&
      native.defaultDevice() === 'cpu' && !isGradEnabled() && !currentTrace()) {
    return new Tensor(native.axpby(x.data, y.data, alpha, beta));
  }
  return add(alpha === 1 ? x : multiply(x, alpha), multiply(y, beta));
}

/** p − lr · step: {@link axpby} when lr is a number (a tensor inside mt.compile's trace). */
export function descend(p: Tensor, step: Tensor, lr: Input): Tensor {
  return typeof lr === 'number' ? axpby(p, step, 1, -lr) : subtract(p, multiply(step, lr));
}
