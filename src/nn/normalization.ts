// Normalization layers, channels last: features are the last axis.
import type { Tensor } from '../tensor/tensor.js';
import { add, mean, multiply, reshape, rsqrt, square, stopGradient, subtract, var as variance, zeros, ones } from '../tensor/ops/index.js';
import { keep } from '../tensor/memory.js';
import { noGrad } from '../autograd/tape.js';
import { Module } from './module.js';
import { constParam } from './param.js';

/** `(x − mean) / √(var + eps)` over `axes`, with the biased variance. */
function normalize(x: Tensor, axes: number[], eps: number): Tensor {
  const mu = mean(x, axes, true);
  return multiply(subtract(x, mu), rsqrt(add(variance(x, axes, true), eps)));
}

function affine(y: Tensor, weight?: Tensor, bias?: Tensor): Tensor {
  if (weight) y = multiply(y, weight);
  return bias ? add(y, bias) : y;
}

function checkFeatures(op: string, x: Tensor, n: number, minDims = 2): void {
  if (x.ndim < minDims || x.shape[x.ndim - 1] !== n) {
    throw new RangeError(`[${op}] expected an input of at least ${minDims} axes whose last axis has ${n} features, got shape [${x.shape.join(',')}]`);
  }
}

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the current batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn a scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
}

/**
 * Batch normalization (Ioffe & Szegedy) over every axis but the last: `[N, C]`
 * (PyTorch's BatchNorm1d), `[N, L, C]`, or `[N, H, W, C]` (BatchNorm2d).
 * Training normalizes with the batch's statistics and updates the running
 * ones (`r ← (1 − momentum)·r + momentum·batch`, the variance unbiased as in
 * PyTorch); evaluation uses the running ones. They are buffers: saved, not trained.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm(3);
 * bn.forward(mt.random.normal([8, 3])).shape; // [8, 3]
 * bn.eval(); // now normalizes with runningMean and runningVar
 * ```
 * @group Layers
 */
export class BatchNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;
  runningMean?: Tensor;
  runningVar?: Tensor;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true }: BatchNormOptions = {}) {
    super();
    this.eps = eps;
    this.momentum = momentum;
    if (affine) {
      this.weight = constParam([numFeatures], 1);
      this.bias = constParam([numFeatures], 0);
    }
    if (trackRunningStats) {
      this.runningMean = zeros([numFeatures]);
      this.runningVar = ones([numFeatures]);
      this.registerBuffers('runningMean', 'runningVar');
    }
  }

  forward(x: Tensor): Tensor {
    checkFeatures('BatchNorm', x, this.numFeatures);
    const axes = [...Array(x.ndim - 1).keys()];
    if (!this.training && this.runningMean && this.runningVar) {
      return affine(multiply(subtract(x, this.runningMean), rsqrt(add(this.runningVar, this.eps))), this.weight, this.bias);
    }
    if (this.training && this.runningMean && this.runningVar) this.#track(x, axes);
    return affine(normalize(x, axes, this.eps), this.weight, this.bias);
  }

  #track(x: Tensor, axes: number[]): void {
    const n = x.size / this.numFeatures;
    const m = this.momentum;
    const [oldMean, oldVar] = [this.runningMean!, this.runningVar!];
    noGrad(() => {
      const xs = stopGradient(x);
      // keep(): the statistics outlive any tidy scope the forward pass runs in.
      this.runningMean = keep(add(multiply(oldMean, 1 - m), multiply(mean(xs, axes), m)));
      this.runningVar = keep(add(multiply(oldVar, 1 - m), multiply(variance(xs, axes, false, n > 1 ? 1 : 0), m)));
    });
    oldMean.dispose();
    oldVar.dispose();
  }
}

/**
 * Layer normalization (Ba et al.) over the last axes (`dims` gives their
 * sizes): `(x − mean) / √(var + eps) · weight + bias`; weight 1, bias 0.
 * @example
 * ```ts
 * new nn.LayerNorm(4).forward(mt.tensor([[1, 2, 3, 4]])).toArray(); // [[-1.34, -0.45, 0.45, 1.34]]
 * ```
 * @group Layers
 */
