// Loss functions, as MLX's nn.losses (names, arguments and default reductions).
import { sameDims, type Tensor } from '../tensor/tensor.js';
import {
  abs, add, clip, divide, expandDims, exp, log, logaddexp, logsumexp, maximum, mean, minimum, multiply, power, sqrt,
  square, squeeze, subtract, sum, where, less,
} from '../tensor/ops/index.js';
import { checkIndices, takeAlongAxisUnchecked } from '../tensor/ops/indexing.js';
import { crossEntropyFused } from '../tensor/ops/fused.js';
import { native } from '../tensor/native.js';

/** How a loss reduces its per-element values: keep them, average or sum. */
export type Reduction = 'none' | 'mean' | 'sum';

function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'mean') return mean(loss);
  if (reduction === 'sum') return sum(loss);
  throw new RangeError(`[${op}] reduction must be 'none', 'mean' or 'sum', got '${String(reduction)}'`);
}

function sameShape(op: string, a: Tensor, b: Tensor, what = 'targets'): void {
  if (!sameDims(a.shape, b.shape)) {
    throw new RangeError(`[${op}] inputs have shape [${a.shape.join(',')}] but ${what} have shape [${b.shape.join(',')}]`);
  }
}

function weighted(op: string, loss: Tensor, weights?: Tensor): Tensor {
  if (!weights) return loss;
  sameShape(op, loss, weights, 'weights (one per loss element)');
  return multiply(loss, weights);
}

/**
 * `x[..., targets[...], ...]` along the class axis, with the labels checked.
 * The check reads the labels themselves, usually evaluated already, so it
 * evaluates nothing; checking a view such as expandDims(targets), a new lazy
 * array, would evaluate it mid-step (a sync on a GPU). Labels that are still
 * lazy are evaluated, alone, for the check.
 */
function pickClass(op: string, x: Tensor, targets: Tensor, axis: number): Tensor {
  checkIndices(op, targets, x.shape.at(axis), `the class axis ${axis}`);
  return squeeze(takeAlongAxisUnchecked(x, expandDims(targets, axis), axis), axis);
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** One weight per loss element (per sample), multiplied in before the reduction. */
  weights?: Tensor;
  /** The class axis (default −1). */
  axis?: number;
  /** Mixes the target with the uniform distribution: ε in [0, 1) (default 0). */
  labelSmoothing?: number;
  /** Default 'none'. */
  reduction?: Reduction;
}

/**
 * Cross entropy between `logits` and targets given as class indices (an
 * integer tensor without the class axis) or probabilities (the logits' shape):
 * `logsumexp(logits) − score`, score being the target's logit or
 * `Σ targets·logits`. With label smoothing ε: `logsumexp − (1 − ε)·score − ε·mean(logits)`.
 * On the GPU, class indices along the last axis without label smoothing take
 * MLX's fused kernel, as in MLX-Python (one kernel each way; half-precision
 * logits are reduced in float32 there, the loss returned in their dtype).
 * @param logits - Unnormalized scores.
 * @param targets - Class indices or probabilities.
 * @param options - Weights, class axis, label smoothing, reduction.
 * @returns The loss, reduced as asked.
 * @example
 * ```ts
 * nn.losses.crossEntropy(mt.tensor([[2, 0], [0, 2]]), mt.tensor([0, 1], 'int32'), { reduction: 'mean' }).item(); // 0.1269
 * ```
 * @see MLX `cross_entropy`
 * @group Losses
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { weights, axis = -1, labelSmoothing = 0, reduction = 'none' } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new RangeError(`[crossEntropy] labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  const asProbs = targets.ndim === logits.ndim;
  if (fusable(logits, targets, axis, labelSmoothing)) {
    checkIndices('crossEntropy', targets, logits.shape.at(-1), `the class axis ${axis}`);
    return reduce('crossEntropy', weighted('crossEntropy', crossEntropyFused(logits, targets), weights), reduction);
  }
  let score: Tensor;
  if (asProbs) {
    sameShape('crossEntropy', logits, targets);
    score = sum(multiply(logits, targets), axis);
  } else {
    const expected = logits.shape.filter((_, i) => i !== (axis < 0 ? axis + logits.ndim : axis));
    if (targets.ndim !== logits.ndim - 1 || targets.shape.join() !== expected.join()) {
      throw new RangeError(`[crossEntropy] class-index targets must have shape [${expected.join(',')}] for logits [${logits.shape.join(',')}], got [${targets.shape.join(',')}]`);
    }
    score = pickClass('crossEntropy', logits, targets, axis);
  }
  const lse = logsumexp(logits, axis);
  const loss = labelSmoothing > 0
    ? subtract(subtract(lse, multiply(score, 1 - labelSmoothing)), multiply(mean(logits, axis), labelSmoothing))
    : subtract(lse, score);
  return reduce('crossEntropy', weighted('crossEntropy', loss, weights), reduction);
}

/**
 * Whether cross entropy takes MLX's fused kernel: on the GPU, as MLX-Python
 * does, for class indices along the last axis without label smoothing (one
 * kernel each way instead of a logsumexp, a gather and their gradients).
 */
