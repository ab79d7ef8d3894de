// Rules for element-wise ops: a few lines of math each (MLX primitives.cpp).
import {
  add, astype, cos, cosh, divide, equal, exp, floor, greater, greaterEqual, isfinite, less, lessEqual, log,
  logicalAnd, multiply, negative, rsqrt, sign, sin, sinh, square, subtract, where, zerosLike,
} from '../../tensor/ops/index.js';
import { hasOwnKernel, native } from '../../tensor/native.js';
import { Tensor } from '../../tensor/tensor.js';
import { isGradEnabled } from '../tape.js';
import { wants, type GradTable } from './rule.js';

const isNumber = (x: unknown): x is number => typeof x === 'number';
const zero = (dy: Tensor): Tensor[] => [zerosLike(dy)];

/**
 * dy · [a > b] (or <). Against a number, on the CPU or a CUDA GPU, one
 * kernel (native/src/kernels.cc, cuda_kernels.cc) instead of three passes:
 * relu's backward. Not when the gradient is itself recorded: the kernel has
 * no rule.
 */
export function maskedBy(dy: Tensor, a: Tensor, comparison: 'greater' | 'less', b: Tensor | number): Tensor {
  if (isNumber(b) && a.dtype === dy.dtype && hasOwnKernel(a.dtype) && a.hasShapeOf(dy) &&
      !isGradEnabled()) {
    return new Tensor(native.maskedBy(dy.data, a.data, comparison, b));
  }
  return multiply(dy, comparison === 'greater' ? greater(a, b) : less(a, b));
}

export const elementwiseGrads = {
  add: (dy) => [dy, dy], // the engine sums each back to its input's shape
  subtract: (dy, { inputs: [, b] }) => [dy, wants(b) ? negative(dy) : null],
  multiply: (dy, { inputs: [a, b] }) => [wants(a) ? multiply(dy, b!) : null, wants(b) ? multiply(dy, a!) : null],
  divide: (dy, { inputs: [a, b], out }) => [
    wants(a) ? divide(dy, b!) : null,
    wants(b) ? negative(multiply(dy, divide(out, b!))) : null,
  ],
  power: (dy, { inputs: [a, b], out }) => [
    multiply(dy, multiply(b!, divide(out, a!))),
    // d/db a^b = a^b log a; at a = 0 that is 0 · -inf: take 0 where a^b is 0.
    isNumber(b) ? null : multiply(dy, where(equal(out, 0), 0, multiply(out, log(a!)))),
  ],
  remainder: (dy, { inputs: [a, b] }) => [dy, isNumber(b) ? null : negative(multiply(dy, floor(divide(a!, b!))))],
  // Ties send the gradient to b, as MLX's Maximum/Minimum::vjp do; like them,
  // a mask multiply, not where(): MLX's CPU where is ~10x slower (relu's backward).
  maximum: (dy, { inputs: [a, b] }) => [maskedBy(dy, a!, 'greater', b!), isNumber(b) ? null : multiply(dy, lessEqual(a!, b!))],
  minimum: (dy, { inputs: [a, b] }) => [maskedBy(dy, a!, 'less', b!), isNumber(b) ? null : multiply(dy, greaterEqual(a!, b!))],
  arctan2: (dy, { inputs: [a, b] }) => {
    const r2 = add(square(a!), square(b!));
    return [multiply(dy, divide(b!, r2)), negative(multiply(dy, divide(a!, r2)))];
  },
  logaddexp: (dy, { inputs: [a, b], out }) => [multiply(dy, exp(subtract(a!, out))), multiply(dy, exp(subtract(b!, out)))],
  where: (dy, { inputs: [c] }) => [null, where(c!, dy, 0), where(c!, 0, dy)],
  clip: (dy, { inputs: [x], attrs: { min, max } }) => {
    let pass: Tensor | null = null;
    if (min !== null) pass = greaterEqual(x!, min);
    if (max !== null) pass = pass ? logicalAnd(pass, lessEqual(x!, max)) : lessEqual(x!, max);
    return [multiply(dy, pass!)];
  },
  nanToNum: (dy, { inputs: [x] }) => [where(isfinite(x!), dy, 0)],
  astype: (dy, { inputs: [x] }) => [astype(dy, x!.dtype)],

  abs: (dy, { inputs: [x] }) => [multiply(dy, sign(x!))],
  negative: (dy) => [negative(dy)],
  sign: zero,
  floor: zero,
  ceil: zero,
  round: zero,
  exp: (dy, { out }) => [multiply(dy, out)], // reuse the forward output
  expm1: (dy, { out }) => [multiply(dy, add(out, 1))],
  log: (dy, { inputs: [x] }) => [divide(dy, x!)],
  log1p: (dy, { inputs: [x] }) => [divide(dy, add(x!, 1))],
  log2: (dy, { inputs: [x] }) => [divide(dy, multiply(x!, Math.LN2))],
  log10: (dy, { inputs: [x] }) => [divide(dy, multiply(x!, Math.LN10))],
  sqrt: (dy, { out }) => [divide(dy, multiply(out, 2))],
  rsqrt: (dy, { inputs: [x], out }) => [multiply(dy, multiply(divide(out, x!), -0.5))],
  square: (dy, { inputs: [x] }) => [multiply(dy, multiply(x!, 2))],
  reciprocal: (dy, { out }) => [negative(multiply(dy, square(out)))],
  sin: (dy, { inputs: [x] }) => [multiply(dy, cos(x!))],
  cos: (dy, { inputs: [x] }) => [negative(multiply(dy, sin(x!)))],
  tan: (dy, { out }) => [multiply(dy, add(square(out), 1))],
  arcsin: (dy, { inputs: [x] }) => [multiply(dy, rsqrt(subtract(1, square(x!))))],
  arccos: (dy, { inputs: [x] }) => [negative(multiply(dy, rsqrt(subtract(1, square(x!)))))],
  arctan: (dy, { inputs: [x] }) => [divide(dy, add(square(x!), 1))],
  sinh: (dy, { inputs: [x] }) => [multiply(dy, cosh(x!))],
  cosh: (dy, { inputs: [x] }) => [multiply(dy, sinh(x!))],
  tanh: (dy, { out }) => [multiply(dy, subtract(1, square(out)))],
  arcsinh: (dy, { inputs: [x] }) => [multiply(dy, rsqrt(add(square(x!), 1)))],
  arccosh: (dy, { inputs: [x] }) => [multiply(dy, rsqrt(subtract(square(x!), 1)))],
  arctanh: (dy, { inputs: [x] }) => [divide(dy, subtract(1, square(x!)))],
  sigmoid: (dy, { out }) => [multiply(dy, multiply(out, subtract(1, out)))],
  erf: (dy, { inputs: [x] }) => [multiply(dy, multiply(exp(negative(square(x!))), 2 / Math.sqrt(Math.PI)))],
  erfinv: (dy, { out }) => [multiply(dy, multiply(exp(square(out)), Math.sqrt(Math.PI) / 2))],
} satisfies GradTable;


