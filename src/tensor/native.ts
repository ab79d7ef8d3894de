// The one place that loads the addon, and the typed view of its exports.
// Arguments follow MLX's C++ order; `Operand` is an array or a weak scalar.
import { createRequire } from 'node:module';
import { MlxError } from '../errors.js';
import type { DType } from './dtype.js';

/** An opaque handle to one MLX array, owned by a {@link Tensor}. */
export type NativeArray = { readonly __brand: 'NativeArray' };
type A = NativeArray;
type Operand = NativeArray | number | boolean;
type Axes = number | number[];

interface CoreNative {
  init(errorClass: typeof MlxError): void;
  mlxVersion(): string;
  backend(): string;
  isAvailable(device: string): boolean;
  setDefaultDevice(device: string): void;
  defaultDevice(): string;
  getActiveMemory(): number;
  getPeakMemory(): number;
  getCacheMemory(): number;
  resetPeakMemory(): void;
  clearCache(): void;
  setCacheLimit(bytes: number): number;
  setMemoryLimit(bytes: number): number;
  // array
  fromTypedArray(data: ArrayBufferView, shape: number[], dtype: DType): A;
  toTypedArray(a: A): Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;
  item(a: A): number | boolean;
  shape(a: A): number[];
  dtype(a: A): DType;
  isArray(a: unknown): boolean;
  dispose(a: A): boolean;
  astype(a: A, dtype: DType): A;
  eval(arrays: A[]): void;
  /** MLX's own vjp of a function of handles: the test oracle for our rules. */
  mlxVjp(fn: (xs: A[]) => A[], primals: A[], cotangents: A[]): [A[], A[]];
}

type UnaryName =
  | 'abs' | 'negative' | 'sign' | 'exp' | 'expm1' | 'log' | 'log1p' | 'log2' | 'log10' | 'sqrt' | 'rsqrt'
  | 'square' | 'reciprocal' | 'sin' | 'cos' | 'tan' | 'arcsin' | 'arccos' | 'arctan' | 'sinh' | 'cosh'
  | 'tanh' | 'arcsinh' | 'arccosh' | 'arctanh' | 'sigmoid' | 'erf' | 'erfinv' | 'floor' | 'ceil'
  | 'logicalNot' | 'isnan' | 'isinf' | 'isfinite' | 'stopGradient';
type BinaryName =
  | 'add' | 'subtract' | 'multiply' | 'divide' | 'floorDivide' | 'power' | 'remainder' | 'maximum'
  | 'minimum' | 'arctan2' | 'logaddexp' | 'equal' | 'notEqual' | 'less' | 'lessEqual' | 'greater'
  | 'greaterEqual' | 'logicalAnd' | 'logicalOr';

type ElementwiseNative = { [K in UnaryName]: (a: A) => A } & { [K in BinaryName]: (a: Operand, b: Operand) => A } & {
  where(condition: A, x: Operand, y: Operand): A;
  clip(a: A, min: Operand | null, max: Operand | null): A;
  nanToNum(a: A, nan: number, posinf: number | null, neginf: number | null): A;
  round(a: A, decimals: number): A;
};

// ---- shape family (native/src/shape.cc) ----
interface ShapeNative {
  reshape(a: A, shape: number[]): A;
  broadcastTo(a: A, shape: number[]): A;
}

// ---- indexing family (native/src/indexing.cc) ----
interface IndexingNative {}

// ---- reduce family (native/src/reduce.cc) ----
interface ReduceNative {
  sum(a: A, axes: Axes | null, keepDims: boolean): A;
}

// ---- linalg and conv families (native/src/linalg.cc, conv.cc) ----
interface LinalgNative {}

// ---- creation, random, io (native/src/creation.cc, random.cc, io.cc) ----
interface CreationNative {
  full(shape: number[], value: number, dtype: DType): A;
  zerosLike(a: A): A;
  onesLike(a: A): A;
}

/** Every export of the addon. */
export type Native = CoreNative & ElementwiseNative & ShapeNative & IndexingNative & ReduceNative & LinalgNative & CreationNative;

function load(): Native {
  const require = createRequire(import.meta.url);
  // src/tensor/ and dist/tensor/ both sit two levels below the package root.
  const path = new URL('../../build/Release/mlx_tape.node', import.meta.url);
  let addon: Native;
  try {
    addon = require(path.pathname) as Native;
  } catch (e) {
    throw new Error(`mlx-tape: the native addon is not built (${(e as Error).message}); run \`npm install\``);
  }
  addon.init(MlxError);
  return addon;
}

export const native: Native = load();