function fusable(logits: Tensor, targets: Tensor, axis: number, labelSmoothing: number): boolean {
  return native.defaultDevice() === 'gpu' && labelSmoothing === 0 && logits.ndim >= 1 && targets.ndim === logits.ndim - 1 &&
    (axis === -1 || axis === logits.ndim - 1) && ['float32', 'float16', 'bfloat16'].includes(logits.dtype) &&
    /^u?int/.test(targets.dtype) && targets.shape.every((n, i) => n === logits.shape[i]);
}

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /** One weight per element. */
  weights?: Tensor;
  /** Whether `inputs` are logits (default true) or probabilities. */
  withLogits?: boolean;
  /** Default 'mean'. */
  reduction?: Reduction;
}

/**
 * Binary cross entropy. From logits (default), stably: `log(1 + eˣ) − x·t`;
 * from probabilities: `−(t·log p + (1 − t)·log(1 − p))`, each log clipped at −100 (as PyTorch).
 * @param inputs - Logits or probabilities.
 * @param targets - Targets in [0, 1], the same shape.
 * @param options - Weights, withLogits, reduction.
 * @returns The loss, reduced as asked.
 * @example
 * ```ts
 * nn.losses.binaryCrossEntropy(mt.tensor([0]), mt.tensor([1])).item(); // 0.6931
 * ```
 * @see MLX `binary_cross_entropy`
 * @group Losses
 */
export function binaryCrossEntropy(inputs: Tensor, targets: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const { weights, withLogits = true, reduction = 'mean' } = options;
  sameShape('binaryCrossEntropy', inputs, targets);
  const loss = withLogits
    ? subtract(logaddexp(inputs, 0), multiply(inputs, targets))
    : multiply(add(multiply(targets, clip(log(inputs), -100, null)), multiply(subtract(1, targets), clip(log(subtract(1, inputs)), -100, null))), -1);
  return reduce('binaryCrossEntropy', weighted('binaryCrossEntropy', loss, weights), reduction);
}

/**
 * Negative log likelihood: `−inputs[target]` along `axis`, for log-probabilities (e.g. from logSoftmax).
 * @param inputs - Log-probabilities.
 * @param targets - Class indices (integer, without the class axis).
 * @param axis - The class axis (default −1).
 * @param reduction - Default 'none'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.nllLoss(mt.tensor([[-0.5, -1]]), mt.tensor([1], 'int32')).toArray(); // [1]
 * ```
 * @see MLX `nll_loss`
 * @group Losses
 */
export function nllLoss(inputs: Tensor, targets: Tensor, axis = -1, reduction: Reduction = 'none'): Tensor {
  const loss = multiply(pickClass('nllLoss', inputs, targets, axis), -1);
  return reduce('nllLoss', loss, reduction);
}

