// Per-coordinate step sizes from accumulated squared gradients.
import type { Tensor } from '../tensor/tensor.js';
import type { Input } from '../autograd/tape.js';
import { add, divide, multiply, sqrt, square, zerosLike } from '../tensor/ops/index.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import { axpby, descend } from './fused.js';

/** Options of {@link Adagrad}. */
export interface AdagradOptions extends OptimizerOptions {
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
}

/**
 * Adagrad (Duchi et al., 2011):
 *
 * ```
 * v ← v + g²
 * p ← p − η·g / (√v + ε)
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.Adagrad({ learningRate: 0.01 });
 * ```
 * @group Optimizers
 */
export class Adagrad extends Optimizer<{ v: Tensor }> {
  readonly eps: number;

  constructor({ eps = 1e-8, ...base }: AdagradOptions) {
    super(base);
    this.eps = eps;
  }

  initState(p: Tensor): { v: Tensor } {
    return { v: zerosLike(p) };
  }

  updateParam(g: Tensor, p: Tensor, state: { v: Tensor }, { lr }: { lr: Input }): [Tensor, { v: Tensor }] {
    const v = add(state.v, square(g));
    return [descend(p, divide(g, add(sqrt(v), this.eps)), lr), { v }];
  }
}

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends OptimizerOptions {
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
}

/**
 * RMSprop (Tieleman & Hinton, 2012):
 *
 * ```
 * v ← α·v + (1 − α)·g²
 * p ← p − η·g / (√v + ε)
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.RMSprop({ learningRate: 1e-3 });
 * ```
 * @group Optimizers
 */
export class RMSprop extends Optimizer<{ v: Tensor }> {
  readonly alpha: number;
  readonly eps: number;

  constructor({ alpha = 0.99, eps = 1e-8, ...base }: RMSpropOptions) {
    super(base);
    this.alpha = alpha;
    this.eps = eps;
  }

  initState(p: Tensor): { v: Tensor } {
    return { v: zerosLike(p) };
  }

  updateParam(g: Tensor, p: Tensor, state: { v: Tensor }, { lr }: { lr: Input }): [Tensor, { v: Tensor }] {
    const v = axpby(state.v, square(g), this.alpha, 1 - this.alpha);
    return [descend(p, divide(g, add(sqrt(v), this.eps)), lr), { v }];
  }
}

/** Options of {@link AdaDelta}. */
export interface AdaDeltaOptions extends OptimizerOptions {
  /** Decay rate ρ of both running averages (default 0.9). */
  rho?: number;
  /** ε inside the square roots (default 1e-6). */
  eps?: number;
}

/** AdaDelta's state: the running averages of g² (`v`) and of the squared steps (`u`). */
export type DeltaState = { v: Tensor; u: Tensor };

/**
 * AdaDelta (Zeiler, 2012):
 *
 * ```
 * v ← ρ·v + (1 − ρ)·g²
 * Δ ← √(u + ε) / √(v + ε) · g
 * u ← ρ·u + (1 − ρ)·Δ²
 * p ← p − η·Δ
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.AdaDelta({ learningRate: 1.0 });
 * ```
 * @group Optimizers
 */
export class AdaDelta extends Optimizer<DeltaState> {
  readonly rho: number;
  readonly eps: number;

  constructor({ rho = 0.9, eps = 1e-6, ...base }: AdaDeltaOptions) {
    super(base);
    this.rho = rho;
    this.eps = eps;
  }

  initState(p: Tensor): DeltaState {
    return { v: zerosLike(p), u: zerosLike(p) };
  }

  updateParam(g: Tensor, p: Tensor, state: DeltaState, { lr }: { lr: Input }): [Tensor, DeltaState] {
    const rho = this.rho;
    const v = axpby(state.v, square(g), rho, 1 - rho);
    const delta = multiply(divide(sqrt(add(state.u, this.eps)), sqrt(add(v, this.eps))), g);
    const u = axpby(state.u, square(delta), rho, 1 - rho);
    return [descend(p, delta, lr), { v, u }];
  }
}
