// Affine layers: Identity, Linear, Bilinear.
import type { Tensor } from '../tensor/tensor.js';
import { add, linear, matmul, multiply, reshape, sum, transpose } from '../tensor/ops/index.js';
import { Module } from './module.js';
import { uniformParam } from './param.js';

/**
 * Returns its input unchanged.
 * @example
 * ```ts
 * new nn.Identity().forward(mt.tensor([1, 2])).toArray(); // [1, 2]
 * ```
 * @group Layers
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * `y = x·Wᵀ + b`, over the last axis of `x`. `weight` has shape
 * `[outputDims, inputDims]`; weight and bias start as U(−k, k) with
 * k = 1/√inputDims (PyTorch's default).
 * @example
 * ```ts
 * const l = new nn.Linear(3, 2);
 * l.forward(mt.ones([5, 3])).shape; // [5, 2]
 * ```
 * @group Layers
 */
export class Linear extends Module {
  weight: Tensor;
  bias?: Tensor;

  constructor(readonly inputDims: number, readonly outputDims: number, bias = true) {
    super();
    this.weight = uniformParam([outputDims, inputDims], inputDims);
    if (bias) this.bias = uniformParam([outputDims], inputDims);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/**
 * `y[o] = x1ᵀ·W[o]·x2 + b[o]`: a bilinear form per output. `weight` has shape
 * `[outputDims, in1Dims, in2Dims]` (PyTorch's); weight and bias start as
 * U(−k, k) with k = 1/√in1Dims. Inputs share their leading axes.
 * @example
 * ```ts
 * const b = new nn.Bilinear(3, 4, 2);
 * b.forward(mt.ones([5, 3]), mt.ones([5, 4])).shape; // [5, 2]
 * ```
 * @group Layers
 */
export class Bilinear extends Module {
  weight: Tensor;
  bias?: Tensor;

  constructor(readonly in1Dims: number, readonly in2Dims: number, readonly outputDims: number, bias = true) {
    super();
    this.weight = uniformParam([outputDims, in1Dims, in2Dims], in1Dims);
    if (bias) this.bias = uniformParam([outputDims], in1Dims);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    const [o, i1, i2] = [this.outputDims, this.in1Dims, this.in2Dims];
    const lead = x1.shape.slice(0, -1);
    // (x1 · W reshaped to [i1, o·i2]) gives x1ᵀW[o] for every o; then dot with x2.
    const w = reshape(transpose(this.weight, [1, 0, 2]), [i1, o * i2]);
    const t = reshape(matmul(reshape(x1, [-1, i1]), w), [-1, o, i2]);
    const y = sum(multiply(t, reshape(x2, [-1, 1, i2])), -1);
    const out = reshape(y, [...lead, o]);
    return this.bias ? add(out, this.bias) : out;
  }
}
