// Stochastic gradient descent with momentum.
import type { Tensor } from '../tensor/tensor.js';
import type { Input } from '../autograd/tape.js';
import { zerosLike } from '../tensor/ops/index.js';
import { axpby, descend } from './fused.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions extends OptimizerOptions {
  /** Momentum μ (default 0). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, with optional momentum, Nesterov momentum and
 * weight decay (MLX's `SGD`; equal to PyTorch's when dampening is 0):
 *
 * ```
 * g ← g + λ·p
 * v ← μ·v + (1 − τ)·g          (v starts at 0)
 * p ← p − η·(g + μ·v)          Nesterov
 * p ← p − η·v                  otherwise (p − η·g when μ = 0)
 * ```
 *
 * @example
 * ```ts
 * const opt = new optim.SGD({ learningRate: 0.1, momentum: 0.9, params: model });
 * opt.zeroGrad(); lossFn(model, x, y).backward(); opt.step();
 * ```
 * @group Optimizers
 */
export class SGD extends Optimizer<{ v?: Tensor }> {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor({ momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, ...base }: SGDOptions) {
    super(base);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new RangeError(`[SGD] Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${momentum}, dampening ${dampening}`);
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  initState(p: Tensor): { v?: Tensor } {
    return this.momentum > 0 ? { v: zerosLike(p) } : {};
  }

  updateParam(g: Tensor, p: Tensor, { v }: { v?: Tensor }, { lr }: { lr: Input }): [Tensor, { v?: Tensor }] {
    if (this.weightDecay !== 0) g = axpby(g, p, 1, this.weightDecay);
    const vNext = v && axpby(v, g, this.momentum, 1 - this.dampening);
    const step = !vNext ? g : this.nesterov ? axpby(g, vNext, 1, this.momentum) : vNext;
    return [descend(p, step, lr), vNext ? { v: vNext } : {}];
  }
}
