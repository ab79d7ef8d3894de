// Adafactor: second moments kept factored as row and column averages.
import type { Tensor } from '../tensor/tensor.js';
import type { Input } from '../autograd/tape.js';
import { add, divide, expandDims, maximum, mean, multiply, rsqrt, sqrt, square, subtract, zeros, zerosLike } from '../tensor/ops/index.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import { axpby } from './fused.js';

/** Options of {@link Adafactor}; `learningRate` is only used when `relativeStep` is false. */
export interface AdafactorOptions extends Partial<OptimizerOptions> {
  /** ε1 and ε2: added to g², and the floor of the parameter scale (default [1e-30, 1e-3]). */
  eps?: [number, number];
  /** Clips the update's RMS to this (default 1). */
  clipThreshold?: number;
  /** Exponent c of the second-moment decay β2 = 1 − tᶜ (default −0.8). */
  decayRate?: number;
  /** First-moment decay β1, or null for none (default null). */
  beta1?: number | null;
  /** Decoupled weight decay λ (default 0). */
  weightDecay?: number;
  /** Scale the step by the parameter's RMS (default true). */
  scaleParameter?: boolean;
  /** Use the relative step size min(10⁻², 1/√t) instead of `learningRate` (default true). */
  relativeStep?: boolean;
  /** With relativeStep, warm up as min(10⁻⁶·t, 1/√t) (default false). */
  warmupInit?: boolean;
}

/** Adafactor's state: row and column averages of g² for matrices (`row`, `col`), the full average for vectors (`v`), and the first moment `m` with β1. */
export type FactorState = { row?: Tensor; col?: Tensor; v?: Tensor; m?: Tensor };
const rms = (x: Tensor): Tensor => sqrt(mean(square(x)));

/**
 * Adafactor (Shazeer & Stern, 2018), as in MLX. For a parameter of ≥ 2 axes
 * the second moment is stored as row and column averages R, C:
 *
 * ```
 * β2 = 1 − tᶜ,   u = g² + ε1
 * R ← β2·R + (1 − β2)·mean(u, −1),   C ← β2·C + (1 − β2)·mean(u, −2)
 * û = g / √(R·C / mean(R))        (g / √v with v ← β2·v + (1 − β2)·u for vectors)
 * û ← û / max(1, rms(û) / d)      (d = clipThreshold)
 * α = ρ·max(ε2, rms(p))           (ρ = min(10⁻², 1/√t), or η without relativeStep)
 * m ← β1·m + (1 − β1)·α·û         (with β1; else the step is α·û)
 * p ← p·(1 − λ·α) − step
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.Adafactor();
 * opt.update(model, grads);
 * ```
 * @group Optimizers
 */
export class Adafactor extends Optimizer<FactorState> {
  readonly options: Required<Omit<AdafactorOptions, 'learningRate' | 'params'>>;

  constructor({ learningRate = 0, params, ...o }: AdafactorOptions = {}) {
    super({ learningRate, params });
    this.options = { eps: [1e-30, 1e-3], clipThreshold: 1, decayRate: -0.8, beta1: null, weightDecay: 0,
      scaleParameter: true, relativeStep: true, warmupInit: false, ...o };
  }

  initState(p: Tensor): FactorState {
    const s = p.shape;
    const state: FactorState = s.length >= 2
      ? { row: zeros(s.slice(0, -1), p.dtype), col: zeros([...s.slice(0, -2), s[s.length - 1]!], p.dtype) }
      : { v: zerosLike(p) };
    if (this.options.beta1 !== null) state.m = zerosLike(p);
    return state;
  }

  /** The step size ρ (relative or the learning rate), the decay β2 = 1 − tᶜ and 1 − β2. */
  override stepScalars(lr: number, t: number): Record<string, number> {
    const { decayRate, relativeStep, warmupInit } = this.options;
    const rho = relativeStep ? Math.min(warmupInit ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t)) : lr;
    return { rho, b2: 1 - t ** decayRate, b2c: t ** decayRate };
  }

  updateParam(g: Tensor, p: Tensor, state: FactorState, { rho, b2, b2c }: { rho: Input; b2: Input; b2c: Input }): [Tensor, FactorState] {
    const { eps, clipThreshold, beta1, weightDecay, scaleParameter } = this.options;
    const alpha = scaleParameter ? multiply(maximum(rms(p), eps[1]), rho) : rho;
    const u = add(square(g), eps[0]);
    const next: FactorState = {};
    let update: Tensor;
    if (state.row && state.col) {
      next.row = add(multiply(state.row, b2), multiply(mean(u, -1), b2c));
      next.col = add(multiply(state.col, b2), multiply(mean(u, -2), b2c));
      const r = rsqrt(divide(next.row, mean(next.row, -1, true)));
      update = multiply(multiply(expandDims(r, -1), expandDims(rsqrt(next.col), -2)), g);
    } else {
      next.v = add(multiply(state.v!, b2), multiply(u, b2c));
      update = multiply(rsqrt(next.v), g);
    }
    update = multiply(divide(update, maximum(divide(rms(update), clipThreshold), 1)), alpha);
    if (beta1 !== null) update = next.m = axpby(state.m!, update, beta1, 1 - beta1);
    const decayed = weightDecay !== 0 ? subtract(p, multiply(multiply(p, alpha), weightDecay)) : p;
    return [subtract(decayed, update), next];
  }
}
