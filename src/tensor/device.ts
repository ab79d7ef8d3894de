// Devices, versions and MLX's memory counters.
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/** Where ops run: MLX's CPU or its GPU (Metal on macOS, CUDA on Linux). */
export type Device = 'cpu' | 'gpu';

/**
 * The MLX version the addon was built against.
 * @example
 * ```ts
 * mt.mlxVersion(); // '0.32.4'
 * ```
 * @group Device
 */
export function mlxVersion(): string {
  return native.mlxVersion();
}

/**
 * The OpenBLAS kernel set MLX's CPU matmuls run on, e.g. `'Cooperlake'` or
 * `'Haswell'`; `null` when the addon uses the BLAS bundled with MLX (no
 * system OpenBLAS at build time, or macOS, where MLX uses Accelerate).
 *
 * On Linux x86-64, unless `OPENBLAS_CORETYPE` is set, mlx-tape names the
 * kernels this CPU's features allow before OpenBLAS loads: OpenBLAS picks by
 * CPU model and falls back to its slowest generic kernels on models it does
 * not know. Set `OPENBLAS_CORETYPE` yourself to choose.
 * @example
 * ```ts
 * mt.blasCore(); // 'Cooperlake' on an AVX-512 Xeon with bf16
 * ```
 * @group Device
 */
export function blasCore(): string | null {
  return native.blasCore() || null;
}

/**
 * The MLX backend of this build: `'cpu'`, `'metal'` or `'cuda'`.
 * @example
 * ```ts
 * mt.backend(); // 'cpu' on Linux with the mlx-cpu wheel
 * ```
 * @group Device
 */
export function backend(): 'cpu' | 'metal' | 'cuda' {
  return native.backend() as 'cpu' | 'metal' | 'cuda';
}

/**
 * Whether a device can run ops in this build.
 * @param device - `'cpu'` or `'gpu'`.
 * @example
 * ```ts
 * mt.isAvailable('cpu'); // true
 * ```
 * @group Device
 */
export function isAvailable(device: Device): boolean {
  return native.isAvailable(device);
}

/**
 * Sets the device that ops run on from now on.
 * @param device - `'cpu'` or `'gpu'`.
 * @example
 * ```ts
 * if (mt.isAvailable('gpu')) mt.setDefaultDevice('gpu');
 * ```
 * @group Device
 */
export function setDefaultDevice(device: Device): void {
  if (device === 'gpu' && !native.isAvailable('gpu')) {
    throw new Error(`[setDefaultDevice] no GPU in this build (backend '${native.backend()}'); use 'cpu'`);
  }
  native.setDefaultDevice(device);
}

/**
 * The device ops run on now.
 * @example
 * ```ts
 * mt.defaultDevice(); // 'cpu'
 * ```
 * @group Device
 */
export function defaultDevice(): Device {
  return native.defaultDevice() as Device;
}

/**
 * Runs `fn` with `device` as the default device, then restores the previous one.
 * @param device - `'cpu'` or `'gpu'`.
 * @param fn - The work to run there.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * const x = mt.withDevice('cpu', () => mt.ones([2], 'float64')); // float64 is CPU-only in MLX
 * ```
 * @group Device
 */
export function withDevice<T>(device: Device, fn: () => T): T {
  const before = defaultDevice();
  setDefaultDevice(device);
  try {
    return fn();
  } finally {
    native.setDefaultDevice(before);
  }
}

/**
 * Evaluates tensors together (MLX is lazy: ops only build a graph until then).
 * @param tensors - The tensors to compute.
 * @example
 * ```ts
 * const a = mt.exp(mt.ones([3])), b = mt.sum(a);
 * mt.evaluate(a, b);
 * ```
 * @group Memory
 */
export function evaluate(...tensors: Tensor[]): void {
  native.eval(tensors.map((t) => t.data));
}

/**
 * Waits until the default device has finished the work queued on this
 * thread and MLX has let go of what that work used (MLX's `synchronize`).
 * `evaluate` already waits for its results; on a GPU, MLX releases the
 * buffers an evaluation read just after, so `memoryStats` read right after
 * an eval can still count them.
 * @example
 * ```ts
 * const t = mt.zeros([1024, 1024]).eval();
 * t.dispose();
 * mt.synchronize();
 * mt.memoryStats().active; // without t's 4 MiB, on any device
 * ```
 * @group Memory
 */
export function synchronize(): void {
  native.synchronize();
}

/**
 * MLX's memory counters, in bytes: arrays alive now (`active`), the most
 * ever at once (`peak`), and freed buffers kept for reuse (`cache`).
 * @example
 * ```ts
 * mt.memoryStats().active; // bytes held by live arrays
 * ```
 * @group Memory
 */
export function memoryStats(): { active: number; peak: number; cache: number } {
  return { active: native.getActiveMemory(), peak: native.getPeakMemory(), cache: native.getCacheMemory() };
}

/**
 * Sets how many bytes of freed buffers MLX keeps for reuse, and returns the
 * limit before. mlx-tape starts it at a quarter of MLX's memory limit, at
 * most 1 GiB (MLX's own CPU default is 32 MiB, too little for a CNN step:
 * its buffers went back to the system and returned as page faults, twice
 * the step's time). 0 keeps nothing.
 * @param bytes - The new limit.
 * @example
 * ```ts
 * const before = mt.setCacheLimit(0); // free buffers as soon as arrays die
 * mt.setCacheLimit(before);
 * ```
 * @group Memory
 */
export function setCacheLimit(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`[setCacheLimit] bytes must be a non-negative integer, got ${bytes}`);
  return native.setCacheLimit(bytes);
}

/**
 * Returns MLX's cached buffers to the system.
 * @example
 * ```ts
 * mt.clearCache();
 * ```
 * @group Memory
 */
export function clearCache(): void {
  native.clearCache();
}
