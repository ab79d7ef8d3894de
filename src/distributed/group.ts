// Process groups on MLX's distributed layer: init(), Group, isAvailable().
import { native } from '../tensor/native.js';

/** A communication backend of MLX; `'any'` takes the first that initializes. */
export type Backend = 'any' | 'ring' | 'mpi' | 'nccl' | 'jaccl';

/** Options of {@link init}. */
export interface InitOptions {
  /** Which backend to use (default `'any'`). */
  backend?: Backend;
  /**
   * Throw when no backend can be initialized (default false: a single
   * process gets a group of size 1, where every collective is the identity).
   */
  strict?: boolean;
  /**
   * Give up connecting to the other ranks after this many milliseconds
   * (default: `MLX_TAPE_INIT_TIMEOUT_MS` from the environment, else 60000; 0
   * waits forever). MLX's ring backend waits for its left neighbour with no
   * limit of its own, so without this a rank whose peer never starts would
   * hang. After a timeout the process should exit.
   */
  timeoutMs?: number;
}

/**
 * A group of processes that communicate: this process is number `rank` of
 * `size`. Made by {@link init}; passed to collectives to restrict them to a
 * subgroup.
 *
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * console.log(`rank ${world.rank} of ${world.size}`);
 * ```
 * @group Distributed
 */
export class Group {
  /** This process's number in the group, from 0. */
  readonly rank: number;
  /** How many processes the group holds. */
  readonly size: number;

  /** @internal The native registry's index of this group. */
  constructor(readonly id: number) {
    this.rank = native.distributedRank(id);
    this.size = native.distributedSize(id);
  }

  /**
   * Splits the group: processes that pass the same `color` form a new group,
   * ranked by `key` (by their rank here when `key` is negative). The ring
   * backend does not support splitting (MLX throws).
   *
   * @param color - Processes with equal colors end up in the same group.
   * @param key - Orders the ranks of the new group (default -1: keep this group's order).
   * @returns This process's new group.
   * @example
   * ```ts
   * const world = mt.distributed.init({ backend: 'mpi' });
   * const pairs = world.split(Math.floor(world.rank / 2));
   * ```
   */
  split(color: number, key = -1): Group {
    return new Group(native.distributedSplit(this.id, color, key));
  }

  /**
   * Names the group for printing.
   * @returns E.g. `Group(rank 0 of 2)`.
   */
  toString(): string {
    return `Group(rank ${this.rank} of ${this.size})`;
  }
}

let world: Group | null = null;

/**
 * Joins the processes started together (e.g. by `npx mlx-tape launch`) into
 * one group, with MLX's distributed layer. The backend reads its
 * configuration from the environment (ring: `MLX_RANK` and `MLX_HOSTFILE`,
 * which the launcher sets). Without any configuration, and `strict` false,
 * the group holds this process alone. The last group made here is the
 * default of every collective.
 *
 * @param options - Backend, strictness and connection timeout.
 * @returns The group of all processes.
 * @example
 * ```ts
 * const world = mt.distributed.init();
 * const total = mt.distributed.allSum(mt.tensor([world.rank])); // 0 + 1 + ... + (size - 1)
 * ```
 * @group Distributed
 */
export function init(options: InitOptions = {}): Group {
  const { backend = 'any', strict = false } = options;
  const timeoutMs = options.timeoutMs ?? Number(process.env.MLX_TAPE_INIT_TIMEOUT_MS ?? 60_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`[distributed.init] timeoutMs must be a number of milliseconds >= 0, got ${options.timeoutMs ?? process.env.MLX_TAPE_INIT_TIMEOUT_MS}`);
  }
  world = new Group(native.distributedInit(strict, backend, timeoutMs));
  return world;
}

/**
 * The default group of collectives: the last {@link init}'s, initializing
 * one (with the default options) on first use.
 */
export function defaultGroup(): Group {
  return world ?? init();
}

/**
 * Whether a communication backend was built into MLX and can be used here.
 *
 * @param backend - The backend to ask about (default `'any'`: whether any is).
 * @returns `true` if it is available.
 * @example
 * ```ts
 * mt.distributed.isAvailable('ring'); // true: MLX always ships the ring backend
 * ```
 * @group Distributed
 */
export function isAvailable(backend: Backend = 'any'): boolean {
  return native.distributedIsAvailable(backend);
}
