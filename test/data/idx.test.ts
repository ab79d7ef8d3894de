import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';

const { readIdx, parseIdx, encodeIdx, IdxFormatError, loadIdxDataset } = mt.data;
const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

// A 2×2×3 uint8 file written byte by byte: magic 0x00000803, sizes 2, 2, 3, then 12 values.
const IMAGES = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);

describe('readIdx', () => {
  test('reads a raw uint8 file written by hand', () => {
    const a = readIdx(write('raw-idx3-ubyte', IMAGES));
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  });

  test('reads the same file gzip-compressed, recognised by content not name', () => {
    const a = readIdx(write('compressed.gz', gzipSync(IMAGES)));
    const b = readIdx(write('compressed-no-suffix', gzipSync(IMAGES)));
    expect(a.shape).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.data[11]).toBe(255);
  });

  test('reads big-endian multi-byte types', () => {
    // int16 [-2, 258]: 0xfffe, 0x0102; float32 [1.5]: 0x3fc00000; int32 [-1]
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x02])).data)).toEqual([-2, 258]);
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0])).data)).toEqual([1.5]);
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])).data)).toEqual([-1]);
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x05])).data)).toEqual([-1, 5]);
  });

  test('encodeIdx round-trips every dtype', () => {
    const cases: mt.data.IdxArray[] = [
      { dtype: 'uint8', shape: [3], data: new Uint8Array([0, 7, 255]) },
      { dtype: 'int8', shape: [2], data: new Int8Array([-128, 127]) },
      { dtype: 'int16', shape: [1, 2], data: new Int16Array([-300, 300]) },
      { dtype: 'int32', shape: [2, 1], data: new Int32Array([-70000, 70000]) },
      { dtype: 'float32', shape: [2], data: new Float32Array([0.25, -3]) },
      { dtype: 'float64', shape: [1], data: new Float64Array([Math.PI]) },
    ];
    for (const c of cases) {
      const back = parseIdx(encodeIdx(c));
      expect(back.dtype).toBe(c.dtype);
      expect(back.shape).toEqual(c.shape);
      expect(Array.from(back.data)).toEqual(Array.from(c.data));
    }
  });

  test('a wrong magic number names the file and the problem', () => {
    const path = write('bad-magic', new Uint8Array([0x12, 0x34, 8, 1, 0, 0, 0, 1, 0]));
    expect(() => readIdx(path)).toThrow(IdxFormatError);
    expect(() => readIdx(path)).toThrow(`[readIdx] ${path}: bad magic number 0x12340801`);
  });

  test('an unknown type code is a bad magic number', () => {
    const path = write('bad-type', new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 1, 0]));
    expect(() => readIdx(path)).toThrow(/bad-type: bad magic number 0x00000701: unknown type code 0x07/);
  });

  test('zero dimensions are rejected', () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'x.idx')).toThrow('[readIdx] x.idx: bad magic number 0x00000800: 0 dimensions');
  });

  test('a file shorter than its header is rejected', () => {
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny')).toThrow('tiny: 2 bytes is too short');
    const path = write('short-header', IMAGES.subarray(0, 10));
    expect(() => readIdx(path)).toThrow(`${path}: truncated header: 3 dimensions need 16 bytes, the file has 10`);
  });

  test('a truncated file says how many data bytes are missing', () => {
    const path = write('truncated', IMAGES.subarray(0, IMAGES.length - 5));
    expect(() => readIdx(path)).toThrow(`${path}: truncated: shape [2, 2, 3] of uint8 needs 12 data bytes, found 7`);
  });

  test('a truncated multi-byte file counts bytes of the element type', () => {
    const bytes = encodeIdx({ dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) });
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'f')).toThrow('f: truncated: shape [3] of float32 needs 12 data bytes, found 11');
  });

  test('trailing bytes after the data are rejected', () => {
    const path = write('trailing', new Uint8Array([...IMAGES, 1, 2]));
    expect(() => readIdx(path)).toThrow(`${path}: 2 unexpected bytes after the 12 data bytes`);
  });

  test('a truncated gzip stream names the file', () => {
    const gz = gzipSync(IMAGES);
    const path = write('cut.gz', gz.subarray(0, gz.length - 8));
    expect(() => readIdx(path)).toThrow(IdxFormatError);
    expect(() => readIdx(path)).toThrow(`${path}: corrupt or truncated gzip stream`);
  });

  test('a missing file throws the file system error', () => {
    expect(() => readIdx(join(dir, 'nope'))).toThrow(/ENOENT/);
  });

  test('encodeIdx checks data length against the shape', () => {
    expect(() => encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow('[encodeIdx] data has 3 values, shape [2, 2] needs 4');
  });
});

describe('loadIdxDataset', () => {
  function folder(name: string, files: Record<string, Uint8Array>): string {
    const d = join(dir, name);
    mkdirSync(d);
    for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, f), bytes);
    return d;
  }
  const images = (n: number, fill: (i: number) => number) =>
    encodeIdx({ dtype: 'uint8', shape: [n, 2, 3], data: Uint8Array.from({ length: n * 6 }, (_, i) => fill(i)) });
  const labels = (ys: number[]) => encodeIdx({ dtype: 'uint8', shape: [ys.length], data: Uint8Array.from(ys) });

  test('loads raw and gzip files, scales pixels and adds a channel axis', () => {
    const d = folder('ok', {
      'train-images-idx3-ubyte.gz': gzipSync(images(3, (i) => (i === 0 ? 255 : 51))),
      'train-labels-idx1-ubyte': labels([0, 2, 1]),
      't10k-images-idx3-ubyte': images(2, () => 0),
      't10k-labels-idx1-ubyte.gz': gzipSync(labels([1, 1])),
    });
    const { train, test: t } = loadIdxDataset(d);
    expect(train.sampleShape).toEqual([2, 3, 1]);
    expect(train.x.length).toBe(18);
    expect(train.x[0]).toBe(1);
    expect(train.x[1]).toBeCloseTo(0.2, 6);
    expect(Array.from(train.y)).toEqual([0, 2, 1]);
    expect(Array.from(t.y)).toEqual([1, 1]);
    expect(train.numClasses).toBe(3);
    expect(t.numClasses).toBe(3);
  });

  test('a missing file is named', () => {
    const d = folder('missing', { 'train-images-idx3-ubyte': images(1, () => 0) });
    expect(() => loadIdxDataset(d)).toThrow(`[loadIdxDataset] ${d}: neither train-labels-idx1-ubyte nor train-labels-idx1-ubyte.gz exists`);
  });

  test('a label count that differs from the image count is rejected', () => {
    const d = folder('count', {
      'train-images-idx3-ubyte': images(3, () => 0),
      'train-labels-idx1-ubyte': labels([0, 1]),
    });
    expect(() => loadIdxDataset(d)).toThrow(/train-labels-idx1-ubyte: 2 labels for the 3 images/);
  });

  test('images of the wrong rank are rejected', () => {
    const d = folder('rank', {
      'train-images-idx3-ubyte': labels([1, 2, 3]),
      'train-labels-idx1-ubyte': labels([0, 1, 2]),
    });
    expect(() => loadIdxDataset(d)).toThrow(/train-images-idx3-ubyte: expected 3-d uint8 images, found 1-d uint8/);
  });
});
