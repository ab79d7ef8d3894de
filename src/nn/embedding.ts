// Embedding: a lookup table of vectors.
import type { Tensor } from '../tensor/tensor.js';
import { matmul, take, transpose } from '../tensor/ops/index.js';
import { normal } from '../tensor/ops/random.js';
import { Module } from './module.js';

/**
 * Maps integer indices to rows of `weight` (`[numEmbeddings, dims]`,
 * N(0, 1) as in PyTorch): `[...]` int indices → `[..., dims]`.
 * @example
 * ```ts
 * const e = new nn.Embedding(10, 4);
 * e.forward(mt.tensor([[1, 2, 3]], 'int32')).shape; // [1, 3, 4]
 * ```
 * @group Layers
 */
export class Embedding extends Module {
  weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly dims: number) {
    super();
    this.weight = normal([numEmbeddings, dims]).requireGrad();
  }

  forward(indices: Tensor): Tensor {
    return take(this.weight, indices, 0);
  }

  /**
   * Uses the table as a linear layer to the vocabulary, `x · weightᵀ` (weight tying).
   * @param x - `[..., dims]`.
   * @returns `[..., numEmbeddings]`.
   */
  asLinear(x: Tensor): Tensor {
    return matmul(x, transpose(this.weight));
  }
}
