// Tensor: one native MLX array plus the autograd metadata that the tape needs.
import { runBackward, type BackwardOptions } from '../autograd/backward.js';
import type { Node } from '../autograd/tape.js';
import { internalDType, type DType } from './dtype.js';
import { setTensorCheck, track } from './memory.js';
import { native, shapeOf, type NativeArray } from './native.js';
import * as ops from './ops/index.js';

// Dtype names in the addon's order: Tensor.dtype maps an index to one of these.
const DTYPES = native.dtypeNames().map(internalDType);

/** Nested JS arrays of numbers or booleans, as `toArray()` returns and `tensor()` takes. */
export type NestedArray = number | boolean | NestedArray[];

/** A hook called with the gradient flowing into a tensor; it may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** Whether two shapes are the same (a loop: `every`'s closure cost W3's chain ~0.2 µs an op). */
export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An n-dimensional array of one dtype, backed by an MLX array, that can take
 * part in automatic differentiation. Create one with {@link tensor},
 * {@link zeros}, {@link ones}, ... and free it with {@link Tensor.dispose} or
 * {@link tidy}.
 *
 * @example
 * ```ts
 * const x = mt.tensor([[1, 2], [3, 4]]);
 * x.shape;                     // [2, 2]
 * x.add(1).square().toArray(); // [[4, 9], [16, 25]]
 * ```
 * @group Tensor
 */
export class Tensor {
  #data: NativeArray | null; // null once disposed
  #shape: readonly number[] | undefined;
  #dtype: DType | undefined;
  /** Whether gradients flow into this tensor. Leaves set it; op outputs inherit it. */
  requiresGrad = false;
  /** The gradient accumulated by `backward()` (leaves, and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The op that made this tensor, when it was recorded for autograd; `null` for leaves. */
  node: Node | null = null;
  /** Whether `backward()` stores a gradient in `.grad` although this is not a leaf. */
  retainsGrad = false;
  /** Hooks run on the gradient flowing into this tensor during backward (allocated on first use). */
  hooks: GradHook[] | null = null;
  /** @internal The tidy scope's list that frees this tensor (memory.ts); null outside every scope and once kept. */
  owningScope: Tensor[] | null = null;
  /** @internal For an output of relu, relu's input: max pooling over it pools that instead (ops/pool.ts). */
  reluInput: Tensor | null = null;
  /** @internal The backward pass that visited this tensor last, if it is still running (autograd/backward.ts). */
  backwardPass: object | null = null;
  /** @internal This tensor's place in that pass's order. */
  backwardIndex = 0;

  /** Wraps a native array; prefer the creation functions ({@link tensor}, {@link zeros}). */
  constructor(data: NativeArray, requiresGrad = false) {
    this.#data = data;
    this.requiresGrad = requiresGrad;
    track(this);
  }

