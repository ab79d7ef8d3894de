// Batches of a Dataset as Tensors, in a seeded order per epoch.
import { tensor } from '../tensor/ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Dataset, size } from './dataset.js';
import { permutation, rng, type Rng } from './random.js';

/** One batch: samples `x` of shape `[n, ...sampleShape]` (float32) and labels `y` of shape `[n]` (int32). */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /** The number of samples, `n`. */
  size: number;
  /** The position of this batch in its epoch, from 0. */
  index: number;
}

/** Options of a {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Visit samples in a seeded random order that changes every epoch (default true); false keeps dataset order. */
  shuffle?: boolean;
  /** Selects the orders; epoch `e` of seed `s` is the same order in every run (default 0). */
  seed?: number;
  /** What to do with a last batch smaller than `batchSize`: hand it out (`'keep'`, the default) or skip it (`'drop'`). */
  lastBatch?: 'keep' | 'drop';
  /**
   * Changes a batch in place before it becomes tensors (data augmentation).
   * `next` is seeded by (seed, epoch, batch index), so augmented batches repeat
   * exactly in a resumed run.
   */
  transform?: (batch: { x: Float32Array; y: Int32Array; sampleShape: readonly number[] }, next: Rng) => void;
}

/**
 * Hands out a dataset in batches of Tensors. The order of epoch `e` depends
 * only on `seed` and `e`, so a run resumed at epoch `e` sees the same batches
 * as an uninterrupted one. Iterating the loader itself runs the next epoch;
 * {@link DataLoader.epoch} runs a given one. The batch tensors belong to the
 * caller: dispose them (`mt.dispose(batch)`) when the step is done.
 *
 * @example
 * ```ts
 * const loader = new mt.data.DataLoader(train, { batchSize: 128, seed: 0 });
 * for (const batch of loader) {
 *   // batch.x: [128, 28, 28, 1] float32, batch.y: [128] int32
 *   mt.dispose(batch);
 * }
 * ```
 * @group Data
 */
export class DataLoader implements Iterable<Batch> {
  /** The samples handed out. */
  readonly dataset: Dataset;
  /** Samples per batch (the last batch may hold fewer; see {@link DataLoader.lastBatch}). */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a seeded random order. */
  readonly shuffle: boolean;
  /** Selects the order of every epoch. */
  readonly seed: number;
  /** Whether a short last batch is handed out (`'keep'`) or skipped (`'drop'`). */
  readonly lastBatch: 'keep' | 'drop';
  /** The batch transform given in the options (augmentation), if any. */
  readonly transform: DataLoaderOptions['transform'];
  /** The epoch that iterating the loader runs next. */
  nextEpoch = 0;

  /**
   * @param dataset - The samples.
   * @param options - Batch size, shuffling, seed and last-batch policy.
   */
  constructor(dataset: Dataset, options: DataLoaderOptions) {
    const { batchSize, shuffle = true, seed = 0, lastBatch = 'keep', transform } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`[DataLoader] batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seed)) throw new TypeError(`[DataLoader] seed must be an integer, got ${seed}`);
    if (lastBatch !== 'keep' && lastBatch !== 'drop') throw new TypeError(`[DataLoader] lastBatch must be 'keep' or 'drop', got '${String(lastBatch)}'`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.lastBatch = lastBatch;
    this.transform = transform;
  }

  /** The number of batches in an epoch. */
  get length(): number {
    const n = size(this.dataset);
    return this.lastBatch === 'drop' ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of epoch `e`, in the order they are visited. */
  order(e: number): Int32Array {
    const n = size(this.dataset);
    return this.shuffle ? permutation(n, this.seed, e) : Int32Array.from({ length: n }, (_, i) => i);
  }

  /**
   * The batches of epoch `e`.
   * @param e - The epoch, from 0.
   * @returns An iterable of batches.
   */
  *epoch(e: number): Generator<Batch> {
    const { x: xs, y: ys, sampleShape } = this.dataset;
    const k = sampleShape.reduce((a, b) => a * b, 1);
    const order = this.order(e);
    for (let b = 0; b < this.length; b++) {
      const idx = order.subarray(b * this.batchSize, (b + 1) * this.batchSize);
      const x = new Float32Array(idx.length * k);
      const y = new Int32Array(idx.length);
      idx.forEach((i, j) => {
        x.set(xs.subarray(i * k, (i + 1) * k), j * k);
        y[j] = ys[i]!;
      });
      this.transform?.({ x, y, sampleShape }, rng(this.seed, e, b, 1));
      yield { x: tensor(x, 'float32', [idx.length, ...sampleShape]), y: tensor(y, 'int32'), size: idx.length, index: b };
    }
  }

  /** Runs epoch {@link DataLoader.nextEpoch} and advances it. */
  [Symbol.iterator](): Iterator<Batch> {
    return this.epoch(this.nextEpoch++);
  }
}
