// Saving and loading tensors with MLX's own .npy and .safetensors code.
// Loading reads everything at once: a missing, truncated, corrupt or foreign
// file is an MlxError that names the file, never garbage or a crash.
import { native, type NativeArray } from '../native.js';
import { Tensor } from '../tensor.js';

/**
 * Saves a tensor in NumPy's `.npy` format. As MLX does, `.npy` is appended
 * to a path that doesn't end with it.
 *
 * @param file - The path to write.
 * @param x - The tensor to save (any dtype; bfloat16 is stored as MLX writes it, `<V2`).
 * @example
 * ```ts
 * mt.save('/tmp/w.npy', mt.tensor([1, 2, 3]));
 * ```
 * @group IO
 */
export function save(file: string, x: Tensor): void {
  native.save(file, x.data);
}

/**
 * Loads a tensor from a `.npy` file (as written by {@link save} or NumPy).
 *
 * @param file - The path to read.
 * @returns The tensor, already read from the file.
 * @example
 * ```ts
 * mt.save('/tmp/w.npy', mt.tensor([1, 2, 3]));
 * mt.load('/tmp/w.npy').toArray(); // [1, 2, 3]
 * ```
 * @group IO
 */
export function load(file: string): Tensor {
  return new Tensor(native.load(file));
}

/**
 * Saves named tensors, and optional string metadata, in the `.safetensors`
 * format. As MLX does, `.safetensors` is appended to a path that doesn't end
 * with it. The format has no float64 (MLX refuses it).
 *
 * @param file - The path to write.
 * @param tensors - The tensors, by name.
 * @param metadata - String key/value pairs stored in the header.
 * @example
 * ```ts
 * mt.saveSafetensors('/tmp/model.safetensors', { w: mt.ones([2, 2]) }, { step: '100' });
 * ```
 * @see MLX `save_safetensors`
 * @group IO
 */
export function saveSafetensors(file: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new TypeError('[saveSafetensors] argument \'tensors\' must be an object of tensors by name');
  }
  const handles: Record<string, NativeArray> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new TypeError(`[saveSafetensors] tensors.${name} must be a Tensor, got ${typeof t}`);
    handles[name] = t.data;
  }
  native.saveSafetensors(file, handles, metadata ?? null);
}

/**
 * Loads named tensors and the metadata from a `.safetensors` file.
 *
 * @param file - The path to read.
 * @returns `tensors` by name, already read from the file, and the header's string `metadata`.
 * @example
 * ```ts
 * mt.saveSafetensors('/tmp/model.safetensors', { w: mt.ones([2, 2]) }, { step: '100' });
 * const { tensors, metadata } = mt.loadSafetensors('/tmp/model.safetensors');
 * tensors.w.shape; // [2, 2]
 * metadata.step;   // '100'
 * ```
 * @see MLX `load_safetensors`
 * @group IO
 */
export function loadSafetensors(file: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const { tensors, metadata } = native.loadSafetensors(file);
  const out: Record<string, Tensor> = {};
  for (const [name, a] of Object.entries(tensors)) out[name] = new Tensor(a);
  return { tensors: out, metadata };
}
