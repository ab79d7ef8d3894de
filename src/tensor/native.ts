// The one place that loads the addon, and the typed view of its exports.
// Arguments follow MLX's C++ order; `Operand` is an array or a weak scalar.
import { readFileSync } from 'node:fs';
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
  blasCore(): string;
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
  /** Registers the Int32Array that shapeInto fills (once per thread, by load()). */
  setShapeBuffer(buffer: Int32Array): void;
  /** Writes a's shape into the registered buffer and returns its rank, or -1 when the buffer is too short. */
  shapeInto(a: A): number;
  /** The dtype's position in {@link CoreNative.dtypeNames}: a number, cheaper to return than a new string. */
  dtypeIndex(a: A): number;
  dtypeNames(): DType[];
  isArray(a: unknown): boolean;
  dispose(a: A): boolean;
  /** dispose() for each in-scope handle (a BigInt key) in one call; disposed ones are skipped. */
  disposeKeys(keys: BigUint64Array): void;
  /** Live handles: neither disposed nor finalized by the GC (a finalizer backlog shows here). */
  handleCount(): number;
  /** While true (inside tidy), new handles are tidy's to free: no GC finalizer, and V8 is not told of their bytes. */
  inScope(inScope: boolean): void;
  /** A handle made inside tidy outlives it: V8 hears of its bytes, and the GC frees it with `owner` (the Tensor holding it) if it is never disposed. */
  outlive(a: A, owner: object): void;
  /** A new handle on the same MLX array (no graph node). */
  alias(a: A): A;
  /** Whether two arrays have the same shape, without building either shape in JS. */
  sameShape(a: A, b: A): boolean;
  astype(a: A, dtype: DType): A;
  eval(arrays: A[]): void;
  /** MLX's synchronize of this thread's stream on the default device. */
  synchronize(): void;
  /** Whether an eval first puts the CPU stream's thread on the caller's CPU (CPU-only builds' default; native/src/evaluate.cc); returns the previous setting. For A/B measurement. */
  streamFollowsCaller(on: boolean): boolean;
  /** The unevaluated graph behind the arrays: "Primitive@device" per node. */
  graphOps(arrays: A[]): string[];
  /** MLX's own vjp of a function of handles: the test oracle for our rules. */
  mlxVjp(fn: (xs: A[]) => A[], primals: A[], cotangents: A[]): [A[], A[]];
  /** A new compiled function (MLX's compile), erased from MLX's cache when the GC collects it. */
  compile(shapeless: boolean): CompiledFunction;
  /** Runs a compiled function; `fn` is called only when MLX traces, `variant` names the JS-side signature. */
  compiledCall(compiled: CompiledFunction, fn: (xs: A[]) => A[], inputs: A[], variant: number): A[];
}

/** An opaque compiled function of the addon. */
export type CompiledFunction = { readonly __brand: 'CompiledFunction' };

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
  /** maximum(a, 0); for floating dtypes through a compiled MLX kernel, as MLX-Python's nn.relu. */
  relu(a: A): A;
};

// ---- shape family (native/src/shape.cc) ----
interface ShapeNative {
  reshape(a: A, shape: number[]): A;
  broadcastTo(a: A, shape: number[]): A;
  flatten(a: A, startAxis: number, endAxis: number): A;
  transpose(a: A, axes: number[] | null): A;
  swapaxes(a: A, axis1: number, axis2: number): A;
  moveaxis(a: A, source: number, destination: number): A;
  expandDims(a: A, axes: Axes): A;
  squeeze(a: A, axes: Axes | null): A;
  concatenate(arrays: A[], axis: number): A;
  stack(arrays: A[], axis: number): A;
  /** A number splits into that many equal sections, a list at those indices. */
  split(a: A, indicesOrSections: number | number[], axis: number): A[];
  repeat(a: A, repeats: number, axis: number | null): A;
  tile(a: A, reps: Axes): A;
  /** One (low, high) pair per axis; mode 'constant' | 'edge' | 'reflect' | 'symmetric'. */
  pad(a: A, low: number[], high: number[], mode: string, constantValues: number): A;
  roll(a: A, shift: number[], axes: number[] | null): A;
}

