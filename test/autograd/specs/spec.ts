import type fc from 'fast-check';
import type { Tensor } from '../../../src/index.js';
import type { NativeArray } from '../../../src/tensor/native.js';

/**
 * How to gradcheck one op: random cases (shapes, values, op parameters), the
 * tensors to differentiate, the function of them, and optionally the same op
 * on raw handles so MLX's own vjp can serve as an exact oracle.
 */
export interface GradSpec<C = any> {
  cases: fc.Arbitrary<C>;
  inputs: (c: C, dtype: 'float32' | 'float64') => Tensor[];
  fn: (c: C) => (...xs: Tensor[]) => Tensor;
  oracle?: (c: C) => (...xs: NativeArray[]) => NativeArray;
  /** Looser tolerances for ill-conditioned ops. */
  tol?: { rtol?: number; atol?: number };
  /**
   * A larger finite-difference step where an exp feeds a shared sum: MLX's float64
   * exp is only float32-accurate, and that rounding divided by 2·eps outgrows atol.
   */
  eps?: number;
}

/** Identity helper that keeps each spec's case type. */
export const spec = <C>(s: GradSpec<C>): GradSpec<C> => s;
