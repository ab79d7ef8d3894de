// Data loading: IDX files, the `mnist` package's digits, splits and batches.
export { type IdxArray, type IdxDType, IdxFormatError, parseIdx, readIdx, encodeIdx } from './idx.js';
export { type Dataset, size, subset, stratifiedSplit } from './dataset.js';
export { loadMnistDigits, mnistDigitsSplit, DIGITS_SPLIT_SEED, loadIdxDataset } from './mnist.js';
export { DataLoader, type DataLoaderOptions, type Batch } from './loader.js';
export { type Rng, rng, shuffle, permutation } from './random.js';