// ---- indexing family (native/src/indexing.cc) ----
interface IndexingNative {
  slice(a: A, start: number[], stop: number[], strides: number[] | null): A;
  sliceUpdate(src: A, update: A, start: number[], stop: number[], strides: number[] | null): A;
  scatter(a: A, indices: A[], updates: A, axes: number[]): A;
  scatterAdd(a: A, indices: A[], updates: A, axes: number[]): A;
  gather(a: A, indices: A[], axes: number[], sliceSizes: number[]): A;
  take(a: A, indices: A, axis: number | null): A;
  takeAlongAxis(a: A, indices: A, axis: number): A;
  putAlongAxis(a: A, indices: A, values: A, axis: number): A;
  scatterAddAxis(a: A, indices: A, values: A, axis: number): A;
  flip(a: A, axes: Axes | null): A;
  asStrided(a: A, shape: number[], strides: number[], offset: number): A;
  sort(a: A, axis: number | null): A;
  argsort(a: A, axis: number | null): A;
  partition(a: A, kth: number, axis: number | null): A;
  argpartition(a: A, kth: number, axis: number | null): A;
  topk(a: A, k: number, axis: number | null): A;
}

// ---- reduce family (native/src/reduce.cc) ----
type ReduceName = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any' | 'logsumexp' | 'countNonzero' | 'mean';
type ScanName = 'cumsum' | 'cumprod' | 'cummax' | 'cummin';
type ReduceNative = { [K in ReduceName]: (a: A, axes: Axes | null, keepDims: boolean) => A } & {
  [K in ScanName]: (a: A, axis: number, reverse: boolean, inclusive: boolean) => A;
} & {
  var(a: A, axes: Axes | null, keepDims: boolean, ddof: number): A;
  std(a: A, axes: Axes | null, keepDims: boolean, ddof: number): A;
  argmax(a: A, axis: number | null, keepDims: boolean): A;
  argmin(a: A, axis: number | null, keepDims: boolean): A;
  softmax(a: A, axes: Axes, precise: boolean): A;
  /** MLX's fused cross entropy (fast::cross_entropy) of logits [..., C] against integer targets [...], in the logits' dtype. */
  crossEntropyFused(logits: A, targets: A): A;
  /** The gradient of crossEntropyFused with respect to the logits (MLX's vjp of it: one kernel on the GPU). */
  crossEntropyFusedVjp(logits: A, targets: A, out: A, cotangent: A): A;
};

