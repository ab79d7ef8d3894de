// Element-wise ops. Differentiable ones record themselves with apply(); their
// rules are in src/autograd/grads/elementwise.ts.
import { wants } from '../../autograd/grads/rule.js';
import { apply, isGradEnabled, NO_ATTRS, type Input } from '../../autograd/tape.js';
import { isFloating, type DType } from '../dtype.js';
import { native } from '../native.js';
import { sameDims, Tensor } from '../tensor.js';
import { arg } from './operand.js';

/**
 * The operand whose shape and dtype a binary arithmetic op's output has, when
 * that follows from what the operands are: one floating dtype and one shape,
 * or a floating tensor and a number (a weak scalar keeps the tensor's dtype).
 * The output carries them on, so chains of element-wise ops learn shapes and
 * dtypes from JS: backward's check for broadcasting and apply's for a
 * floating output then ask MLX nothing (W3's recording row). An operand
 * asks MLX once; a broadcast or a dtype promotion gives no source. Only
 * where they are used: in an op that records, or in backward's rules (grad
 * mode off); an op that records nothing with grad mode on skips the checks.
 */
function shapeSource(a: Input, b: Input): Tensor | undefined {
  if (isGradEnabled() && !wants(a) && !wants(b)) return undefined;
  if (typeof b === 'number') return typeof a !== 'number' && isFloating(a.dtype) ? a : undefined;
  if (typeof a === 'number') return isFloating(b.dtype) ? b : undefined;
  return a.dtype === b.dtype && isFloating(a.dtype) && sameDims(a.shape, b.shape) ? a : undefined;
}

/**
 * Element-wise absolute value.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.abs(mt.tensor([-1, 2])).toArray(); // [1, 2]
 * ```
 * @group Elementwise
 */
export function abs(x: Tensor): Tensor {
  return apply('abs', [x], native.abs(x.data));
}

/**
 * Element-wise negation.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.negative(mt.tensor([1, -2])).toArray(); // [-1, 2]
 * ```
 * @group Elementwise
 */
export function negative(x: Tensor): Tensor {
  return apply('negative', [x], native.negative(x.data));
}

/**
 * Element-wise sign: -1, 0 or 1. Its gradient is zero.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.sign(mt.tensor([-3, 0, 2])).toArray(); // [-1, 0, 1]
 * ```
 * @group Elementwise
 */
export function sign(x: Tensor): Tensor {
  return apply('sign', [x], native.sign(x.data));
}

/**
 * Element-wise exponential.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.exp(mt.tensor([0, 1])).toArray(); // [1, 2.718...]
 * ```
 * @group Elementwise
 */
export function exp(x: Tensor): Tensor {
  return apply('exp', [x], native.exp(x.data));
}

/**
 * Element-wise `exp(x) - 1`, accurate near zero.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.expm1(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function expm1(x: Tensor): Tensor {
  return apply('expm1', [x], native.expm1(x.data));
}

/**
 * Element-wise natural logarithm.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.log(mt.tensor([1, Math.E])).toArray(); // [0, 1]
 * ```
 * @group Elementwise
 */
export function log(x: Tensor): Tensor {
  return apply('log', [x], native.log(x.data));
}

/**
 * Element-wise `log(1 + x)`, accurate near zero.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.log1p(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function log1p(x: Tensor): Tensor {
  return apply('log1p', [x], native.log1p(x.data));
}

/**
 * Element-wise base-2 logarithm.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.log2(mt.tensor([1, 8])).toArray(); // [0, 3]
 * ```
 * @group Elementwise
 */
export function log2(x: Tensor): Tensor {
  return apply('log2', [x], native.log2(x.data));
}

/**
 * Element-wise base-10 logarithm.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.log10(mt.tensor([1, 100])).toArray(); // [0, 2]
 * ```
 * @group Elementwise
 */
export function log10(x: Tensor): Tensor {
  return apply('log10', [x], native.log10(x.data));
}

/**
 * Element-wise square root.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.sqrt(mt.tensor([4, 9])).toArray(); // [2, 3]
 * ```
 * @group Elementwise
 */
export function sqrt(x: Tensor): Tensor {
  return apply('sqrt', [x], native.sqrt(x.data));
}