/**
 * Mean squared error `(p − t)²`.
 * @param predictions - Predictions.
 * @param targets - Targets, the same shape.
 * @param reduction - Default 'mean'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.mseLoss(mt.tensor([1, 2]), mt.tensor([1, 4])).item(); // 2
 * ```
 * @see MLX `mse_loss`
 * @group Losses
 */
export function mseLoss(predictions: Tensor, targets: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape('mseLoss', predictions, targets);
  return reduce('mseLoss', square(subtract(predictions, targets)), reduction);
}

/**
 * Mean absolute error `|p − t|`.
 * @param predictions - Predictions.
 * @param targets - Targets, the same shape.
 * @param reduction - Default 'mean'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.l1Loss(mt.tensor([1, 2]), mt.tensor([1, 4])).item(); // 1
 * ```
 * @see MLX `l1_loss`
 * @group Losses
 */
export function l1Loss(predictions: Tensor, targets: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShape('l1Loss', predictions, targets);
  return reduce('l1Loss', abs(subtract(predictions, targets)), reduction);
}

/**
 * Smooth L1: `½d²/β` where `d = |p − t| < β`, `d − ½β` elsewhere.
 * @param predictions - Predictions.
 * @param targets - Targets, the same shape.
 * @param beta - Where the quadratic part ends (default 1).
 * @param reduction - Default 'mean'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.smoothL1Loss(mt.tensor([0, 0]), mt.tensor([0.5, 3]), 1, 'none').toArray(); // [0.125, 2.5]
 * ```
 * @see MLX `smooth_l1_loss`
 * @group Losses
 */
export function smoothL1Loss(predictions: Tensor, targets: Tensor, beta = 1, reduction: Reduction = 'mean'): Tensor {
  sameShape('smoothL1Loss', predictions, targets);
  const d = abs(subtract(predictions, targets));
  return reduce('smoothL1Loss', where(less(d, beta), divide(multiply(square(d), 0.5), beta), subtract(d, 0.5 * beta)), reduction);
}

/**
 * Huber loss: `½e²` where `|e| ≤ δ`, `δ·(|e| − ½δ)` elsewhere, `e = x − t`.
 * @param inputs - Predictions.
 * @param targets - Targets, the same shape.
 * @param delta - δ (default 1).
 * @param reduction - Default 'none'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.huberLoss(mt.tensor([0, 0]), mt.tensor([0.5, 3])).toArray(); // [0.125, 2.5]
 * ```
 * @see MLX `huber_loss`
 * @group Losses
 */
export function huberLoss(inputs: Tensor, targets: Tensor, delta = 1, reduction: Reduction = 'none'): Tensor {
  sameShape('huberLoss', inputs, targets);
  const e = abs(subtract(inputs, targets));
  const quad = minimum(e, delta);
  return reduce('huberLoss', add(multiply(square(quad), 0.5), multiply(subtract(e, quad), delta)), reduction);
}

/**
 * Kullback-Leibler divergence `Σ exp(t)·(t − x)` over `axis`, where inputs
 * `x` and targets `t` are both log-probabilities (MLX's convention).
 * @param inputs - Log-probabilities of the model.
 * @param targets - Log-probabilities of the target distribution.
 * @param axis - The distribution axis (default −1).
 * @param reduction - Default 'none'.
 * @returns The loss.
 * @example
 * ```ts
 * const p = mt.log(mt.tensor([0.5, 0.5]));
 * nn.losses.klDivLoss(p, p).item(); // 0
 * ```
 * @see MLX `kl_div_loss`
 * @group Losses
 */
export function klDivLoss(inputs: Tensor, targets: Tensor, axis = -1, reduction: Reduction = 'none'): Tensor {
  sameShape('klDivLoss', inputs, targets);
  return reduce('klDivLoss', sum(multiply(exp(targets), subtract(targets, inputs)), axis), reduction);
}