  /** The native MLX array handle. */
  get data(): NativeArray {
    if (this.#data === null) throw new Error(`[tensor] this tensor was disposed; it can't be used any more`);
    return this.#data;
  }

  /** The size of each axis. */
  get shape(): readonly number[] {
    return (this.#shape ??= Object.freeze(shapeOf(this.data)));
  }
  /** The element type. */
  get dtype(): DType {
    return (this.#dtype ??= DTYPES[native.dtypeIndex(this.data)]!);
  }
  /** The number of axes. */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** The bytes the elements take (size × itemsize). */
  get nbytes(): number {
    return this.size * itemsize(this.dtype);
  }
  /** Whether {@link Tensor.dispose} has freed the native array. */
  get isDisposed(): boolean {
    return this.#data === null;
  }

  /** Frees the native array now. Idempotent. */
  dispose(): void {
    const handle = this.release();
    if (handle !== undefined) native.dispose(handle);
  }

  /**
   * @internal Marks this tensor disposed and hands its native handle to the
   * caller to free (tidy frees a scope's handles in one native call), or
   * undefined when it was disposed already.
   */
  release(): NativeArray | undefined {
    const data = this.#data;
    if (data === null) return undefined;
    this.#data = null;
    this.reluInput = null; // lets relu's input go with it
    return data;
  }

  /** Evaluates the tensor (MLX is lazy) and returns it. */
  eval(): this {
    native.eval([this.data]);
    return this;
  }

  /** The values as a flat TypedArray (float16/bfloat16 as Float32Array, bool as Uint8Array, int64 as BigInt64Array). */
  toTypedArray(): ReturnType<typeof native.toTypedArray> {
    return native.toTypedArray(this.data);
  }

  /** The values as nested JS arrays (a number or boolean for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const value = (i: number): number | boolean => {
      const v = flat[i]!;
      return isBool ? v !== 0 : Number(v);
    };
    const shape = this.shape;
    let next = 0;
    const build = (axis: number): NestedArray => {
      if (axis === shape.length) return value(next++);
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[axis]!; i++) out.push(build(axis + 1));
      return out;
    };
    return build(0);
  }

  /** The one value of a size-1 tensor. */
  item(): number | boolean {
    return native.item(this.data);
  }

  /**
   * @internal Whether this tensor has `other`'s shape: compared here when both
   * shapes are known (element-wise ops pass theirs on), else asked of MLX.
   */
  hasShapeOf(other: Tensor): boolean {
    const a = this.#shape, b = other.#shape;
    if (a === undefined || b === undefined) return native.sameShape(this.data, other.data);
    return sameDims(a, b);
  }

  /** @internal Takes `like`'s shape and dtype, known to be its own (an element-wise op's output), so neither is asked of MLX. */
  shapedLike(like: Tensor): this {
    this.#shape = like.shape;
    this.#dtype = like.dtype;
    return this;
  }

  /** A tensor with the same values that is cut off from the graph (no gradient flows through it). */
  detach(): Tensor {
    // The tape is ours, so a new handle on the same MLX array is enough: MLX's
    // stop_gradient would add a node to every training step's graph.
    const t = new Tensor(native.alias(this.data));
    // Same shape and dtype: carry what is known, saving the alias native queries.
    t.#shape = this.#shape;
    t.#dtype = this.#dtype;
    return t;
  }

  /** Makes `backward()` store this non-leaf tensor's gradient in `.grad`. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * Registers a hook on the gradient that flows into this tensor.
   * @returns A function that removes the hook.
   */
  registerHook(hook: GradHook): () => void {
    const hooks = (this.hooks ??= []);
    hooks.push(hook);
    return () => {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    };
  }

  /**
   * Reverse-mode differentiation from this tensor: accumulates d(this)/d(leaf)
   * into the `.grad` of every leaf that requires grad. A tensor of more than
   * one element needs `grad`, the upstream gradient of its own shape.
   */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    runBackward(this, grad, options);
  }

  /** Frees and clears `.grad`. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  /** Sets {@link Tensor.requiresGrad} and returns this tensor (PyTorch's `requires_grad_`). */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /** Shows values, shape and dtype. */
  toString(): string {
    if (this.#data === null) return 'Tensor(disposed)';
    const values = this.size <= 1000 ? JSON.stringify(this.toArray()) : `[${this.size} values]`;
    return `Tensor(${values}, shape=[${this.shape.join(',')}], dtype=${this.dtype})`;
  }

  /** `node:util` inspection (console.log) shows the same as toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // One-line delegations for common ops; the free functions carry the docs.
  /** See {@link add}. */ add(b: Tensor | number): Tensor { return ops.add(this, b); }
  /** See {@link subtract}. */ subtract(b: Tensor | number): Tensor { return ops.subtract(this, b); }
  /** See {@link multiply}. */ multiply(b: Tensor | number): Tensor { return ops.multiply(this, b); }
  /** See {@link divide}. */ divide(b: Tensor | number): Tensor { return ops.divide(this, b); }
  /** See {@link power}. */ power(b: Tensor | number): Tensor { return ops.power(this, b); }
  /** See {@link negative}. */ negative(): Tensor { return ops.negative(this); }
  /** See {@link exp}. */ exp(): Tensor { return ops.exp(this); }
  /** See {@link log}. */ log(): Tensor { return ops.log(this); }
  /** See {@link square}. */ square(): Tensor { return ops.square(this); }
  /** See {@link sqrt}. */ sqrt(): Tensor { return ops.sqrt(this); }
  /** See {@link tanh}. */ tanh(): Tensor { return ops.tanh(this); }
  /** See {@link sigmoid}. */ sigmoid(): Tensor { return ops.sigmoid(this); }
  /** See {@link relu}. */ relu(): Tensor { return ops.relu(this); }
  /** See {@link astype}. */ astype(dtype: DType): Tensor { return ops.astype(this, dtype); }
  /** See {@link sum}. */ sum(axes?: number | number[], keepDims?: boolean): Tensor { return ops.sum(this, axes, keepDims); }
  /** See {@link mean}. */ mean(axes?: number | number[], keepDims?: boolean): Tensor { return ops.mean(this, axes, keepDims); }
  /** See {@link max}. */ max(axes?: number | number[], keepDims?: boolean): Tensor { return ops.max(this, axes, keepDims); }
  /** See {@link min}. */ min(axes?: number | number[], keepDims?: boolean): Tensor { return ops.min(this, axes, keepDims); }
  /** See {@link reshape}. */ reshape(shape: number[]): Tensor { return ops.reshape(this, shape); }
  /** See {@link transpose}. */ transpose(axes?: number[]): Tensor { return ops.transpose(this, axes); }
  /** See {@link flatten}. */ flatten(startAxis?: number, endAxis?: number): Tensor { return ops.flatten(this, startAxis, endAxis); }
  /** See {@link squeeze}. */ squeeze(axes?: number | number[]): Tensor { return ops.squeeze(this, axes); }
  /** See {@link expandDims}. */ expandDims(axes: number | number[]): Tensor { return ops.expandDims(this, axes); }
  /** See {@link matmul}. */ matmul(b: Tensor): Tensor { return ops.matmul(this, b); }
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);

const ITEMSIZE: Record<DType, number> = {
  bool: 1, uint8: 1, uint16: 2, uint32: 4, uint64: 8, int8: 1, int16: 2, int32: 4, int64: 8,
  float16: 2, bfloat16: 2, float32: 4, float64: 8, complex64: 8,
};

/** Bytes per element of a dtype. */
export function itemsize(dtype: DType): number {
  return ITEMSIZE[dtype];
}
