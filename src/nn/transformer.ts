// Attention and the Transformer encoder layer, as MLX's nn.
import type { Tensor } from '../tensor/tensor.js';
import { add, matmul, multiply, relu, reshape, softmax, tensor, transpose, where } from '../tensor/ops/index.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { Dropout } from './dropout.js';

/** Options of {@link MultiHeadAttention}: input and output sizes (default `dims`), bias. */
export interface MultiHeadAttentionOptions {
  queryInputDims?: number;
  keyInputDims?: number;
  valueInputDims?: number;
  valueDims?: number;
  valueOutputDims?: number;
  /** Biases in the projections (default false, as MLX). */
  bias?: boolean;
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al.):
 * `softmax(Q·Kᵀ/√d + mask)·V` per head, between linear projections
 * (`queryProj`, `keyProj`, `valueProj`, `outProj`: {@link Linear} layers with
 * their default init). Inputs `[N, L, D]`; `mask` is additive (a float
 * tensor, e.g. {@link MultiHeadAttention.createAdditiveCausalMask}) or a bool
 * tensor (true = attend), broadcast to `[N, heads, Lq, Lk]`.
 * @example
 * ```ts
 * const mha = new nn.MultiHeadAttention(16, 4);
 * const x = mt.random.normal([2, 5, 16]);
 * mha.forward(x, x, x).shape; // [2, 5, 16]
 * ```
 * @group Layers
 */
export class MultiHeadAttention extends Module {
  queryProj: Linear;
  keyProj: Linear;
  valueProj: Linear;
  outProj: Linear;

  constructor(readonly dims: number, readonly numHeads: number, o: MultiHeadAttentionOptions = {}) {
    super();
    const valueDims = o.valueDims ?? dims;
    if (dims % numHeads !== 0 || valueDims % numHeads !== 0) {
      throw new RangeError(`[MultiHeadAttention] numHeads ${numHeads} must divide dims ${dims} and valueDims ${valueDims}`);
    }
    const bias = o.bias ?? false;
    this.queryProj = new Linear(o.queryInputDims ?? dims, dims, bias);
    this.keyProj = new Linear(o.keyInputDims ?? dims, dims, bias);
    this.valueProj = new Linear(o.valueInputDims ?? dims, valueDims, bias);
    this.outProj = new Linear(valueDims, o.valueOutputDims ?? dims, bias);
  }

  forward(queries: Tensor, keys: Tensor, values: Tensor, mask?: Tensor): Tensor {
    const heads = (x: Tensor): Tensor => transpose(reshape(x, [x.shape[0]!, x.shape[1]!, this.numHeads, -1]), [0, 2, 1, 3]);
    const q = heads(this.queryProj.forward(queries));
    const k = heads(this.keyProj.forward(keys));
    const v = heads(this.valueProj.forward(values));
    let scores = matmul(multiply(q, 1 / Math.sqrt(q.shape[3]!)), transpose(k, [0, 1, 3, 2]));
    if (mask) scores = mask.dtype === 'bool' ? where(mask, scores, -Infinity) : add(scores, mask);
    const out = matmul(softmax(scores, -1), v); // [N, heads, Lq, dv]
    const merged = transpose(out, [0, 2, 1, 3]);
    return this.outProj.forward(reshape(merged, [merged.shape[0]!, merged.shape[1]!, -1]));
  }

  /**
   * An `[n, n]` additive mask that stops each position attending to later ones:
   * 0 on and below the diagonal, a large negative number above.
   * @param n - The sequence length.
   * @returns The mask.
   */
  static createAdditiveCausalMask(n: number): Tensor {
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = -1e9;
    return tensor(m, 'float32', [n, n]);
  }
}

/** Options of {@link TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /** Hidden size of the feed-forward block (default 4·dims). */
  mlpDims?: number;
  /** Dropout after attention and in the feed-forward block (default 0). */
  dropout?: number;
  /** The feed-forward activation (default relu). */
  activation?: (x: Tensor) => Tensor;
  /** LayerNorm before each block (pre-norm, default true as MLX) or after (post-norm, the original). */
  normFirst?: boolean;
}

/**
 * One Transformer encoder layer: self-attention and a feed-forward block,
 * each with a residual connection and LayerNorm.
 * ```
 * pre-norm:  x = x + drop(attn(ln1(x)));  x + linear2(drop(act(linear1(ln2(x)))))
 * post-norm: x = ln1(x + drop(attn(x)));  ln2(x + linear2(drop(act(linear1(x)))))
 * ```
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(16, 4);
 * layer.forward(mt.random.normal([2, 5, 16])).shape; // [2, 5, 16]
 * ```
 * @group Layers
 */
export class TransformerEncoderLayer extends Module {
  attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  /** The feed-forward block's activation. */
  readonly activation: (x: Tensor) => Tensor;
  readonly normFirst: boolean;

  constructor(readonly dims: number, numHeads: number, o: TransformerEncoderLayerOptions = {}) {
    super();
    const mlp = o.mlpDims ?? 4 * dims;
    this.attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, mlp);
    this.linear2 = new Linear(mlp, dims);
    this.dropout1 = new Dropout(o.dropout ?? 0);
    this.dropout2 = new Dropout(o.dropout ?? 0);
    this.activation = o.activation ?? relu;
    this.normFirst = o.normFirst ?? true;
  }

  forward(x: Tensor, mask?: Tensor): Tensor {
    const attn = (y: Tensor): Tensor => this.dropout1.forward(this.attention.forward(y, y, y, mask));
    const mlp = (y: Tensor): Tensor => this.linear2.forward(this.dropout2.forward(this.activation(this.linear1.forward(y))));
    if (this.normFirst) {
      x = add(x, attn(this.ln1.forward(x)));
      return add(x, mlp(this.ln2.forward(x)));
    }
    x = this.ln1.forward(add(x, attn(x)));
    return this.ln2.forward(add(x, mlp(x)));
  }
}
