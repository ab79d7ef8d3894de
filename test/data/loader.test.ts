import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';

const { DataLoader } = mt.data;

// 10 samples of shape [2, 1]: sample i holds [i, 100 + i], label i % 3.
const ds: mt.data.Dataset = {
  x: Float32Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? k / 2 : 100 + (k - 1) / 2)),
  y: Int32Array.from({ length: 10 }, (_, i) => i % 3),
  sampleShape: [2, 1],
  numClasses: 3,
};

/** The sample ids of each batch, read back from the tensors (and freed). */
function ids(batches: Iterable<mt.data.Batch>): number[][] {
  const out: number[][] = [];
  for (const b of batches) {
    const x = Array.from(b.x.toTypedArray() as Float32Array);
    const y = Array.from(b.y.toTypedArray() as Int32Array);
    const first = x.filter((_, k) => k % 2 === 0);
    expect(y).toEqual(first.map((i) => i % 3)); // labels travel with their samples
    out.push(first);
    mt.dispose(b);
  }
  return out;
}

describe('DataLoader', () => {
  test('hands out float32 samples and int32 labels of the batch shape', () => {
    const [b] = new DataLoader(ds, { batchSize: 4, shuffle: false }).epoch(0);
    expect(b!.x.shape).toEqual([4, 2, 1]);
    expect(b!.x.dtype).toBe('float32');
    expect(b!.y.shape).toEqual([4]);
    expect(b!.y.dtype).toBe('int32');
    expect(b!.x.toArray()).toEqual([[[0], [100]], [[1], [101]], [[2], [102]], [[3], [103]]]);
    expect([b!.size, b!.index]).toEqual([4, 0]);
    mt.dispose(b);
  });

  test("keeps a short last batch with lastBatch 'keep' (the default)", () => {
    const loader = new DataLoader(ds, { batchSize: 4, shuffle: false });
    expect(loader.length).toBe(3);
    expect(ids(loader.epoch(0))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  test("drops a short last batch with lastBatch 'drop'", () => {
    const loader = new DataLoader(ds, { batchSize: 4, shuffle: false, lastBatch: 'drop' });
    expect(loader.length).toBe(2);
    expect(ids(loader.epoch(0))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(ds, { batchSize: 5, lastBatch: 'drop' }).length).toBe(2); // nothing to drop
  });

  test('shuffles every sample exactly once per epoch', () => {
    const seen = ids(new DataLoader(ds, { batchSize: 3, seed: 1 }).epoch(0)).flat();
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('the order of an epoch depends only on the seed and the epoch', () => {
    const a = new DataLoader(ds, { batchSize: 3, seed: 7 });
    const b = new DataLoader(ds, { batchSize: 3, seed: 7 });
    const fromIterating = [ids(a), ids(a), ids(a)]; // epochs 0, 1, 2
    expect(ids(b.epoch(2))).toEqual(fromIterating[2]); // a resumed run sees the same batches
    expect(ids(b.epoch(0))).toEqual(fromIterating[0]);
    expect(fromIterating[1]).not.toEqual(fromIterating[0]);
    expect(ids(new DataLoader(ds, { batchSize: 3, seed: 8 }).epoch(0))).not.toEqual(fromIterating[0]);
    expect(a.nextEpoch).toBe(3);
  });

  test('rejects bad options', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow('[DataLoader] batchSize must be a positive integer, got 0');
    expect(() => new DataLoader(ds, { batchSize: 2, seed: 0.5 })).toThrow('[DataLoader] seed must be an integer, got 0.5');
    expect(() => new DataLoader(ds, { batchSize: 2, lastBatch: 'pad' as 'keep' })).toThrow("[DataLoader] lastBatch must be 'keep' or 'drop', got 'pad'");
  });
});