/**
 * Element-wise reciprocal square root `1 / sqrt(x)`.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.rsqrt(mt.tensor([4])).toArray(); // [0.5]
 * ```
 * @group Elementwise
 */
export function rsqrt(x: Tensor): Tensor {
  return apply('rsqrt', [x], native.rsqrt(x.data));
}

/**
 * Element-wise square.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.square(mt.tensor([2, -3])).toArray(); // [4, 9]
 * ```
 * @group Elementwise
 */
export function square(x: Tensor): Tensor {
  return apply('square', [x], native.square(x.data));
}

/**
 * Element-wise reciprocal `1 / x`.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.reciprocal(mt.tensor([2, 4])).toArray(); // [0.5, 0.25]
 * ```
 * @group Elementwise
 */
export function reciprocal(x: Tensor): Tensor {
  return apply('reciprocal', [x], native.reciprocal(x.data));
}

/**
 * Element-wise sine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.sin(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function sin(x: Tensor): Tensor {
  return apply('sin', [x], native.sin(x.data));
}

/**
 * Element-wise cosine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.cos(mt.tensor([0])).toArray(); // [1]
 * ```
 * @group Elementwise
 */
export function cos(x: Tensor): Tensor {
  return apply('cos', [x], native.cos(x.data));
}

/**
 * Element-wise tangent.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.tan(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function tan(x: Tensor): Tensor {
  return apply('tan', [x], native.tan(x.data));
}

/**
 * Element-wise inverse sine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arcsin(mt.tensor([0, 1])).toArray(); // [0, 1.5707...]
 * ```
 * @group Elementwise
 */
export function arcsin(x: Tensor): Tensor {
  return apply('arcsin', [x], native.arcsin(x.data));
}

/**
 * Element-wise inverse cosine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arccos(mt.tensor([1])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function arccos(x: Tensor): Tensor {
  return apply('arccos', [x], native.arccos(x.data));
}

/**
 * Element-wise inverse tangent.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arctan(mt.tensor([0, 1])).toArray(); // [0, 0.7853...]
 * ```
 * @group Elementwise
 */
export function arctan(x: Tensor): Tensor {
  return apply('arctan', [x], native.arctan(x.data));
}

/**
 * Element-wise hyperbolic sine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.sinh(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function sinh(x: Tensor): Tensor {
  return apply('sinh', [x], native.sinh(x.data));
}

/**
 * Element-wise hyperbolic cosine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.cosh(mt.tensor([0])).toArray(); // [1]
 * ```
 * @group Elementwise
 */
export function cosh(x: Tensor): Tensor {
  return apply('cosh', [x], native.cosh(x.data));
}

/**
 * Element-wise hyperbolic tangent.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.tanh(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function tanh(x: Tensor): Tensor {
  return apply('tanh', [x], native.tanh(x.data));
}

/**
 * Element-wise inverse hyperbolic sine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arcsinh(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function arcsinh(x: Tensor): Tensor {
  return apply('arcsinh', [x], native.arcsinh(x.data));
}

/**
 * Element-wise inverse hyperbolic cosine.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arccosh(mt.tensor([1])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function arccosh(x: Tensor): Tensor {
  return apply('arccosh', [x], native.arccosh(x.data));
}

/**
 * Element-wise inverse hyperbolic tangent.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.arctanh(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function arctanh(x: Tensor): Tensor {
  return apply('arctanh', [x], native.arctanh(x.data));
}

/**
 * Element-wise logistic sigmoid `1 / (1 + exp(-x))`.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.sigmoid(mt.tensor([0])).toArray(); // [0.5]
 * ```
 * @group Elementwise
 */
export function sigmoid(x: Tensor): Tensor {
  return apply('sigmoid', [x], native.sigmoid(x.data));
}

/**
 * Element-wise Gauss error function.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.erf(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function erf(x: Tensor): Tensor {
  return apply('erf', [x], native.erf(x.data));
}

/**
 * Element-wise inverse of {@link erf}.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.erfinv(mt.tensor([0])).toArray(); // [0]
 * ```
 * @group Elementwise
 */
export function erfinv(x: Tensor): Tensor {
  return apply('erfinv', [x], native.erfinv(x.data));
}

/**
 * Element-wise floor. Its gradient is zero.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.floor(mt.tensor([1.5, -1.5])).toArray(); // [1, -2]
 * ```
 * @group Elementwise
 */