// ---- linalg and conv families (native/src/linalg.cc, conv.cc) ----
interface LinalgNative {
  matmul(a: A, b: A): A;
  addmm(c: A, a: A, b: A, alpha: number, beta: number): A;
  linear(x: A, weight: A, bias: A | null): A;
  outer(a: A, b: A): A;
  inner(a: A, b: A): A;
  /** `axesB` null: `axesA` is the number of trailing/leading axes to contract. */
  tensordot(a: A, b: A, axesA: Axes, axesB: number[] | null): A;
  einsum(subscripts: string, operands: A[]): A;
  conv1d(input: A, weight: A, stride: number, padding: number, dilation: number, groups: number): A;
  conv2d(input: A, weight: A, stride: number[], padding: number[], dilation: number[], groups: number): A;
  conv3d(input: A, weight: A, stride: number[], padding: number[], dilation: number[], groups: number): A;
  /** Whether convolutions pad operands of up to 8 bytes on the CPU as on the GPU (native/src/conv.cc; the GPU always does); returns the previous setting. For tests. */
  convPadsTiny(on: boolean): boolean;
  convGeneral(input: A, weight: A, stride: Axes, paddingLo: Axes, paddingHi: Axes, kernelDilation: Axes, inputDilation: Axes, groups: number, flip: boolean): A;
  /** The im2col matrix [N * prod(out), prod(window) * C] of a convolution without dilation or groups. */
  im2col(input: A, window: number[], stride: number[], paddingLo: number[], paddingHi: number[]): A;
  /** Max pooling of [N, ...spatial, C] over windows that tile it (stride = kernel), CPU only; any real dtype. */
  maxPoolTiled(input: A, kernel: number[]): A;
  /** Its gradient: each window's dy at the first of its elements equal to `out`, the window's max. */
  maxPoolTiledGrad(input: A, out: A, dy: A, kernel: number[]): A;
  /** The inverse layout of im2col for an input of `shape`, overlapping windows summed; CPU only, float32/float64. */
  col2im(cols: A, shape: number[], window: number[], stride: number[], paddingLo: number[], paddingHi: number[]): A;
  /** a · b (+ bias [n]) for float32 a [m, k ≤ 16], b [k, n ≤ 256], or aᵀ · b for a [m, k ≤ 16], b [m, n ≤ 256]: one pass; CPU only. */
  matmulNarrow(a: A, b: A, transposeA: boolean, bias?: A | null): A;
  /** dy · [x > value] or dy · [x < value], one pass; CPU only, float dtypes, dy and x of one shape and dtype. */
  maskedBy(dy: A, x: A, comparison: 'greater' | 'less', value: number): A;
  /** alpha · x + beta · y, one pass, each product rounded as the composed ops round it; CPU only, float dtypes, x and y of one shape and dtype. */
  axpby(x: A, y: A, alpha: number, beta: number): A;
  /** Adam's update in one pass: [p', m', v'] (kernels.cc has the formula); CPU only, float32 p, g, m, v of one shape. */
  adamStep(p: A, g: A, m: A, v: A, b1: number, b2: number, c1: number, c2: number, eps: number, lr: number, decay: number): A[];
  convTranspose1d(input: A, weight: A, stride: number, padding: number, dilation: number, outputPadding: number, groups: number): A;
  convTranspose2d(input: A, weight: A, stride: number[], padding: number[], dilation: number[], outputPadding: number[], groups: number): A;
  convTranspose3d(input: A, weight: A, stride: number[], padding: number[], dilation: number[], outputPadding: number[], groups: number): A;
}

// ---- creation, random, io (native/src/creation.cc, random.cc, io.cc) ----
interface CreationNative {
  full(shape: number[], value: number, dtype: DType): A;
  zerosLike(a: A): A;
  onesLike(a: A): A;
  arange(start: number, stop: number, step: number, dtype: DType): A;
  linspace(start: number, stop: number, num: number, dtype: DType): A;
  eye(n: number, m: number, k: number, dtype: DType): A;
  identity(n: number, dtype: DType): A;
  tri(n: number, m: number, k: number, dtype: DType): A;
  // random (MLX's mx.random.*, prefixed: the native namespace is flat)
  randomSeed(seed: number): void;
  randomKey(seed: number): A;
  randomSplit(key: A, num: number): A;
  randomNormal(shape: number[], dtype: DType, loc: Operand | null, scale: Operand | null, key: A | null): A;
  randomUniform(low: Operand, high: Operand, shape: number[], dtype: DType, key: A | null): A;
  randomBernoulli(p: Operand, shape: number[] | null, key: A | null): A;
  randomRandint(low: Operand, high: Operand, shape: number[], dtype: DType, key: A | null): A;
  randomCategorical(logits: A, axis: number, shape: number[] | null, numSamples: number | null, key: A | null): A;
  randomTruncatedNormal(lower: Operand, upper: Operand, shape: number[] | null, dtype: DType, key: A | null): A;
  // io
  save(file: string, a: A): void;
  load(file: string): A;
  saveSafetensors(file: string, tensors: Record<string, A>, metadata: Record<string, string> | null): void;
  loadSafetensors(file: string): { tensors: Record<string, A>; metadata: Record<string, string> };
}

