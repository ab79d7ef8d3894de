/**
 * Training beyond one process, on MLX's distributed layer: process groups,
 * collectives as Tensor ops, and gradient averaging for data-parallel
 * training. Start the processes with `npx mlx-tape launch -n N script.ts`.
 *
 * The data-parallel recipe: every rank builds the same model (same seed),
 * takes its own shard of each batch, computes its gradients, averages them
 * with {@link averageGradients} and steps its optimizer. All ranks apply the
 * same update, so the replicas stay identical.
 *
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * const shard = (x: mt.Tensor) => {
 *   const n = x.shape[0]! / world.size;                     // batch size divisible by the world size
 *   return mt.slice(x, [world.rank * n], [(world.rank + 1) * n]);
 * };
 * const [loss, grads] = step(model, shard(xb), shard(yb));
 * opt.update(model, mt.distributed.averageGradients(grads));
 * ```
 * @module
 */
export { type Backend, type InitOptions, Group, init, isAvailable } from './group.js';
export { allSum, allGather, allMax, allMin, sumScatter, send, recv, recvLike } from './ops.js';
export { averageGradients, type AverageGradientsOptions } from './average.js';
