// The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// a big-endian header [0, 0, type, ndim], ndim uint32 sizes, then the values.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The element types IDX files can hold. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The values of an IDX file: element type, shape and the values in row-major order. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: { code: number; dtype: IdxDType; size: number; ctor: { new (n: number): IdxArray['data'] } }[] = [
  { code: 0x08, dtype: 'uint8', size: 1, ctor: Uint8Array },
  { code: 0x09, dtype: 'int8', size: 1, ctor: Int8Array },
  { code: 0x0b, dtype: 'int16', size: 2, ctor: Int16Array },
  { code: 0x0c, dtype: 'int32', size: 4, ctor: Int32Array },
  { code: 0x0d, dtype: 'float32', size: 4, ctor: Float32Array },
  { code: 0x0e, dtype: 'float64', size: 8, ctor: Float64Array },
];
const hex = (n: number, width = 2): string => `0x${n.toString(16).padStart(width, '0')}`;

/** The error for a file that is not a well-formed IDX file; `file` names it. */
export class IdxFormatError extends Error {
  /** The file (or the name given to {@link parseIdx}). */
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`[readIdx] ${file}: ${problem}`);
    this.name = 'IdxFormatError';
    this.file = file;
  }
}

/**
 * Parses the bytes of an IDX file (already decompressed) and checks the magic
 * number, the dimensions and that the length matches them exactly.
 *
 * @param bytes - The file's contents.
 * @param file - A name for error messages (default `'<buffer>'`).
 * @returns The element type, shape and values.
 * @throws {@link IdxFormatError} naming the file and the problem.
 * @example
 * ```ts
 * const a = mt.data.parseIdx(new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9]));
 * a.shape;        // [2]
 * Array.from(a.data); // [7, 9]
 * ```
 * @group Data
 */
export function parseIdx(bytes: Uint8Array, file = '<buffer>'): IdxArray {
  const fail = (problem: string): never => {
    throw new IdxFormatError(file, problem);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for an IDX header (4 bytes of magic number)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`bad magic number ${hex(magic, 8)}: an IDX file starts with two zero bytes, a type code and the number of dimensions`);
  }
  const type = TYPES.find((t) => t.code === bytes[2]);
  if (!type) fail(`bad magic number ${hex(magic, 8)}: unknown type code ${hex(bytes[2]!)} (known: ${TYPES.map((t) => `${hex(t.code)} ${t.dtype}`).join(', ')})`);
  const ndim = bytes[3]!;
  if (ndim === 0) fail(`bad magic number ${hex(magic, 8)}: 0 dimensions`);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) fail(`truncated header: ${ndim} dimensions need ${header} bytes, the file has ${bytes.length}`);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const { dtype, size, ctor } = type!;
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * size;
  const found = bytes.length - header;
  if (found < expected) fail(`truncated: shape [${shape.join(', ')}] of ${dtype} needs ${expected} data bytes, found ${found}`);
  if (found > expected) fail(`${found - expected} unexpected bytes after the ${expected} data bytes of shape [${shape.join(', ')}] of ${dtype}`);
  const data = new ctor(count);
  if (size === 1) {
    data.set(bytes.subarray(header)); // set() converts uint8 to int8 where the type says so
  } else {
    // IDX is big-endian; DataView reads it on any host.
    const read: Record<string, (offset: number) => number> = {
      int16: (o) => view.getInt16(o), int32: (o) => view.getInt32(o),
      float32: (o) => view.getFloat32(o), float64: (o) => view.getFloat64(o),
    };
    const get = read[dtype]!;
    for (let i = 0; i < count; i++) data[i] = get(header + i * size);
  }
  return { dtype, shape, data };
}

/** Whether bytes start with the gzip magic number 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file, raw or gzip-compressed (recognised by its content, not
 * its name), and validates it as {@link parseIdx} does.
 *
 * @param path - The file to read.
 * @returns The element type, shape and values.
 * @throws {@link IdxFormatError} naming the file and the problem (bad gzip
 *   stream, magic number, dimensions or length).
 * @example
 * ```ts
 * const labels = mt.data.readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * ```
 * @group Data
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new IdxFormatError(path, `corrupt or truncated gzip stream (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Encodes values as IDX bytes (uncompressed), the inverse of {@link parseIdx}.
 *
 * @param array - Element type, shape and values; `data.length` must match the shape.
 * @returns The file's bytes.
 * @example
 * ```ts
 * const bytes = mt.data.encodeIdx({ dtype: 'uint8', shape: [2], data: new Uint8Array([7, 9]) });
 * bytes.length; // 10
 * ```
 * @group Data
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const type = TYPES.find((t) => t.dtype === array.dtype);
  if (!type) throw new TypeError(`[encodeIdx] unknown dtype '${array.dtype}'`);
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new RangeError(`[encodeIdx] data has ${array.data.length} values, shape [${array.shape.join(', ')}] needs ${count}`);
  }
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + count * type.size);
  const view = new DataView(out.buffer);
  out.set([0, 0, type.code, array.shape.length]);
  array.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const write: Record<IdxDType, (offset: number, v: number) => void> = {
    uint8: (o, v) => view.setUint8(o, v), int8: (o, v) => view.setInt8(o, v), int16: (o, v) => view.setInt16(o, v),
    int32: (o, v) => view.setInt32(o, v), float32: (o, v) => view.setFloat32(o, v), float64: (o, v) => view.setFloat64(o, v),
  };
  const set = write[array.dtype];
  for (let i = 0; i < count; i++) set(header + i * type.size, array.data[i]!);
  return out;
}
