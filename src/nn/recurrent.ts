// Recurrent layers, as MLX's: inputs [N, L, D] (or [L, D]); they return every
// step's hidden state, [N, L, H]. Weights follow MLX's names and gate order.
import type { Tensor } from '../tensor/tensor.js';
import { add, addmm, matmul, multiply, relu, sigmoid, split, squeeze, stack, subtract, tanh, transpose } from '../tensor/ops/index.js';
import { Module } from './module.js';
import { uniformParam } from './param.js';

/** `x·Wᵀ + b` (b optional). */
const project = (x: Tensor, w: Tensor, b?: Tensor): Tensor => (b ? addmm(b, x, transpose(w)) : matmul(x, transpose(w)));
/** The steps of `x` along the time axis (−2). */
const steps = (x: Tensor): Tensor[] => {
  if (x.ndim < 2) throw new RangeError(`[recurrent] expected an input of shape [N, L, D] or [L, D], got [${x.shape.join(',')}]`);
  return split(x, x.shape[x.ndim - 2]!, -2).map((s) => squeeze(s, -2));
};

/**
 * Elman RNN: `hₜ = f(xₜ·Wxhᵀ + b + hₜ₋₁·Whhᵀ)` with f = tanh (or relu, or
 * any function). Weights `wxh` `[H, D]`, `whh` `[H, H]`, `bias` `[H]`, all
 * U(±1/√H) (PyTorch's default).
 * @example
 * ```ts
 * new nn.RNN(3, 5).forward(mt.ones([2, 7, 3])).shape; // [2, 7, 5]
 * ```
 * @group Layers
 */
export class RNN extends Module {
  wxh: Tensor;
  whh: Tensor;
  bias?: Tensor;
  /** The activation applied to each new hidden state. */
  readonly nonlinearity: (x: Tensor) => Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' | ((x: Tensor) => Tensor) } = {}) {
    super();
    const f = options.nonlinearity ?? 'tanh';
    this.nonlinearity = f === 'tanh' ? tanh : f === 'relu' ? relu : f;
    this.wxh = uniformParam([hiddenSize, inputSize], hiddenSize);
    this.whh = uniformParam([hiddenSize, hiddenSize], hiddenSize);
    if (options.bias ?? true) this.bias = uniformParam([hiddenSize], hiddenSize);
  }

  /**
   * Runs over the sequence.
   * @param x - `[N, L, D]` or `[L, D]`.
   * @param hidden - The initial state `[N, H]` (default none: zeros).
   * @returns Every step's hidden state, `[N, L, H]`.
   */
  forward(x: Tensor, hidden?: Tensor): Tensor {
    const all = steps(project(x, this.wxh, this.bias)).map((xt) => {
      hidden = this.nonlinearity(hidden ? addmm(xt, hidden, transpose(this.whh)) : xt);
      return hidden;
    });
    return stack(all, -2);
  }
}

/**
 * Gated recurrent unit (MLX's gate order r, z, n):
 * ```
 * r, z = σ(xWx_rz + b_rz + hWh_rz),  n = tanh(xWx_n + b_n + r·(hWh_n + bhn)),  h = (1 − z)·n + z·h
 * ```
 * Weights `wx` `[3H, D]`, `wh` `[3H, H]`, `b` `[3H]`, `bhn` `[H]`, all U(±1/√H).
 * @example
 * ```ts
 * new nn.GRU(3, 5).forward(mt.ones([2, 7, 3])).shape; // [2, 7, 5]
 * ```
 * @group Layers
 */
export class GRU extends Module {
  wx: Tensor;
  wh: Tensor;
  b?: Tensor;
  bhn?: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: { bias?: boolean } = {}) {
    super();
    const h = hiddenSize;
    this.wx = uniformParam([3 * h, inputSize], h);
    this.wh = uniformParam([3 * h, h], h);
    if (options.bias ?? true) {
      this.b = uniformParam([3 * h], h);
      this.bhn = uniformParam([h], h);
    }
  }

  /**
   * Runs over the sequence.
   * @param x - `[N, L, D]` or `[L, D]`.
   * @param hidden - The initial state `[N, H]` (default none: zeros).
   * @returns Every step's hidden state, `[N, L, H]`.
   */
  forward(x: Tensor, hidden?: Tensor): Tensor {
    const h = this.hiddenSize;
    const all = steps(project(x, this.wx, this.b)).map((xt) => {
      const [xrz, xn] = split(xt, [2 * h], -1) as [Tensor, Tensor];
      let rz = xrz, n = xn;
      let hn: Tensor | undefined;
      if (hidden) {
        const [hrz, hnRaw] = split(matmul(hidden, transpose(this.wh)), [2 * h], -1) as [Tensor, Tensor];
        hn = this.bhn ? add(hnRaw, this.bhn) : hnRaw;
        rz = add(rz, hrz);
      }
      const [r, z] = split(sigmoid(rz), 2, -1) as [Tensor, Tensor];
      n = tanh(hn ? add(n, multiply(r, hn)) : n);
      const keep = multiply(subtract(1, z), n);
      hidden = hidden ? add(keep, multiply(z, hidden)) : keep;
      return hidden;
    });
    return stack(all, -2);
  }
}

/**
 * Long short-term memory (MLX's gate order i, f, g, o):
 * ```
 * i, f, o = σ(·), g = tanh(·) of xWxᵀ + bias + hWhᵀ;   c = f·c + i·g;   h = o·tanh(c)
 * ```
 * Weights `wx` `[4H, D]`, `wh` `[4H, H]`, `bias` `[4H]`, all U(±1/√H).
 * Returns `[hidden, cell]`, each `[N, L, H]`.
 * @example
 * ```ts
 * const [h, c] = new nn.LSTM(3, 5).forward(mt.ones([2, 7, 3]));
 * h.shape; // [2, 7, 5]
 * ```
 * @group Layers
 */
export class LSTM extends Module {
  wx: Tensor;
  wh: Tensor;
  bias?: Tensor;

  constructor(readonly inputSize: number, readonly hiddenSize: number, options: { bias?: boolean } = {}) {
    super();
    const h = hiddenSize;
    this.wx = uniformParam([4 * h, inputSize], h);
    this.wh = uniformParam([4 * h, h], h);
    if (options.bias ?? true) this.bias = uniformParam([4 * h], h);
  }

  /**
   * Runs over the sequence.
   * @param x - `[N, L, D]` or `[L, D]`.
   * @param hidden - The initial hidden state `[N, H]` (default none: zeros).
   * @param cell - The initial cell state `[N, H]` (default none: zeros).
   * @returns `[hidden, cell]`: every step's states, each `[N, L, H]`.
   */
  forward(x: Tensor, hidden?: Tensor, cell?: Tensor): [Tensor, Tensor] {
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (const xt of steps(project(x, this.wx, this.bias))) {
      const gates = hidden ? addmm(xt, hidden, transpose(this.wh)) : xt;
      const [i, f, g, o] = split(gates, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const ig = multiply(sigmoid(i), tanh(g));
      cell = cell ? add(multiply(sigmoid(f), cell), ig) : ig;
      hidden = multiply(sigmoid(o), tanh(cell));
      hs.push(hidden);
      cs.push(cell);
    }
    return [stack(hs, -2), stack(cs, -2)];
  }
}