export class LayerNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;
  readonly dims: number[];

  constructor(dims: number | number[], readonly options: { eps?: number; affine?: boolean; bias?: boolean } = {}) {
    super();
    this.dims = typeof dims === 'number' ? [dims] : dims;
    if (options.affine ?? true) {
      this.weight = constParam(this.dims, 1);
      if (options.bias ?? true) this.bias = constParam(this.dims, 0);
    }
  }

  forward(x: Tensor): Tensor {
    const k = this.dims.length;
    if (x.shape.slice(-k).join() !== this.dims.join() || x.ndim < k) {
      throw new RangeError(`[LayerNorm] expected the last axes to be [${this.dims.join(',')}], got shape [${x.shape.join(',')}]`);
    }
    const axes = this.dims.map((_, i) => x.ndim - k + i);
    return affine(normalize(x, axes, this.options.eps ?? 1e-5), this.weight, this.bias);
  }
}

/**
 * Root-mean-square normalization (Zhang & Sennrich): `x / √(mean(x²) + eps) · weight`
 * over the last axis; weight 1.
 * @example
 * ```ts
 * new nn.RMSNorm(2).forward(mt.tensor([[3, 4]])).toArray(); // [[0.8485, 1.1314]]
 * ```
 * @group Layers
 */
export class RMSNorm extends Module {
  weight: Tensor;

  constructor(readonly dims: number, readonly eps = 1e-5) {
    super();
    this.weight = constParam([dims], 1);
  }

  forward(x: Tensor): Tensor {
    checkFeatures('RMSNorm', x, this.dims, 1);
    return multiply(multiply(x, rsqrt(add(mean(square(x), -1, true), this.eps))), this.weight);
  }
}

/**
 * Group normalization (Wu & He): the `dims` channels (last axis) are split
 * into `numGroups` contiguous groups, each normalized over its channels and
 * every spatial position (PyTorch's grouping); weight 1, bias 0 per channel.
 * @example
 * ```ts
 * new nn.GroupNorm(2, 4).forward(mt.random.normal([2, 5, 4])).shape; // [2, 5, 4]
 * ```
 * @group Layers
 */
export class GroupNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;

  constructor(readonly numGroups: number, readonly dims: number, readonly options: { eps?: number; affine?: boolean } = {}) {
    super();
    if (dims % numGroups !== 0) throw new RangeError(`[GroupNorm] numGroups ${numGroups} must divide dims ${dims}`);
    if (options.affine ?? true) {
      this.weight = constParam([dims], 1);
      this.bias = constParam([dims], 0);
    }
  }

  forward(x: Tensor): Tensor {
    checkFeatures('GroupNorm', x, this.dims);
    const g = this.numGroups;
    const grouped = reshape(x, [x.shape[0]!, -1, g, this.dims / g]);
    const y = reshape(normalize(grouped, [1, 3], this.options.eps ?? 1e-5), [...x.shape]);
    return affine(y, this.weight, this.bias);
  }
}

/**
 * Instance normalization (Ulyanov et al.): each sample and channel (last
 * axis) normalized over the spatial axes between. No affine parameters by
 * default (PyTorch's default); with `affine`, weight 1 and bias 0.
 * @example
 * ```ts
 * new nn.InstanceNorm(3).forward(mt.random.normal([2, 8, 8, 3])).shape; // [2, 8, 8, 3]
 * ```
 * @group Layers
 */
export class InstanceNorm extends Module {
  weight?: Tensor;
  bias?: Tensor;

  constructor(readonly dims: number, readonly options: { eps?: number; affine?: boolean } = {}) {
    super();
    if (options.affine) {
      this.weight = constParam([dims], 1);
      this.bias = constParam([dims], 0);
    }
  }

  forward(x: Tensor): Tensor {
    checkFeatures('InstanceNorm', x, this.dims, 3);
    const axes = [...Array(x.ndim - 2).keys()].map((i) => i + 1);
    return affine(normalize(x, axes, this.options.eps ?? 1e-5), this.weight, this.bias);
  }
}
