import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { cpuOnly, GPU_FLOAT64, onGpu } from '../helpers/device.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);

const values = [[1, 0, 3], [4, 5, 6]];
// Every dtype the .npy writer and reader support; safetensors has all but float64.
const NPY_DTYPES: mt.DType[] = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64',
  'float16', 'bfloat16', 'float32', 'float64', 'complex64',
];
const SAFETENSORS_DTYPES = NPY_DTYPES.filter((d) => d !== 'float64');

/** A safetensors file: 8-byte little-endian header length, JSON header, data. */
function safetensorsBytes(header: unknown, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

describe('save and load (.npy)', () => {
  test.each(NPY_DTYPES)('%s round-trips values, shape and dtype', (dtype) => {
    if (dtype === 'float64') cpuOnly('float64 is CPU-only in MLX');
    const x = mt.astype(mt.tensor(values), dtype);
    mt.save(path(`x-${dtype}.npy`), x);
    const y = mt.load(path(`x-${dtype}.npy`));
    expect(y.dtype).toBe(dtype);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.toTypedArray() as ArrayLike<number | bigint>)).toEqual(Array.from(x.toTypedArray() as ArrayLike<number | bigint>));
  });

  test('0-d, non-contiguous and empty tensors round-trip', () => {
    mt.save(path('scalar.npy'), mt.tensor(2.5));
    expect(mt.load(path('scalar.npy')).toArray()).toEqual(2.5);
    const t = mt.transpose(mt.reshape(mt.arange(6, 'float32'), [2, 3]));
    mt.save(path('t.npy'), t);
    expect(mt.load(path('t.npy')).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    mt.save(path('empty.npy'), mt.zeros([0, 3]));
    expect(mt.load(path('empty.npy')).shape).toEqual([0, 3]);
  });

  test('appends .npy to a path without it, as MLX does', () => {
    mt.save(path('noext'), mt.tensor([1, 2]));
    expect(existsSync(path('noext.npy'))).toBe(true);
    expect(mt.load(path('noext.npy')).toArray()).toEqual([1, 2]);
  });

  test('reads a file that NumPy wrote (v1 header, float64, C order)', () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const total = Math.ceil((10 + header.length + 1) / 64) * 64; // NumPy pads to a multiple of 64
    const padded = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
    const pre = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, padded.length, 0]);
    writeFileSync(path('numpy.npy'), Buffer.concat([pre, Buffer.from(padded, 'latin1'), Buffer.from(new Float64Array([1.5, -2]).buffer)]));
    // float64 is CPU-only in MLX: read on the CPU; on the GPU, loading it is a clear error.
    const y = mt.withDevice('cpu', () => mt.load(path('numpy.npy')));
    expect(y.dtype).toBe('float64');
    expect(mt.withDevice('cpu', () => y.toArray())).toEqual([1.5, -2]);
    if (onGpu) expect(() => mt.load(path('numpy.npy'))).toThrow(GPU_FLOAT64);
  });

  test('a missing file or a folder is an MlxError naming the file', () => {
    expect(() => mt.load(path('missing.npy'))).toThrow(mt.MlxError);
    expect(() => mt.load(path('missing.npy'))).toThrow(/\[load\] '.*missing\.npy': cannot open: No such file or directory/);
    expect(() => mt.load(dir)).toThrow(/\[load\] '.*': not a regular file/);
  });

  test('a truncated file is an error, not garbage', () => {
    mt.save(path('full.npy'), mt.arange(100, 'float32'));
    const bytes = readFileSync(path('full.npy'));
    writeFileSync(path('short-data.npy'), bytes.subarray(0, bytes.length - 4));
    expect(() => mt.load(path('short-data.npy'))).toThrow(/\[load\] '.*short-data\.npy': the file is truncated/);
    writeFileSync(path('short-header.npy'), bytes.subarray(0, 30));
    expect(() => mt.load(path('short-header.npy'))).toThrow(/\[load\] '.*short-header\.npy': the file ends inside its header/);
    writeFileSync(path('empty-file.npy'), '');
    expect(() => mt.load(path('empty-file.npy'))).toThrow(/empty-file\.npy/);
  });

  test('a corrupt or foreign file is an error naming it', () => {
    writeFileSync(path('text.npy'), 'just some text, not an array');
    expect(() => mt.load(path('text.npy'))).toThrow(/\[load\] Invalid header in file .*text\.npy/);
    const good = readFileSync(path('full.npy')).toString('latin1');
    writeFileSync(path('huge-shape.npy'), Buffer.from(good.replace('(100, )', '(100000, 100000, )'), 'latin1'));
    expect(() => mt.load(path('huge-shape.npy'))).toThrow(/huge-shape\.npy': the header describes more data than the file holds/);
    writeFileSync(path('neg-shape.npy'), Buffer.from(good.replace('(100, )', '(-100, )'), 'latin1'));
    expect(() => mt.load(path('neg-shape.npy'))).toThrow(/neg-shape\.npy/);
    writeFileSync(path('bad-dtype.npy'), Buffer.from(good.replace("'<f4'", "'<q4'"), 'latin1'));
    expect(() => mt.load(path('bad-dtype.npy'))).toThrow(/bad-dtype\.npy': .*Unsupported array protocol type-string: <q4/);
    writeFileSync(path('bad-shape.npy'), Buffer.from(good.replace('(100, )', '(ab, )'), 'latin1'));
    expect(() => mt.load(path('bad-shape.npy'))).toThrow(/bad-shape\.npy/);
  });

  test('an unwritable path or a bad argument is an error', () => {
    expect(() => mt.save(join(dir, 'no', 'such', 'dir', 'x.npy'), mt.ones([2]))).toThrow(/\[save\] Failed to open file .*x\.npy/);
    expect(() => mt.load(3 as unknown as string)).toThrow(/load: argument 'file' must be a string, got 3/);
    const gone = mt.ones([2]);
    gone.dispose();
    expect(() => mt.save(path('gone.npy'), gone)).toThrow(/disposed/);
  });
});

