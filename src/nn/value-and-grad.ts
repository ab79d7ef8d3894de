// MLX's nn.value_and_grad: differentiate a loss with respect to a model's trainable parameters.
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/memory.js';
import { valueAndGradOfLeaves } from '../autograd/functional.js';
import { treeFlatten, treeUnflatten } from '../autograd/tree.js';
import type { Module, ParamTree } from './module.js';

/**
 * Turns `fn` (a loss computed with `model`) into a function returning `[loss,
 * grads]`, where `grads` is a tree shaped like `model.trainableParameters()`
 * (frozen parameters and buffers get none), ready for `optimizer.update(model,
 * grads)`. Called with the same arguments as `fn`.
 *
 * Every tensor made inside `fn` is freed when it returns (a `tidy` scope), so
 * a training loop keeps flat memory; `keep()` anything `fn` stores elsewhere.
 *
 * @param model - The module whose trainable parameters are differentiated.
 * @param fn - The loss; must return a size-1 tensor.
 * @returns `(...args) => [loss, grads]`.
 * @example
 * ```ts
 * const model = new nn.Linear(2, 1);
 * const lossFn = (m: nn.Linear, x: mt.Tensor, y: mt.Tensor) => nn.losses.mseLoss(m.forward(x), y);
 * const step = nn.valueAndGrad(model, lossFn);
 * const [loss, grads] = step(model, mt.ones([4, 2]), mt.zeros([4, 1]));
 * grads.weight.shape; // [1, 2]
 * ```
 * @see MLX `nn.value_and_grad`
 * @group Module
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function valueAndGrad<A extends any[]>(model: Module, fn: (...args: A) => Tensor): (...args: A) => [Tensor, ParamTree] {
  return (...args: A) => tidy(() => {
    const original = model.trainableParameters();
    // Fresh leaves owned by this call: parameters require grad (for
    // PyTorch-style training), so the generic transform would take them for an
    // outer transform's variables; this one never records its backward pass.
    const leaves = treeFlatten(original).map((p) => p.detach().requireGrad());
    if (leaves.length === 0) throw new TypeError('[grad] argument 0 holds no tensor to differentiate');
    try {
      model.update(treeUnflatten(original, leaves));
      const [loss, grads] = valueAndGradOfLeaves(() => fn(...args), leaves, false);
      return [loss, treeUnflatten(original, grads)];
    } finally {
      model.update(original);
    }
  });
}
