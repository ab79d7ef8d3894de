// Activations: each defined once as a function (compositions of primitives,
// so differentiable for free), and wrapped as a Module for Sequential.
import type { Tensor } from '../tensor/tensor.js';
import {
  abs, add, clip, divide, erf, expm1, greater, logaddexp, logSoftmax, maximum, minimum, multiply, relu,
  sigmoid, softmax, split, tanh, where,
} from '../tensor/ops/index.js';
import { Module } from './module.js';
import { constParam } from './param.js';

export { relu, sigmoid, tanh, softmax, logSoftmax };

// Where an unused branch of `where` can overflow (exp of a large x), it gets
// a clamped input: its gradient is multiplied by 0, and 0 · inf would be NaN.
const negPart = (x: Tensor): Tensor => minimum(x, 0);

/**
 * `min(max(x, 0), 6)`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.relu6(mt.tensor([-1, 3, 9])).toArray(); // [0, 3, 6]
 * ```
 * @group Activations
 */
export function relu6(x: Tensor): Tensor {
  return clip(x, 0, 6);
}

/**
 * `x` where positive, `negativeSlope · x` elsewhere.
 * @param x - Input.
 * @param negativeSlope - Slope for negative inputs (default 0.01).
 * @returns Same shape.
 * @example
 * ```ts
 * nn.leakyRelu(mt.tensor([-2, 2]), 0.1).toArray(); // [-0.2, 2]
 * ```
 * @see MLX `leaky_relu`
 * @group Activations
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(greater(x, 0), x, multiply(x, negativeSlope));
}

/**
 * Exponential linear unit: `x` where positive, `alpha · (eˣ − 1)` elsewhere.
 * @param x - Input.
 * @param alpha - Scale of the negative part (default 1).
 * @returns Same shape.
 * @example
 * ```ts
 * nn.elu(mt.tensor([-1, 2])).toArray(); // [-0.632..., 2]
 * ```
 * @group Activations
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(greater(x, 0), x, multiply(expm1(negPart(x)), alpha));
}

/**
 * Scaled ELU (Klambauer et al.): `λ · elu(x, α)` with λ ≈ 1.0507, α ≈ 1.6733.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.selu(mt.tensor([1])).toArray(); // [1.0507...]
 * ```
 * @group Activations
 */
export function selu(x: Tensor): Tensor {
  return multiply(elu(x, 1.6732632423543772), 1.0507009873554805);
}

/**
 * Continuously differentiable ELU: `max(0, x) + min(0, α · (e^{x/α} − 1))`.
 * @param x - Input.
 * @param alpha - α (default 1).
 * @returns Same shape.
 * @example
 * ```ts
 * nn.celu(mt.tensor([-1, 2]), 2).toArray(); // [-0.786..., 2]
 * ```
 * @group Activations
 */
export function celu(x: Tensor, alpha = 1): Tensor {
  return where(greater(x, 0), x, multiply(expm1(divide(negPart(x), alpha)), alpha));
}

/**
 * Gaussian error linear unit, exact: `x · Φ(x) = x · (1 + erf(x/√2)) / 2`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.gelu(mt.tensor([1])).toArray(); // [0.8413...]
 * ```
 * @group Activations
 */
export function gelu(x: Tensor): Tensor {
  return multiply(multiply(x, add(erf(multiply(x, Math.SQRT1_2)), 1)), 0.5);
}

/**
 * GELU's tanh approximation: `x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.geluApprox(mt.tensor([1])).toArray(); // [0.8411...]
 * ```
 * @see MLX `gelu_approx`
 * @group Activations
 */
export function geluApprox(x: Tensor): Tensor {
  const inner = multiply(add(x, multiply(multiply(x, multiply(x, x)), 0.044715)), Math.sqrt(2 / Math.PI));
  return multiply(multiply(x, add(tanh(inner), 1)), 0.5);
}

/**
 * GELU's sigmoid approximation: `x · σ(1.702 x)`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.geluFastApprox(mt.tensor([1])).toArray(); // [0.8457...]
 * ```
 * @see MLX `gelu_fast_approx`
 * @group Activations
 */
export function geluFastApprox(x: Tensor): Tensor {
  return multiply(x, sigmoid(multiply(x, 1.702)));
}

/**
 * Sigmoid linear unit (swish): `x · σ(x)`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.silu(mt.tensor([1])).toArray(); // [0.7310...]
 * ```
 * @group Activations
 */
export function silu(x: Tensor): Tensor {
  return multiply(x, sigmoid(x));
}

/**
 * `log(1 + e^{βx}) / β`, computed stably as `logaddexp(βx, 0) / β`.
 * @param x - Input.
 * @param beta - β (default 1).
 * @returns Same shape.
 * @example
 * ```ts
 * nn.softplus(mt.tensor([0])).toArray(); // [0.6931...]
 * ```
 * @group Activations
 */
export function softplus(x: Tensor, beta = 1): Tensor {
  return beta === 1 ? logaddexp(x, 0) : divide(logaddexp(multiply(x, beta), 0), beta);
}

/**
 * Mish (Misra, 2019): `x · tanh(softplus(x))`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.mish(mt.tensor([1])).toArray(); // [0.8650...]
 * ```
 * @group Activations
 */
export function mish(x: Tensor): Tensor {
  return multiply(x, tanh(softplus(x)));
}