export function floor(x: Tensor): Tensor {
  return apply('floor', [x], native.floor(x.data));
}

/**
 * Element-wise ceiling. Its gradient is zero.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.ceil(mt.tensor([1.5, -1.5])).toArray(); // [2, -1]
 * ```
 * @group Elementwise
 */
export function ceil(x: Tensor): Tensor {
  return apply('ceil', [x], native.ceil(x.data));
}

/**
 * Element-wise sum, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.add(mt.tensor([1, 2]), 10).toArray(); // [11, 12]
 * ```
 * @group Elementwise
 */
export function add(a: Input, b: Input): Tensor {
  return apply('add', [a, b], native.add(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise difference `a - b`, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.subtract(mt.tensor([5, 7]), mt.tensor([1, 2])).toArray(); // [4, 5]
 * ```
 * @group Elementwise
 */
export function subtract(a: Input, b: Input): Tensor {
  return apply('subtract', [a, b], native.subtract(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise product, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.multiply(mt.tensor([1, 2]), 3).toArray(); // [3, 6]
 * ```
 * @group Elementwise
 */
export function multiply(a: Input, b: Input): Tensor {
  return apply('multiply', [a, b], native.multiply(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise true division `a / b`, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.divide(mt.tensor([1, 3]), 2).toArray(); // [0.5, 1.5]
 * ```
 * @group Elementwise
 */
export function divide(a: Input, b: Input): Tensor {
  return apply('divide', [a, b], native.divide(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise power `a ** b`, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.power(mt.tensor([2, 3]), 2).toArray(); // [4, 9]
 * ```
 * @group Elementwise
 */
export function power(a: Input, b: Input): Tensor {
  return apply('power', [a, b], native.power(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise remainder of floor division (the sign follows `b`, as in Python), with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.remainder(mt.tensor([5, -5]), 3).toArray(); // [2, 1]
 * ```
 * @group Elementwise
 */
export function remainder(a: Input, b: Input): Tensor {
  return apply('remainder', [a, b], native.remainder(arg(a), arg(b)));
}

/**
 * Element-wise maximum, with broadcasting. Ties send the whole gradient to `b` (MLX's rule).
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.maximum(mt.tensor([1, 5]), mt.tensor([3, 2])).toArray(); // [3, 5]
 * ```
 * @group Elementwise
 */
export function maximum(a: Input, b: Input): Tensor {
  return apply('maximum', [a, b], native.maximum(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise minimum, with broadcasting. Ties send the whole gradient to `b` (MLX's rule).
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.minimum(mt.tensor([1, 5]), mt.tensor([3, 2])).toArray(); // [1, 2]
 * ```
 * @group Elementwise
 */
export function minimum(a: Input, b: Input): Tensor {
  return apply('minimum', [a, b], native.minimum(arg(a), arg(b)), NO_ATTRS, shapeSource(a, b));
}

/**
 * Element-wise angle of the point `(b, a)`: `atan2(a, b)`, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.arctan2(mt.tensor([1]), mt.tensor([1])).toArray(); // [0.7853...]
 * ```
 * @group Elementwise
 */
export function arctan2(a: Input, b: Input): Tensor {
  return apply('arctan2', [a, b], native.arctan2(arg(a), arg(b)));
}

/**
 * Element-wise `log(exp(a) + exp(b))`, computed stably, with broadcasting.
 *
 * @param a - First operand; a JS number is a weak scalar that takes the other operand's dtype.
 * @param b - Second operand; likewise a tensor or a number.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.logaddexp(mt.tensor([0]), mt.tensor([0])).toArray(); // [0.6931...]
 * ```
 * @group Elementwise
 */
export function logaddexp(a: Input, b: Input): Tensor {
  return apply('logaddexp', [a, b], native.logaddexp(arg(a), arg(b)));
}

/**
 * Element-wise floor division `floor(a / b)`, with broadcasting. Not differentiable.
 * @see MLX `floor_divide`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.floorDivide(mt.tensor([7, -7]), 2).toArray(); // [3, -4]
 * ```
 * @group Elementwise
 */
export function floorDivide(a: Input, b: Input): Tensor {
  return new Tensor(native.floorDivide(arg(a), arg(b)));
}

/**
 * Element-wise `a == b` as a bool tensor.
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.equal(mt.tensor([1, 2]), 2).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function equal(a: Input, b: Input): Tensor {
  return new Tensor(native.equal(arg(a), arg(b)));
}

/**
 * Element-wise `a != b` as a bool tensor.
 * @see MLX `not_equal`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.notEqual(mt.tensor([1, 2]), 2).toArray(); // [true, false]
 * ```
 * @group Elementwise
 */
export function notEqual(a: Input, b: Input): Tensor {
  return new Tensor(native.notEqual(arg(a), arg(b)));
}

/**
 * Element-wise `a < b` as a bool tensor.
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.less(mt.tensor([1, 2]), 2).toArray(); // [true, false]
 * ```
 * @group Elementwise
 */
export function less(a: Input, b: Input): Tensor {
  return new Tensor(native.less(arg(a), arg(b)));
}

/**
 * Element-wise `a <= b` as a bool tensor.
 * @see MLX `less_equal`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.lessEqual(mt.tensor([1, 3]), 2).toArray(); // [true, false]
 * ```
 * @group Elementwise
 */
export function lessEqual(a: Input, b: Input): Tensor {
  return new Tensor(native.lessEqual(arg(a), arg(b)));
}

/**
 * Element-wise `a > b` as a bool tensor.
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.greater(mt.tensor([1, 3]), 2).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function greater(a: Input, b: Input): Tensor {
  return new Tensor(native.greater(arg(a), arg(b)));
}

/**
 * Element-wise `a >= b` as a bool tensor.
 * @see MLX `greater_equal`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.greaterEqual(mt.tensor([1, 2]), 2).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function greaterEqual(a: Input, b: Input): Tensor {
  return new Tensor(native.greaterEqual(arg(a), arg(b)));
}

/**
 * Element-wise logical and; non-bool inputs count as true where non-zero.
 * @see MLX `logical_and`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.logicalAnd(mt.tensor([true, true]), mt.tensor([true, false])).toArray(); // [true, false]
 * ```
 * @group Elementwise
 */
export function logicalAnd(a: Input, b: Input): Tensor {
  return new Tensor(native.logicalAnd(arg(a), arg(b)));
}

/**
 * Element-wise logical or; non-bool inputs count as true where non-zero.
 * @see MLX `logical_or`
 *
 * @param a - First operand (a tensor or a number).
 * @param b - Second operand (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.logicalOr(mt.tensor([false, true]), mt.tensor([false, false])).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function logicalOr(a: Input, b: Input): Tensor {
  return new Tensor(native.logicalOr(arg(a), arg(b)));
}

/**
 * Element-wise logical not, as a bool tensor.
 * @see MLX `logical_not`
 *
 * @param x - Input tensor.
 * @returns A bool tensor of the same shape.
 * @example
 * ```ts
 * mt.logicalNot(mt.tensor([true, false])).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function logicalNot(x: Tensor): Tensor {
  return new Tensor(native.logicalNot(x.data));
}

/**
 * Where the values are NaN, as a bool tensor.
 *
 * @param x - Input tensor.
 * @returns A bool tensor of the same shape.
 * @example
 * ```ts
 * mt.isnan(mt.tensor([1, NaN])).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function isnan(x: Tensor): Tensor {
  return new Tensor(native.isnan(x.data));
}

/**
 * Where the values are infinite, as a bool tensor.
 *
 * @param x - Input tensor.
 * @returns A bool tensor of the same shape.
 * @example
 * ```ts
 * mt.isinf(mt.tensor([1, Infinity])).toArray(); // [false, true]
 * ```
 * @group Elementwise
 */
export function isinf(x: Tensor): Tensor {
  return new Tensor(native.isinf(x.data));
}

/**
 * Where the values are finite, as a bool tensor.
 *
 * @param x - Input tensor.
 * @returns A bool tensor of the same shape.
 * @example
 * ```ts
 * mt.isfinite(mt.tensor([1, Infinity])).toArray(); // [true, false]
 * ```
 * @group Elementwise
 */
export function isfinite(x: Tensor): Tensor {
  return new Tensor(native.isfinite(x.data));
}

/**
 * Rounds to the given number of decimals (half to even). Its gradient is zero.
 *
 * @param x - Input tensor.
 * @param decimals - Digits after the point to keep (default 0).
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.round(mt.tensor([1.26, 2.5]), 1).toArray(); // [1.3, 2.5]
 * ```
 * @group Elementwise
 */
export function round(x: Tensor, decimals = 0): Tensor {
  return apply('round', [x], native.round(x.data, decimals));
}

/**
 * Picks from `x` where `condition` is true and from `y` elsewhere, with broadcasting.
 *
 * @param condition - A bool tensor (or one whose non-zero values count as true).
 * @param x - Values where the condition holds (a tensor or a number).
 * @param y - Values elsewhere (a tensor or a number).
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.where(mt.tensor([true, false]), mt.tensor([1, 2]), 0).toArray(); // [1, 0]
 * ```
 * @group Elementwise
 */
export function where(condition: Tensor, x: Input, y: Input): Tensor {
  return apply('where', [condition, x, y], native.where(condition.data, arg(x), arg(y)));
}

/**
 * Limits values to `[min, max]`; either bound may be `null`. The gradient
 * flows where `min <= x <= max`, boundaries included (PyTorch's convention).
 *
 * @param x - Input tensor.
 * @param min - Lower bound (a tensor or a number), or `null`.
 * @param max - Upper bound (a tensor or a number), or `null`.
 * @returns A tensor of the broadcast shape.
 * @example
 * ```ts
 * mt.clip(mt.tensor([-2, 0.5, 3]), 0, 1).toArray(); // [0, 0.5, 1]
 * ```
 * @group Elementwise
 */
export function clip(x: Tensor, min: Input | null, max: Input | null): Tensor {
  if (min === null && max === null) throw new TypeError('[clip] min and max are both null; give at least one bound');
  const out = native.clip(x.data, min === null ? null : arg(min), max === null ? null : arg(max));
  return apply('clip', [x], out, { min, max });
}

/**
 * Replaces NaN with `nan`, +inf with `posinf` and -inf with `neginf` (by
 * default the dtype's largest finite values). The gradient flows where `x` is finite.
 *
 * @param x - Input tensor.
 * @param options - The replacement values.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.nanToNum(mt.tensor([NaN, 1]), { nan: -1 }).toArray(); // [-1, 1]
 * ```
 * @see MLX `nan_to_num`
 * @group Elementwise
 */
export function nanToNum(x: Tensor, options: { nan?: number; posinf?: number; neginf?: number } = {}): Tensor {
  const out = native.nanToNum(x.data, options.nan ?? 0, options.posinf ?? null, options.neginf ?? null);
  return apply('nanToNum', [x], out);
}

/**
 * Converts to another dtype. Differentiable between floating dtypes.
 *
 * @param x - Input tensor.
 * @param dtype - The dtype to convert to.
 * @returns A tensor of the same shape and the new dtype.
 * @example
 * ```ts
 * mt.astype(mt.tensor([1.7, -1.7]), 'int32').toArray(); // [1, -1]
 * ```
 * @group Elementwise
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  return apply('astype', [x], native.astype(x.data, dtype));
}

/**
 * Returns the same values with the gradient cut: nothing flows back through it.
 *
 * @param x - Input tensor.
 * @returns A tensor that is not part of any graph.
 * @example
 * ```ts
 * const w = mt.tensor([3]).requireGrad();
 * mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(t, mt.stopGradient(t))))(w).toArray(); // [3]
 * ```
 * @see MLX `stop_gradient`
 * @group Autograd
 */
export function stopGradient(x: Tensor): Tensor {
  return new Tensor(native.stopGradient(x.data));
}

/**
 * Rectified linear unit `max(x, 0)`, with the gradient of {@link maximum}: 0 at 0.
 * Floating inputs run MLX's compiled kernel for it, as MLX-Python's `nn.relu`.
 *
 * @param x - Input tensor.
 * @returns A tensor of the same shape.
 * @example
 * ```ts
 * mt.relu(mt.tensor([-1, 2])).toArray(); // [0, 2]
 * ```
 * @group Activations
 */
export function relu(x: Tensor): Tensor {
  // Recorded as maximum(x, 0), whose rule sends a tie to the 0 (the gradient
  // at 0 is 0); computed by native.relu, MLX-Python's compiled kernel for it.
  const out = apply('maximum', [x, 0], native.relu(x.data), NO_ATTRS, shapeSource(x, 0));
  out.reluInput = x;
  return out;
}
