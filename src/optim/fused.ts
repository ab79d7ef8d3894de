// The optimizers' updates in one pass of native/src/kernels.cc on the CPU
// (cuda_kernels.cc on a CUDA GPU) instead of a pass per op, the same numbers
// to the bit: alpha · x + beta · y (p - lr · g, mu · v + g) and Adam's whole
// update. Elsewhere the composed ops: on Metal, for other dtypes or shapes,
// while recording (the kernels have no gradient rules) and inside mt.compile's
// trace (MLX fuses the composed ops with their neighbours).
import { Tensor } from '../tensor/tensor.js';
import { hasOwnKernel, native } from '../tensor/native.js';
import { isFloating } from '../tensor/dtype.js';
import { add, multiply, subtract } from '../tensor/ops/index.js';
import { isGradEnabled, type Input } from '../autograd/tape.js';
import { currentTrace } from '../tensor/trace.js';

/** Whether the one-pass kernels may run now: not while recording, nor inside mt.compile's trace. */
const kernelsApply = (): boolean => !isGradEnabled() && !currentTrace();

/** alpha · x + beta · y: one kernel for x and y of one shape and float dtype. */
export function axpby(x: Tensor, y: Tensor, alpha: number, beta: number): Tensor {
  if (kernelsApply() && x.dtype === y.dtype && isFloating(x.dtype) && hasOwnKernel(x.dtype) && x.hasShapeOf(y)) {
    return new Tensor(native.axpby(x.data, y.data, alpha, beta)).shapedLike(x);
  }
  return add(alpha === 1 ? x : multiply(x, alpha), multiply(y, beta));
}

/** p − lr · step: {@link axpby} when lr is a number (a tensor inside mt.compile's trace). */
export function descend(p: Tensor, step: Tensor, lr: Input): Tensor {
  return typeof lr === 'number' ? axpby(p, step, 1, -lr) : subtract(p, multiply(step, lr));
}

/**
 * Adam's update, `[p', m', v']`, as one kernel for float32 p, g, m, v of one
 * shape and numbers for the step's scalars; null where the composed ops
 * must run. decay multiplies p first (AdamW's, else 1).
 */
export function adamStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, betas: [number, number], eps: number,
  { lr, c1, c2, decay = 1 }: { lr: Input; c1: Input; c2: Input; decay?: Input }): [Tensor, Tensor, Tensor] | null {
  if (typeof lr !== 'number' || typeof c1 !== 'number' || typeof c2 !== 'number' || typeof decay !== 'number') return null;
  if (!kernelsApply() || [p, g, m, v].some((t) => t.dtype !== 'float32') || !hasOwnKernel('float32') ||
    ![g, m, v].every((t) => t.hasShapeOf(p))) return null;
  const [pNext, mNext, vNext] = native.adamStep(p.data, g.data, m.data, v.data, betas[0], betas[1], c1, c2, eps, lr, decay);
  return [new Tensor(pNext!).shapedLike(p), new Tensor(mNext!).shapedLike(p), new Tensor(vNext!).shapedLike(p)];
}