// ---- distributed family (native/src/distributed.cc); a group is an index into a native registry ----
interface DistributedNative {
  distributedIsAvailable(backend: string): boolean;
  /** Blocks until the group is connected, or throws after `timeoutMs` (0: no limit). */
  distributedInit(strict: boolean, backend: string, timeoutMs: number): number;
  distributedRank(group: number): number;
  distributedSize(group: number): number;
  distributedSplit(group: number, color: number, key: number): number;
  allSum(x: A, group: number | null): A;
  allGather(x: A, group: number | null): A;
  allMax(x: A, group: number | null): A;
  allMin(x: A, group: number | null): A;
  sumScatter(x: A, group: number | null): A;
  send(x: A, dst: number, group: number | null): A;
  recv(shape: number[], dtype: DType, src: number, group: number | null): A;
  recvLike(x: A, src: number, group: number | null): A;
}

/** Every export of the addon. */
export type Native = CoreNative & ElementwiseNative & ShapeNative & IndexingNative & ReduceNative & LinalgNative & CreationNative & DistributedNative;

// OpenBLAS (0.3.21 in Debian 12) picks its kernels by CPU model, and on a model
// it does not know (newer Xeons; VMs that mask the model) falls back to the
// generic Prescott ones: 3x slower GEMM on the 2-thread Xeon VM (npm run bench).
// Unless the user chose one (OPENBLAS_CORETYPE), name the kernels that this
// CPU's features allow, before the addon loads OpenBLAS.
//
// And after a GEMM, OpenBLAS's idle threads spin for 2^28 cycles (~0.1 s)
// before they sleep, holding the cores that native/src/kernels.cc's kernels
// split their loops over. Unless the user set it (OPENBLAS_THREAD_TIMEOUT),
// they spin 2^20 cycles (~0.4 ms, still longer than the gaps between W1's
// GEMMs): W2 20.9-21.3 ms a step against 24.9-25.5, W1 3.46-3.63 against
// 3.42-3.95 (bench/workers/mlx-tape.ts, interleaved processes).
function configureOpenblas(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '20';
  if (process.env.OPENBLAS_CORETYPE !== undefined) return;
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return;
  }
  const flags = new Set(cpuinfo.match(/^flags\s*:(.*)$/m)?.[1]?.trim().split(/\s+/));
  const has = (...names: string[]): boolean => names.every((f) => flags.has(f));
  const avx512 = has('avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl');
  const amd = /^vendor_id\s*:\s*AuthenticAMD/m.test(cpuinfo);
  const core = avx512 ? (has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX') : has('avx2', 'fma') ? (amd ? 'Zen' : 'Haswell') : undefined;
  if (core) process.env.OPENBLAS_CORETYPE = core;
}

function load(): Native {
  configureOpenblas();
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
  addon.setShapeBuffer(shapeBuffer);
  return addon;
}

// Filled by shapeInto: building the JS array here costs a sixth of the
// element-by-element N-API calls of shape() (0.12 vs 0.75 µs).
const shapeBuffer = new Int32Array(32);
export const native: Native = load();

/** The shape of a native array, as a new JS array. */
export function shapeOf(a: NativeArray): number[] {
  const rank = native.shapeInto(a);
  if (rank < 0) return native.shape(a);
  const shape = new Array<number>(rank);
  for (let i = 0; i < rank; i++) shape[i] = shapeBuffer[i]!;
  return shape;
}

const CUDA_KERNEL_DTYPES = new Set<DType>(['float32', 'float16', 'bfloat16']);
/**
 * Whether the addon's own kernels for an op of `dtype` (max pooling over
 * tiled windows, maskedBy, axpby, adamStep) run on the default device: the CPU's
 * (native/src/kernels.cc) for every dtype but complex64, a CUDA GPU's
 * (cuda_kernels.cc) for its float dtypes. Elsewhere callers compose MLX ops.
 */
export function hasOwnKernel(dtype: DType): boolean {
  return native.defaultDevice() === 'cpu'
    ? dtype !== 'complex64'
    : native.backend() === 'cuda' && CUDA_KERNEL_DTYPES.has(dtype);
}
