// Collectives as Tensor ops. Like every MLX op they are lazy: the
// communication happens when the result is evaluated, so every rank must
// evaluate the same collectives in the same order. Gradients (rules in
// src/autograd/grads/distributed.ts) are those of the sum of all ranks' losses.
import { apply } from '../autograd/tape.js';
import type { DType } from '../tensor/dtype.js';
import { native } from '../tensor/native.js';
import { Tensor } from '../tensor/tensor.js';
import { defaultGroup, Group } from './group.js';

/** The group to run on: `group`, else the default one; anything else is a TypeError naming `op`. */
function groupOf(op: string, group: Group | undefined): Group {
  if (group === undefined) return defaultGroup();
  if (!(group instanceof Group)) throw new TypeError(`[${op}] group must be a distributed.Group, got ${String(group)}`);
  return group;
}

function tensorOf(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`[${op}] x must be a Tensor, got ${String(x)}`);
  return x;
}

/**
 * The element-wise sum of `x` over every process of the group; each gets the
 * result. Its gradient is `allSum` of the cotangent.
 *
 * @param x - This process's contribution; the same shape and dtype on every rank.
 * @param group - The processes taking part (default: the group of {@link init}).
 * @returns The sum, on every rank.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * mt.distributed.allSum(mt.tensor([world.rank, 1])).toArray(); // with 2 ranks: [1, 2]
 * ```
 * @group Distributed
 */
export function allSum(x: Tensor, group?: Group): Tensor {
  const g = groupOf('allSum', group);
  return apply('allSum', [tensorOf('allSum', x)], native.allSum(x.data, g.id), { group: g });
}

/**
 * The element-wise maximum of `x` over every process of the group. The
 * gradient goes to the ranks holding the maximum, split equally among ties.
 *
 * @param x - This process's values; the same shape and dtype on every rank.
 * @param group - The processes taking part (default: the group of {@link init}).
 * @returns The maxima, on every rank.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * mt.distributed.allMax(mt.tensor([world.rank])).item(); // size - 1
 * ```
 * @group Distributed
 */
export function allMax(x: Tensor, group?: Group): Tensor {
  const g = groupOf('allMax', group);
  return apply('allMax', [tensorOf('allMax', x)], native.allMax(x.data, g.id), { group: g });
}

/**
 * The element-wise minimum of `x` over every process of the group. The
 * gradient goes to the ranks holding the minimum, split equally among ties.
 *
 * @param x - This process's values; the same shape and dtype on every rank.
 * @param group - The processes taking part (default: the group of {@link init}).
 * @returns The minima, on every rank.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * mt.distributed.allMin(mt.tensor([world.rank])).item(); // 0
 * ```
 * @group Distributed
 */
export function allMin(x: Tensor, group?: Group): Tensor {
  const g = groupOf('allMin', group);
  return apply('allMin', [tensorOf('allMin', x)], native.allMin(x.data, g.id), { group: g });
}

/**
 * Every rank's `x`, concatenated along the first axis in rank order (a
 * scalar becomes a vector of `size` elements). The gradient of a rank's
 * input is its block of the cotangents summed over the ranks.
 *
 * @param x - This process's block; the same shape and dtype on every rank.
 * @param group - The processes taking part (default: the group of {@link init}).
 * @returns The gathered tensor, first axis `size` times longer, on every rank.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * mt.distributed.allGather(mt.tensor([world.rank])).toArray(); // with 2 ranks: [0, 1]
 * ```
 * @group Distributed
 */
export function allGather(x: Tensor, group?: Group): Tensor {
  const g = groupOf('allGather', group);
  return apply('allGather', [tensorOf('allGather', x)], native.allGather(x.data, g.id), { group: g });
}

/**
 * Sums `x` over the ranks and gives each rank its block of the result: rank
 * `r` gets rows `[r * n / size, (r + 1) * n / size)` of the first axis (a
 * reduce-scatter). The first axis must divide by the group's size. MLX's ring
 * backend does not implement it (evaluating throws); MPI and NCCL do.
 *
 * @param x - This process's contribution; the same shape and dtype on every rank.
 * @param group - The processes taking part (default: the group of {@link init}).
 * @returns This rank's block of the sum.
 * @example
 * ```ts
 * const world = mt.distributed.init({ backend: 'mpi' });
 * mt.distributed.sumScatter(mt.ones([2 * world.size])); // [size, size] on every rank
 * ```
 * @group Distributed
 */
export function sumScatter(x: Tensor, group?: Group): Tensor {
  const g = groupOf('sumScatter', group);
  return apply('sumScatter', [tensorOf('sumScatter', x)], native.sumScatter(x.data, g.id), { group: g });
}

/**
 * Sends `x` to rank `dst`, which must {@link recv} it. Lazy like every op:
 * the send happens when the returned tensor is evaluated. The ring backend
 * only sends to its neighbours (`rank ± 1`). Not differentiable.
 *
 * @param x - The tensor to send.
 * @param dst - The receiving rank.
 * @param group - The group `dst` is counted in (default: the group of {@link init}).
 * @returns A tensor to evaluate (e.g. with `mt.evaluate`) to perform the send.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * if (world.rank === 0) mt.evaluate(mt.distributed.send(mt.tensor([1, 2]), 1));
 * ```
 * @group Distributed
 */
export function send(x: Tensor, dst: number, group?: Group): Tensor {
  const g = groupOf('send', group);
  return new Tensor(native.send(tensorOf('send', x).data, dst, g.id));
}

/**
 * Receives a tensor of the given shape and dtype that rank `src` {@link send}s.
 * Not differentiable.
 *
 * @param shape - The shape of the tensor sent.
 * @param dtype - Its dtype.
 * @param src - The sending rank.
 * @param group - The group `src` is counted in (default: the group of {@link init}).
 * @returns The received tensor (received when evaluated).
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * if (world.rank === 1) mt.distributed.recv([2], 'float32', 0).toArray(); // [1, 2]
 * ```
 * @group Distributed
 */
export function recv(shape: number[], dtype: DType, src: number, group?: Group): Tensor {
  const g = groupOf('recv', group);
  return new Tensor(native.recv(shape, dtype, src, g.id));
}

/**
 * {@link recv} with the shape and dtype of `x`.
 *
 * @param x - A tensor shaped like the one sent.
 * @param src - The sending rank.
 * @param group - The group `src` is counted in (default: the group of {@link init}).
 * @returns The received tensor (received when evaluated).
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * if (world.rank === 1) mt.distributed.recvLike(mt.zeros([2]), 0).toArray(); // [1, 2]
 * ```
 * @group Distributed
 */
export function recvLike(x: Tensor, src: number, group?: Group): Tensor {
  const g = groupOf('recvLike', group);
  return new Tensor(native.recvLike(tensorOf('recvLike', x).data, src, g.id));
}