/**
 * `x / (1 + |x|)`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.softsign(mt.tensor([1, -3])).toArray(); // [0.5, -0.75]
 * ```
 * @group Activations
 */
export function softsign(x: Tensor): Tensor {
  return divide(x, add(abs(x), 1));
}

/**
 * Hard swish (Howard et al.): `x · min(max(x + 3, 0), 6) / 6`.
 * @param x - Input.
 * @returns Same shape.
 * @example
 * ```ts
 * nn.hardswish(mt.tensor([-4, 1, 4])).toArray(); // [-0, 0.666..., 4]
 * ```
 * @group Activations
 */
export function hardswish(x: Tensor): Tensor {
  return divide(multiply(x, clip(add(x, 3), 0, 6)), 6);
}

/**
 * Gated linear unit: splits `x` in halves `a`, `b` along `axis`, returns `a · σ(b)`.
 * @param x - Input; `axis` must have even size.
 * @param axis - The axis to split (default −1).
 * @returns Half the size along `axis`.
 * @example
 * ```ts
 * nn.glu(mt.tensor([2, 0])).toArray(); // [1]
 * ```
 * @group Activations
 */
export function glu(x: Tensor, axis = -1): Tensor {
  const n = x.shape[axis < 0 ? axis + x.ndim : axis];
  if (n === undefined || n % 2 !== 0) throw new RangeError(`[glu] axis ${axis} of shape [${x.shape.join(',')}] must exist and have an even size`);
  const [a, b] = split(x, 2, axis);
  return multiply(a!, sigmoid(b!));
}

/**
 * Parametric ReLU: `max(0, x) + α · min(0, x)`, α broadcast along the last axis.
 * @param x - Input.
 * @param alpha - The learned slope(s).
 * @returns Same shape.
 * @example
 * ```ts
 * nn.prelu(mt.tensor([-2, 2]), mt.tensor([0.25])).toArray(); // [-0.5, 2]
 * ```
 * @group Activations
 */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  return add(maximum(x, 0), multiply(alpha, minimum(x, 0)));
}

/**
 * The activation modules: each applies the function of the same name. See {@link relu} and the others.
 * @example
 * ```ts
 * new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
 * ```
 * @group Activations
 */
export class ReLU extends Module { forward(x: Tensor): Tensor { return relu(x); } }
/** Module form of {@link relu6}. @group Activations */
export class ReLU6 extends Module { forward(x: Tensor): Tensor { return relu6(x); } }
/** Module form of {@link selu}. @group Activations */
export class SELU extends Module { forward(x: Tensor): Tensor { return selu(x); } }
/** Module form of {@link silu}. @group Activations */
export class SiLU extends Module { forward(x: Tensor): Tensor { return silu(x); } }
/** Module form of {@link mish}. @group Activations */
export class Mish extends Module { forward(x: Tensor): Tensor { return mish(x); } }
/** Module form of {@link softsign}. @group Activations */
export class Softsign extends Module { forward(x: Tensor): Tensor { return softsign(x); } }
/** Module form of {@link sigmoid}. @group Activations */
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return sigmoid(x); } }
/** Module form of {@link tanh}. @group Activations */
export class Tanh extends Module { forward(x: Tensor): Tensor { return tanh(x); } }
/** Module form of {@link hardswish}. @group Activations */
export class Hardswish extends Module { forward(x: Tensor): Tensor { return hardswish(x); } }

/** Module form of {@link leakyRelu}. @group Activations */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}
/** Module form of {@link elu}. @group Activations */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
}
/** Module form of {@link celu}. @group Activations */
export class CELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
}
/** Module form of {@link softplus}. @group Activations */
export class Softplus extends Module {
  constructor(readonly beta = 1) { super(); }
  forward(x: Tensor): Tensor { return softplus(x, this.beta); }
}
/** Module form of {@link softmax} over `axis` (default −1). @group Activations */
export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return softmax(x, this.axis); }
}
/** Module form of {@link logSoftmax} over `axis` (default −1). @group Activations */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.axis); }
}
/** Module form of {@link glu} along `axis` (default −1). @group Activations */
export class GLU extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return glu(x, this.axis); }
}

/**
 * GELU as a module: `approx` 'none' (exact, default), 'tanh' ({@link geluApprox}) or 'fast' ({@link geluFastApprox}).
 * @example
 * ```ts
 * new nn.GELU('tanh').forward(mt.tensor([1])).toArray(); // [0.8411...]
 * ```
 * @group Activations
 */
export class GELU extends Module {
  constructor(readonly approx: 'none' | 'tanh' | 'fast' = 'none') { super(); }
  forward(x: Tensor): Tensor {
    return this.approx === 'tanh' ? geluApprox(x) : this.approx === 'fast' ? geluFastApprox(x) : gelu(x);
  }
}

/**
 * Parametric ReLU with a learned slope per channel (last axis), or one shared
 * (`numParameters` 1, the default), initialized to `init` (default 0.25, as PyTorch).
 * @example
 * ```ts
 * new nn.PReLU().forward(mt.tensor([-2, 2])).toArray(); // [-0.5, 2]
 * ```
 * @group Activations
 */
export class PReLU extends Module {
  weight: Tensor;
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.weight = constParam([numParameters], init);
  }
  forward(x: Tensor): Tensor { return prelu(x, this.weight); }
}
