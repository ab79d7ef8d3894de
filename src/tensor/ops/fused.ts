// MLX's fused kernels (its fast:: ops) behind public functions that take them
// where they apply: internal, not re-exported by index.ts. Their rules are in
// src/autograd/grads/reduce.ts.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';

/**
 * Cross entropy `logsumexp(logits) − logits[target]` along the last axis, in
 * the logits' dtype, through MLX's fused kernel (one GPU kernel each way; on
 * the CPU MLX builds the composition). `targets`: integer class indices of
 * the logits' shape without the last axis, already checked to be in range.
 */
export function crossEntropyFused(logits: Tensor, targets: Tensor): Tensor {
  return apply('crossEntropyFused', [logits, targets], native.crossEntropyFused(logits.data, targets.data));
}
