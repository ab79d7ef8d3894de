// Lion: the sign of an interpolated momentum.
import type { Tensor } from '../tensor/tensor.js';
import type { Input } from '../autograd/tape.js';
import { multiply, sign, zerosLike } from '../tensor/ops/index.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import { axpby, descend } from './fused.js';

/** Options of {@link Lion}. */
export interface LionOptions extends OptimizerOptions {
  /** β1 and β2: the interpolation for the step and the momentum decay (default [0.9, 0.99]). */
  betas?: [number, number];
  /** Decoupled weight decay λ (default 0). */
  weightDecay?: number;
}

/**
 * Lion (Chen et al., 2023). Its steps have size η in every coordinate, so it
 * usually wants a learning rate 3-10× smaller than Adam's:
 *
 * ```
 * c ← β1·m + (1 − β1)·g
 * p ← p·(1 − η·λ) − η·sign(c)
 * m ← β2·m + (1 − β2)·g
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.Lion({ learningRate: 1e-4 });
 * ```
 * @group Optimizers
 */
export class Lion extends Optimizer<{ m: Tensor }> {
  readonly betas: [number, number];
  readonly weightDecay: number;

  constructor({ betas = [0.9, 0.99], weightDecay = 0, ...base }: LionOptions) {
    super(base);
    this.betas = betas;
    this.weightDecay = weightDecay;
  }

  initState(p: Tensor): { m: Tensor } {
    return { m: zerosLike(p) };
  }

  /** The learning rate and the decay factor 1 − η·λ. */
  override stepScalars(lr: number): Record<string, number> {
    return { lr, decay: 1 - lr * this.weightDecay };
  }

  updateParam(g: Tensor, p: Tensor, state: { m: Tensor }, { lr, decay }: { lr: Input; decay: Input }): [Tensor, { m: Tensor }] {
    const [b1, b2] = this.betas;
    const c = axpby(state.m, g, b1, 1 - b1);
    const decayed = this.weightDecay !== 0 ? multiply(p, decay) : p;
    const m = axpby(state.m, g, b2, 1 - b2);
    return [descend(decayed, sign(c), lr), { m }];
  }
}