describe('saveSafetensors and loadSafetensors', () => {
  test.each(SAFETENSORS_DTYPES)('%s round-trips values, shape and dtype', (dtype) => {
    const x = mt.astype(mt.tensor(values), dtype);
    mt.saveSafetensors(path(`x-${dtype}.safetensors`), { x });
    const { tensors } = mt.loadSafetensors(path(`x-${dtype}.safetensors`));
    expect(tensors.x!.dtype).toBe(dtype);
    expect(tensors.x!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.x!.toTypedArray() as ArrayLike<number | bigint>)).toEqual(Array.from(x.toTypedArray() as ArrayLike<number | bigint>));
  });

  test('several named tensors and string metadata', () => {
    mt.saveSafetensors(path('model.safetensors'), { w: mt.tensor([[1, 2], [3, 4]]), 'layer.0.b': mt.tensor([5], 'int32') }, { step: '100', note: 'hi' });
    const { tensors, metadata } = mt.loadSafetensors(path('model.safetensors'));
    expect(Object.keys(tensors).sort()).toEqual(['layer.0.b', 'w']);
    expect(tensors.w!.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensors['layer.0.b']!.toArray()).toEqual([5]);
    expect(metadata).toEqual({ step: '100', note: 'hi' });
    mt.saveSafetensors(path('nometa'), { a: mt.ones([1]) });
    expect(mt.loadSafetensors(path('nometa.safetensors')).metadata).toEqual({});
  });

  test('reads a file written by another writer (header from the spec)', () => {
    const data = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer);
    writeFileSync(path('foreign-ok.safetensors'), safetensorsBytes({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, data));
    expect(mt.loadSafetensors(path('foreign-ok.safetensors')).tensors.a!.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('float64 is refused by the format (MLX)', () => {
    // On the CPU: on the GPU, MLX refuses float64 before the format can.
    expect(() => mt.withDevice('cpu', () => mt.saveSafetensors(path('f64.safetensors'), { x: mt.ones([2], 'float64') }))).toThrow(/\[save_safetensors\] received invalid dtype/);
  });

  test('a missing, truncated, corrupt or foreign file is an MlxError naming the file', () => {
    const file = (name: string) => new RegExp(name.replace('.', '\\.'));
    expect(() => mt.loadSafetensors(path('missing.safetensors'))).toThrow(mt.MlxError);
    expect(() => mt.loadSafetensors(path('missing.safetensors'))).toThrow(file('missing.safetensors'));

    const bytes = readFileSync(path('model.safetensors'));
    writeFileSync(path('short-data.safetensors'), bytes.subarray(0, bytes.length - 2));
    expect(() => mt.loadSafetensors(path('short-data.safetensors'))).toThrow(file('short-data.safetensors'));
    writeFileSync(path('short-header.safetensors'), bytes.subarray(0, 20));
    expect(() => mt.loadSafetensors(path('short-header.safetensors'))).toThrow(file('short-header.safetensors'));
    writeFileSync(path('tiny.safetensors'), bytes.subarray(0, 3));
    expect(() => mt.loadSafetensors(path('tiny.safetensors'))).toThrow(file('tiny.safetensors'));

    writeFileSync(path('text.safetensors'), 'not a safetensors file at all');
    expect(() => mt.loadSafetensors(path('text.safetensors'))).toThrow(/Invalid json header length .*text\.safetensors/);
    writeFileSync(path('npy.safetensors'), readFileSync(path('full.npy')));
    expect(() => mt.loadSafetensors(path('npy.safetensors'))).toThrow(file('npy.safetensors'));

    const json = Buffer.from('{"a": {"dtype": "F3');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(path('bad-json.safetensors'), Buffer.concat([len, json]));
    expect(() => mt.loadSafetensors(path('bad-json.safetensors'))).toThrow(/bad-json\.safetensors': .*parse error/);

    const data = Buffer.alloc(16);
    const cases: [string, unknown][] = [
      ['bad-dtype', { a: { dtype: 'Q7', shape: [4], data_offsets: [0, 16] } }],
      ['huge-shape', { a: { dtype: 'F32', shape: [1000000, 1000000], data_offsets: [0, 16] } }],
      ['neg-shape', { a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }],
      ['past-end', { a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }],
      ['no-offsets', { a: { dtype: 'F32', shape: [4] } }],
      ['not-object', [1, 2, 3]],
      ['meta-number', { __metadata__: { step: 3 }, a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }],
    ];
    for (const [name, header] of cases) {
      writeFileSync(path(`${name}.safetensors`), safetensorsBytes(header, data));
      expect(() => mt.loadSafetensors(path(`${name}.safetensors`)), name).toThrow(mt.MlxError);
      expect(() => mt.loadSafetensors(path(`${name}.safetensors`)), name).toThrow(file(`${name}.safetensors`));
    }
  });

  test('bad arguments are TypeErrors naming the argument', () => {
    expect(() => mt.saveSafetensors(path('x'), { a: [1, 2] as unknown as mt.Tensor })).toThrow(/\[saveSafetensors\] tensors\.a must be a Tensor/);
    expect(() => mt.saveSafetensors(path('x'), { a: mt.ones([1]) }, { k: 3 as unknown as string })).toThrow(/saveSafetensors: argument 'metadata\.k' must be a string, got 3/);
    expect(() => mt.saveSafetensors(path('x'), [] as unknown as Record<string, mt.Tensor>)).toThrow(/argument 'tensors' must be an object/);
    expect(() => mt.loadSafetensors(undefined as unknown as string)).toThrow(/loadSafetensors: argument 'file' must be a string, got undefined/);
  });
});
