// In-memory datasets of labelled samples, subsets and a stratified split.
import { permutation } from './random.js';

/**
 * Labelled samples held in JS memory: `x` is sample-major (sample `i` is
 * `x.subarray(i * k, (i + 1) * k)` with `k` the product of `sampleShape`).
 * Images are `[height, width, channels]` (NHWC, as MLX's conv wants).
 * @group Data
 */
export interface Dataset {
  /** The samples, flat. */
  readonly x: Float32Array;
  /** The class of each sample, in `[0, numClasses)`. */
  readonly y: Int32Array;
  /** The shape of one sample, e.g. `[28, 28, 1]`. */
  readonly sampleShape: readonly number[];
  /** The number of classes. */
  readonly numClasses: number;
}

/**
 * The number of samples in a dataset.
 * @param ds - The dataset.
 * @returns `ds.y.length`.
 * @example
 * ```ts
 * mt.data.size(mt.data.loadMnistDigits()); // 10000
 * ```
 * @group Data
 */
export function size(ds: Dataset): number {
  return ds.y.length;
}

/**
 * A dataset of the given samples of `ds`, in the given order (copied).
 *
 * @param ds - The dataset.
 * @param indices - Sample indices, each in `[0, size(ds))`.
 * @returns The subset.
 * @example
 * ```ts
 * const first100 = mt.data.subset(ds, Array.from({ length: 100 }, (_, i) => i));
 * ```
 * @group Data
 */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const k = ds.sampleShape.reduce((a, b) => a * b, 1);
  const n = size(ds);
  const x = new Float32Array(indices.length * k);
  const y = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`[subset] index ${i} (at position ${j}) is out of range for ${n} samples`);
    x.set(ds.x.subarray(i * k, (i + 1) * k), j * k);
    y[j] = ds.y[i]!;
  }
  return { x, y, sampleShape: ds.sampleShape, numClasses: ds.numClasses };
}

/**
 * Splits sample indices into train and test so that every class keeps its
 * share (stratified), choosing which samples of a class go to test with a
 * seeded shuffle. Each class gets `round(testSize × its share)` test samples,
 * the rounding settled by largest remainder so the total is exactly
 * `testSize`. Both lists come back sorted.
 *
 * @param labels - The class of each sample.
 * @param testSize - The number of test samples (an integer), or a fraction in (0, 1).
 * @param seed - Selects the split (default 0).
 * @returns `{ train, test }` index lists that together hold every index once.
 * @example
 * ```ts
 * const { train, test } = mt.data.stratifiedSplit(ds.y, 2000, 0);
 * train.length; // 8000 for the 10,000 digits
 * ```
 * @group Data
 */
export function stratifiedSplit(labels: ArrayLike<number>, testSize: number, seed = 0): { train: Int32Array; test: Int32Array } {
  const n = labels.length;
  const total = testSize > 0 && testSize < 1 ? Math.round(testSize * n) : testSize;
  if (!Number.isInteger(total) || total < 0 || total > n) {
    throw new RangeError(`[stratifiedSplit] testSize ${testSize} must be a fraction in (0, 1) or an integer in [0, ${n}]`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  // Largest remainder: floor each class's share, then hand the rest to the biggest remainders.
  const share = classes.map((c) => (byClass.get(c)!.length * total) / n);
  const take = share.map(Math.floor);
  const order = classes.map((_, k) => k).sort((a, b) => share[b]! - take[b]! - (share[a]! - take[a]!) || a - b);
  for (let r = total - take.reduce((a, b) => a + b, 0), k = 0; r > 0; r--, k++) take[order[k]!]!++;
  const isTest = new Uint8Array(n);
  classes.forEach((c, k) => {
    const members = byClass.get(c)!;
    const p = permutation(members.length, seed, c);
    for (let j = 0; j < take[k]!; j++) isTest[members[p[j]!]!] = 1;
  });
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
