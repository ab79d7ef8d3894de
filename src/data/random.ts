// Seeded randomness for data order (splits and shuffles). Kept in JS, apart
// from MLX's random state, so a data order depends on (seed, epoch) alone.

/** A source of uniform 32-bit integers. */
export type Rng = () => number;

/** Mixes a list of integers into one 32-bit seed (murmur3's finalizer per word). */
function mix(words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32): the same seeds give the same
 * numbers on every platform. Several seeds (e.g. a run's seed and an epoch)
 * are mixed into one state.
 *
 * @param seeds - Integers that select the stream.
 * @returns A function returning uniform integers in [0, 2^32).
 * @example
 * ```ts
 * const next = mt.data.rng(0, 3);
 * next() === mt.data.rng(0, 3)(); // true
 * ```
 * @group Data
 */
export function rng(...seeds: number[]): Rng {
  for (const s of seeds) {
    if (!Number.isInteger(s)) throw new TypeError(`[rng] seeds must be integers, got ${s}`);
  }
  let state = mix(seeds);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A uniform integer in [0, n) without modulo bias. */
function below(next: Rng, n: number): number {
  const limit = 2 ** 32 - (2 ** 32 % n);
  let v: number;
  do v = next();
  while (v >= limit);
  return v % n;
}

/**
 * Shuffles `values` in place (Fisher-Yates) and returns them.
 *
 * @param values - The array to shuffle.
 * @param next - The random source, e.g. {@link rng}.
 * @returns `values`, shuffled.
 * @example
 * ```ts
 * mt.data.shuffle([1, 2, 3, 4], mt.data.rng(7)); // the same order for seed 7, every time
 * ```
 * @group Data
 */
export function shuffle<T extends { length: number; [i: number]: unknown }>(values: T, next: Rng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = below(next, i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
  return values;
}

/**
 * A seeded random permutation of `0 .. n-1`.
 *
 * @param n - How many indices.
 * @param seeds - Integers that select the permutation (e.g. seed and epoch).
 * @returns An Int32Array holding each index once.
 * @example
 * ```ts
 * mt.data.permutation(5, 0).length; // 5
 * ```
 * @group Data
 */
export function permutation(n: number, ...seeds: number[]): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffle(p, rng(...seeds));
}