/**
 * Cosine similarity `x1·x2 / max(‖x1‖·‖x2‖, eps)` along `axis` (MLX's
 * `cosine_similarity_loss` returns the similarity; use `1 − loss` to minimize).
 * @param x1 - First embeddings.
 * @param x2 - Second embeddings, the same shape.
 * @param options - `axis` (default 1), `eps` (default 1e-8), `reduction` (default 'none').
 * @returns The similarities.
 * @example
 * ```ts
 * nn.losses.cosineSimilarityLoss(mt.tensor([[1, 0]]), mt.tensor([[1, 1]])).toArray(); // [0.7071]
 * ```
 * @see MLX `cosine_similarity_loss`
 * @group Losses
 */
export function cosineSimilarityLoss(x1: Tensor, x2: Tensor, options: { axis?: number; eps?: number; reduction?: Reduction } = {}): Tensor {
  const { axis = 1, eps = 1e-8, reduction = 'none' } = options;
  sameShape('cosineSimilarityLoss', x1, x2, 'x2');
  const norms = multiply(sqrt(sum(square(x1), axis)), sqrt(sum(square(x2), axis)));
  return reduce('cosineSimilarityLoss', divide(sum(multiply(x1, x2), axis), maximum(norms, eps)), reduction);
}

/**
 * Hinge loss `max(1 − x·t, 0)` for targets in {−1, 1}.
 * @param inputs - Scores.
 * @param targets - −1 or 1, the same shape.
 * @param reduction - Default 'none'.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.hingeLoss(mt.tensor([0.5, 2]), mt.tensor([1, 1])).toArray(); // [0.5, 0]
 * ```
 * @see MLX `hinge_loss`
 * @group Losses
 */
export function hingeLoss(inputs: Tensor, targets: Tensor, reduction: Reduction = 'none'): Tensor {
  sameShape('hingeLoss', inputs, targets);
  return reduce('hingeLoss', maximum(subtract(1, multiply(inputs, targets)), 0), reduction);
}

/** Options of {@link tripletLoss}. */
export interface TripletLossOptions {
  /** The embedding axis (default −1). */
  axis?: number;
  /** The norm's order (default 2). */
  p?: number;
  /** The margin between positive and negative distances (default 1). */
  margin?: number;
  /** Added inside the norm for a finite gradient at 0 (default 1e-6). */
  eps?: number;
  /** Default 'none'. */
  reduction?: Reduction;
}

/**
 * Triplet margin loss `max(‖a − p‖ − ‖a − n‖ + margin, 0)`, with
 * `‖d‖ = (Σ|d|ᵖ + eps)^{1/p}` along `axis`.
 * @param anchors - Anchor embeddings.
 * @param positives - Embeddings of the same class.
 * @param negatives - Embeddings of another class.
 * @param options - Axis, p, margin, eps, reduction.
 * @returns The loss.
 * @example
 * ```ts
 * nn.losses.tripletLoss(mt.tensor([[0, 0]]), mt.tensor([[0, 1]]), mt.tensor([[0, 3]])).toArray(); // [0]
 * ```
 * @see MLX `triplet_loss`
 * @group Losses
 */
export function tripletLoss(anchors: Tensor, positives: Tensor, negatives: Tensor, options: TripletLossOptions = {}): Tensor {
  const { axis = -1, p = 2, margin = 1, eps = 1e-6, reduction = 'none' } = options;
  sameShape('tripletLoss', anchors, positives, 'positives');
  sameShape('tripletLoss', anchors, negatives, 'negatives');
  const dist = (b: Tensor): Tensor => power(add(sum(power(abs(subtract(anchors, b)), p), axis), eps), 1 / p);
  return reduce('tripletLoss', maximum(add(subtract(dist(positives), dist(negatives)), margin), 0), reduction);
}
