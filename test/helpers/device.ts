// What differs when the suite runs with the GPU as default device (npm run test:gpu).
// The CPU run keeps every check exactly as it is; only the GPU gets these allowances.
import { TestRunner } from 'vitest';
import * as mt from '../../src/index.js';

/** Whether this run's default device is the GPU (test/setup.ts sets it before any test file loads). */
export const onGpu = mt.defaultDevice() === 'gpu';

/**
 * Skips the running test on the GPU, as CPU-only by nature, naming why;
 * `npm run test:gpu` lists these at the end (test/helpers/cpu-only-reporter.ts).
 * Call it first in the test body. On the CPU it does nothing.
 */
export function cpuOnly(reason: string): void {
  if (onGpu) TestRunner.getCurrentTest()!.context.skip(`CPU-only: ${reason}`);
}

/**
 * The most precise float dtype of the default device: float64 on the CPU,
 * float32 on the GPU (MLX has no float64 there).
 */
export const widestFloat: 'float32' | 'float64' = onGpu ? 'float32' : 'float64';

/** The float64 error MLX gives for an op on the GPU stream (its array constructor's check). */
export const GPU_FLOAT64 = /float64 is not supported on the GPU/;

type Tol = { rtol?: number; atol?: number };

/**
 * `tol` on the CPU; on the GPU at least 2e-3 relative and absolute: MLX's
 * CUDA float32 matmul rounds its inputs to TF32 (10-bit mantissa, unit
 * roundoff 2^-11; MLX_ENABLE_TF32 defaults on), so products through a
 * matmul, conv or attention carry ~1e-3 relative error.
 */
export function matmulTol(tol: Tol = {}): Tol {
  if (!onGpu) return tol;
  return { rtol: Math.max(tol.rtol ?? 0, 2e-3), atol: Math.max(tol.atol ?? 0, 2e-3) };
}

/**
 * How many bytes MLX's active-memory count may differ from its start after a
 * loop: 0 on the CPU; on the GPU the buffers of the last kernels are freed by
 * the stream's completion handler, after eval returns, so a few small ones
 * may still be counted (or no longer be). 4 KiB is far below what one leaked
 * 16-byte array per step of a 1,000-step loop would add.
 */
export const memorySlack = onGpu ? 4096 : 0;

/**
 * {@link memorySlack} for a training step of `model`: on the GPU the last
 * step's gradients, optimizer temporaries and updated weights (a few copies of
 * the parameters) may still await that completion handler when the count is
 * read — seen: 1.66 MB for a 263 kB Linear under SGD with momentum. Still 0 on
 * the CPU, where frees are synchronous.
 */
export function stepSlack(model: mt.nn.Module): number {
  if (!onGpu) return 0;
  return memorySlack + 16 * mt.treeFlatten(model.parameters()).reduce((n, t) => n + t.nbytes, 0);
}
