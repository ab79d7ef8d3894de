// Data-parallel training's one collective: average every rank's gradients.
import { noGrad } from '../autograd/tape.js';
import { treeFlatten, treeUnflatten } from '../autograd/tree.js';
import { tidy } from '../tensor/memory.js';
import { concatenate, reshape, split } from '../tensor/ops/shape.js';
import { divide } from '../tensor/ops/elementwise.js';
import type { Tensor } from '../tensor/tensor.js';
import { itemsize } from '../tensor/tensor.js';
import { defaultGroup, type Group } from './group.js';
import { allSum } from './ops.js';

/** Options of {@link averageGradients}. */
export interface AverageGradientsOptions {
  /** The ranks to average over (default: the group of {@link init}). */
  group?: Group;
  /**
   * Gradients are flattened and concatenated into all-reduces of up to this
   * many bytes (default 32 MiB, as MLX's `average_gradients`); 0 makes one
   * all-reduce per gradient.
   */
  allReduceSize?: number;
}

/**
 * Averages a tree of gradients over the ranks of a group: the step of
 * data-parallel training between computing each rank's gradients (on its own
 * shard of the batch) and the optimizer's update. The gradients are
 * flattened and concatenated, so a whole model usually costs one all-reduce
 * (batches of up to `allReduceSize` bytes, one per dtype), then split back
 * into the tree's shape. With one process it returns `grads` unchanged.
 *
 * If every rank's loss is the mean over an equal share of the batch, the
 * average is the gradient of the mean loss over the whole batch, so every
 * rank applies the same update and the replicas stay identical.
 *
 * @param grads - A tree (object, array, or tensor) of this rank's gradients.
 * @param options - The group, and the size of each fused all-reduce.
 * @returns A tree of the same shape holding the averaged gradients.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * const [loss, grads] = step(model, xb, yb);           // this rank's shard
 * opt.update(model, mt.distributed.averageGradients(grads));
 * ```
 * @see MLX `nn.average_gradients`
 * @group Distributed
 */
export function averageGradients<T>(grads: T, options: AverageGradientsOptions = {}): T {
  const group = options.group ?? defaultGroup();
  const limit = options.allReduceSize ?? 32 * 1024 * 1024;
  if (!(limit >= 0)) throw new RangeError(`[averageGradients] allReduceSize must be >= 0, got ${limit}`);
  if (group.size === 1) return grads;
  const n = group.size;
  return noGrad(() => tidy(() => {
    const leaves = treeFlatten(grads);
    const out: Tensor[] = [];
    // Runs of consecutive leaves of one dtype, up to `limit` bytes each.
    let batch: Tensor[] = [];
    let bytes = 0;
    const flush = (): void => {
      if (batch.length === 1) out.push(divide(allSum(batch[0]!, group), n));
      else if (batch.length > 1) {
        const flat = concatenate(batch.map((g) => reshape(g, [-1])));
        let at = 0;
        const offsets = batch.slice(0, -1).map((g) => (at += g.size));
        split(divide(allSum(flat, group), n), offsets).forEach((part, i) => out.push(reshape(part, [...batch[i]!.shape])));
      }
      batch = [];
      bytes = 0;
    };
    for (const g of leaves) {
      const b = g.size * itemsize(g.dtype);
      if (batch.length && (g.dtype !== batch[0]!.dtype || bytes + b > limit)) flush();
      batch.push(g);
      bytes += b;
    }
    flush();
    return treeUnflatten(grads, out);
  }));
}
