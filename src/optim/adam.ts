// Adam and its relatives: moment estimates of the gradient.
import type { Tensor } from '../tensor/tensor.js';
import type { Input } from '../autograd/tape.js';
import { abs, add, divide, maximum, multiply, sqrt, square, zerosLike } from '../tensor/ops/index.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import { adamStep, axpby, descend } from './fused.js';

/** Options of {@link Adam} and {@link Adamax}. */
export interface AdamOptions extends OptimizerOptions {
  /** Decay rates [β1, β2] of the first and second moments (default [0.9, 0.999]). */
  betas?: [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
  /** Divide the moments by 1 − β^t (default true, as published and in PyTorch; MLX's default is false). */
  biasCorrection?: boolean;
}

/** Adam's state: the first moment `m` and the second moment `v` (Adamax: the infinity norm). */
export type Moments = { m: Tensor; v: Tensor };

/** Adam's step scalars: the learning rate, the bias corrections 1 − β1ᵗ, 1 − β2ᵗ, and AdamW's decay factor 1 − η·λ, which multiplies the parameter first. */
export type AdamScalars = { lr: Input; c1: Input; c2: Input; decay?: Input };

/**
 * Adam (Kingma & Ba, 2015):
 *
 * ```
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * p ← p − η·m̂ / (√v̂ + ε)      m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ)  (m̂ = m, v̂ = v without bias correction)
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.Adam({ learningRate: 1e-3 });
 * opt.update(model, grads);
 * ```
 * @group Optimizers
 */
export class Adam extends Optimizer<Moments> {
  readonly betas: [number, number];
  readonly eps: number;
  readonly biasCorrection: boolean;

  constructor({ betas = [0.9, 0.999], eps = 1e-8, biasCorrection = true, ...base }: AdamOptions) {
    super(base);
    this.betas = betas;
    this.eps = eps;
    this.biasCorrection = biasCorrection;
  }

  initState(p: Tensor): Moments {
    return { m: zerosLike(p), v: zerosLike(p) };
  }

  /** The learning rate and the bias corrections c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ (1 without bias correction). */
  override stepScalars(lr: number, t: number): Record<string, number> {
    const [b1, b2] = this.betas;
    return this.biasCorrection ? { lr, c1: 1 - b1 ** t, c2: 1 - b2 ** t } : { lr, c1: 1, c2: 1 };
  }

  updateParam(g: Tensor, p: Tensor, { m, v }: Moments, scalars: AdamScalars): [Tensor, Moments] {
    const fused = adamStep(p, g, m, v, this.betas, this.eps, scalars);
    if (fused) return [fused[0], { m: fused[1], v: fused[2] }];
    const { lr, c1, c2, decay } = scalars;
    const [b1, b2] = this.betas;
    m = axpby(m, g, b1, 1 - b1);
    v = axpby(v, square(g), b2, 1 - b2);
    const step = divide(divide(m, c1), add(sqrt(divide(v, c2)), this.eps));
    return [descend(decay === undefined ? p : multiply(p, decay), step, lr), { m, v }];
  }
}

/** Options of {@link AdamW}. */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay λ (default 0.01). */
  weightDecay?: number;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter, 2019): first
 * `p ← p·(1 − η·λ)`, then the {@link Adam} update.
 *
 * @example
 * ```ts
 * const opt = new optim.AdamW({ learningRate: 1e-3, weightDecay: 0.01 });
 * ```
 * @group Optimizers
 */
export class AdamW extends Adam {
  readonly weightDecay: number;

  constructor({ weightDecay = 0.01, ...base }: AdamWOptions) {
    super(base);
    this.weightDecay = weightDecay;
  }

  /** Adam's, and the decay factor 1 − η·λ. */
  override stepScalars(lr: number, t: number): Record<string, number> {
    return { ...super.stepScalars(lr, t), decay: 1 - lr * this.weightDecay };
  }
}

/**
 * Adamax, Adam with the infinity norm (Kingma & Ba, 2015, Algorithm 2):
 *
 * ```
 * m ← β1·m + (1 − β1)·g
 * u ← max(β2·u, |g|)
 * p ← p − η/(1 − β1ᵗ) · m / (u + ε)       (η · m / (u + ε) without bias correction)
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.Adamax({ learningRate: 2e-3 });
 * ```
 * @group Optimizers
 */
export class Adamax extends Adam {
  /** The learning rate, divided by 1 − β1ᵗ with bias correction. */
  override stepScalars(lr: number, t: number): Record<string, number> {
    return { lr: this.biasCorrection ? lr / (1 - this.betas[0] ** t) : lr };
  }

  override updateParam(g: Tensor, p: Tensor, { m, v }: Moments, { lr }: { lr: Input }): [Tensor, Moments] {
    const [b1, b2] = this.betas;
    m = axpby(m, g, b1, 1 - b1);
    v = maximum(multiply(v, b2), abs(g));
    return [descend(p, divide(m, add(v, this.eps)), lr), { m, v }];
  }
}
