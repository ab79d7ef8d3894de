// gradcheck: the tape's gradients against central finite differences.
import { Tensor } from '../tensor/tensor.js';
import { astype, multiply, sum, tensor } from '../tensor/ops/index.js';
import { tidy } from '../tensor/memory.js';
import { withDevice } from '../tensor/device.js';
import { noGrad } from './tape.js';
import { valueAndGrad } from './functional.js';

/** Tolerances and step of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3: MLX's float64 transcendentals are only float32-accurate on the CPU). */
  eps?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Absolute tolerance (default 1e-4). */
  atol?: number;
  /** Which inputs to check (default: every floating input). */
  argnums?: number[];
}

/** The worst mismatch gradcheck found, when it found one. */
export class GradcheckError extends Error {}

/**
 * Checks the tape's gradients of `fn` against central finite differences,
 * in float64 on the CPU (inputs are converted; MLX's float64 is CPU-only, so
 * this runs on the CPU whatever the default device). `fn` may return any shape:
 * it is reduced with fixed random weights, so every output element counts.
 * Throws a {@link GradcheckError} naming the input, the element and both
 * values on the first mismatch; returns true otherwise.
 *
 * @param fn - The function to check.
 * @param inputs - Its tensor arguments.
 * @param options - Step and tolerances.
 * @returns `true` when every gradient matches.
 * @example
 * ```ts
 * mt.gradcheck((a, b) => mt.multiply(a, mt.exp(b)), [mt.tensor([1, 2]), mt.tensor([0.5, -1])]); // true
 * ```
 * @group Autograd
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-3, rtol = 1e-3, atol = 1e-4 } = options;
  return withDevice('cpu', () => tidy(() => {
    const xs = inputs.map((x) => (x.dtype === 'float32' || x.dtype === 'float16' || x.dtype === 'bfloat16' ? astype(x, 'float64') : x));
    const argnums = options.argnums ?? xs.flatMap((x, i) => (x.dtype === 'float64' ? [i] : []));
    const out = noGrad(() => fn(...xs));
    // Weights in [0.5, 1.5) from a fixed LCG: deterministic and never zero.
    let state = 12345;
    const w = tensor(Float64Array.from({ length: out.size }, () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) + 0.5), 'float64', [...out.shape]);
    const loss = (...args: Tensor[]): Tensor => sum(multiply(astype(fn(...args), 'float64'), w));
    const [, grads] = valueAndGrad(loss, argnums)(...xs) as [Tensor, Tensor[]];
    argnums.forEach((n, k) => {
      const x = xs[n]!;
      const base = Float64Array.from(x.toTypedArray() as Float64Array);
      const analytic = grads[k]!.toTypedArray() as Float64Array;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): number => tidy(() => {
          const v = Float64Array.from(base);
          v[i]! += delta;
          const args = xs.slice();
          args[n] = tensor(v, 'float64', [...x.shape]);
          return noGrad(() => loss(...args).item() as number);
        });
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const a = analytic[i]!;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
          throw new GradcheckError(`[gradcheck] input ${n}, element ${i}: backward gives ${a}, finite differences give ${numeric}`);
        }
      }
    });
    return true;
  }));
}
