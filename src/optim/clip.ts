// Gradient clipping, for gradient trees (MLX style) or a model's `.grad`s (PyTorch style).
import { Tensor } from '../tensor/tensor.js';
import { add, clip, divide, minimum, multiply, sqrt, square, sum } from '../tensor/ops/index.js';
import { keep } from '../tensor/memory.js';
import { noGrad } from '../autograd/tape.js';
import { Module } from '../nn/module.js';
import { treeMap } from '../nn/tree.js';
import { treeFlatten } from '../autograd/tree.js';

/** The trainable parameters' `.grad`s of a model, replaced by `fn`'s result. */
function mapGrads(model: Module, fn: (g: Tensor) => Tensor): void {
  for (const [, p] of model.namedTrainableParameters()) {
    if (!p.grad) continue;
    const old = p.grad;
    p.grad = keep(fn(old));
    old.dispose();
  }
}

/**
 * Scales gradients so that their global L2 norm (over all of them together)
 * is at most `maxNorm`: `g ← g · min(1, maxNorm / (‖g‖ + 10⁻⁶))`.
 * Given a tree of gradients it returns the clipped tree and the norm before
 * clipping (MLX's `clip_grad_norm`); given a model it replaces each trainable
 * parameter's `.grad` and returns the norm (PyTorch's `clip_grad_norm_`).
 *
 * @param grads - A tree of gradients, or a model whose `.grad`s to clip.
 * @param maxNorm - The largest allowed norm.
 * @returns `[clipped, norm]` for a tree; the norm for a model.
 * @example
 * ```ts
 * const [clipped, norm] = optim.clipGradNorm({ w: mt.tensor([3, 4]) }, 1);
 * norm.item(); // 5
 * clipped.w.toArray(); // [0.6, 0.8] (approximately)
 * ```
 * @see MLX `clip_grad_norm`
 * @group Optimizers
 */
export function clipGradNorm<T>(grads: T, maxNorm: number): T extends Module ? Tensor : [T, Tensor];
export function clipGradNorm(grads: unknown, maxNorm: number): Tensor | [unknown, Tensor] {
  return noGrad(() => {
    const gs = grads instanceof Module ? grads.namedTrainableParameters().flatMap(([, p]) => (p.grad ? [p.grad] : [])) : treeFlatten(grads);
    if (gs.length === 0) throw new TypeError('[clipGradNorm] there are no gradients to clip');
    const norm = sqrt(gs.map((g) => sum(square(g))).reduce((a, b) => add(a, b)));
    const scale = minimum(divide(maxNorm, add(norm, 1e-6)), 1);
    if (!(grads instanceof Module)) return [treeMap(grads, (g) => multiply(g, scale)), norm];
    mapGrads(grads, (g) => multiply(g, scale));
    return norm;
  });
}

/**
 * Clips every gradient element to `[-maxValue, maxValue]`. Given a tree it
 * returns the clipped tree; given a model it replaces each trainable
 * parameter's `.grad` (PyTorch's `clip_grad_value_`) and returns the model.
 *
 * @param grads - A tree of gradients, or a model whose `.grad`s to clip.
 * @param maxValue - The largest allowed magnitude.
 * @returns The clipped tree, or the model.
 * @example
 * ```ts
 * optim.clipGradValue({ w: mt.tensor([-3, 0.5]) }, 1).w.toArray(); // [-1, 0.5]
 * ```
 * @group Optimizers
 */
export function clipGradValue<T>(grads: T, maxValue: number): T {
  return noGrad(() => {
    const fn = (g: Tensor): Tensor => clip(g, -maxValue, maxValue);
    if (!(grads instanceof Module)) return treeMap(grads, fn);
    mapGrads(grads, fn);
    return grads;
  });
}
