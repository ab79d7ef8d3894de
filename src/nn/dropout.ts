// Dropout: random zeroing in training, the identity in evaluation.
import type { Tensor } from '../tensor/tensor.js';
import { multiply, where } from '../tensor/ops/index.js';
import { bernoulli } from '../tensor/ops/random.js';
import { Module } from './module.js';

function checkP(op: string, p: number): void {
  if (!(p >= 0 && p < 1)) throw new RangeError(`[${op}] the drop probability must be in [0, 1), got ${p}`);
}

/** Zeroes where `keep` is false and scales the rest by 1/(1 − p), so the expectation is unchanged. */
function drop(x: Tensor, p: number, maskShape: number[]): Tensor {
  return where(bernoulli(1 - p, maskShape), multiply(x, 1 / (1 - p)), 0);
}

/**
 * In training, zeroes each element with probability `p` and scales the rest
 * by 1/(1 − p); in evaluation, the identity.
 * @example
 * ```ts
 * const d = new nn.Dropout(0.5);
 * d.forward(mt.ones([4])); // about half 0, the rest 2
 * d.eval().forward(mt.ones([4])).toArray(); // [1, 1, 1, 1]
 * ```
 * @group Layers
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP('Dropout', p);
  }

  forward(x: Tensor): Tensor {
    return !this.training || this.p === 0 ? x : drop(x, this.p, [...x.shape]);
  }
}

/**
 * Channel dropout for `[N, H, W, C]` (or `[H, W, C]`) inputs, channels last:
 * in training, zeroes whole channels (the same over H and W) with probability
 * `p`, scaling the rest by 1/(1 − p); in evaluation, the identity.
 * @example
 * ```ts
 * new nn.Dropout2d(0.5).forward(mt.ones([2, 4, 4, 8])).shape; // [2, 4, 4, 8]
 * ```
 * @group Layers
 */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP('Dropout2d', p);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`[Dropout2d] expected [N, H, W, C] or [H, W, C], got shape [${x.shape.join(',')}]`);
    if (!this.training || this.p === 0) return x;
    const shape = [...x.shape];
    shape[shape.length - 2] = shape[shape.length - 3] = 1;
    return drop(x, this.p, shape);
  }
}
