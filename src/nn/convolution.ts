// Convolution layers, channels last as in MLX: inputs [N, ...spatial, C].
import type { Tensor } from '../tensor/tensor.js';
import { conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvTransposeOptions } from '../tensor/ops/index.js';
import { Module } from './module.js';
import { uniformParam } from './param.js';

/** Options of the convolution layers. */
export interface ConvLayerOptions {
  /** Step between windows (default 1). */
  stride?: number | number[];
  /** Zeros added at both ends of each spatial axis (default 0). */
  padding?: number | number[];
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
  /** Channel groups (default 1); must divide both channel counts. */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Transposed convolutions only: extra size at the high end of each output axis (default 0). */
  outputPadding?: number | number[];
}

type ConvFn = (x: Tensor, w: Tensor, o: ConvTransposeOptions) => Tensor;

/** What every convolution layer shares: weight `[out, ...kernel, in/groups]`, bias, options. */
abstract class ConvBase extends Module {
  weight: Tensor;
  bias?: Tensor;
  readonly options: ConvLayerOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernel: number[], options: ConvLayerOptions, transposed: boolean) {
    super();
    const groups = options.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`[${new.target.name}] groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const k = kernel.reduce((a, b) => a * b, 1);
    // PyTorch: U(±1/√fanIn); a transposed convolution's fan-in counts its output channels.
    const fanIn = (transposed ? outChannels : inChannels) / groups * k;
    this.weight = uniformParam([outChannels, ...kernel, inChannels / groups], fanIn);
    if (options.bias ?? true) this.bias = uniformParam([outChannels], fanIn);
    this.options = { ...options };
  }

  /** @internal The convolution `fn` of `x` with this layer's weight and bias (added inside the product on the CPU). */
  protected run(fn: ConvFn, x: Tensor): Tensor {
    const { bias: _learnsBias, ...options } = this.options;
    return fn(x, this.weight, { ...options, bias: this.bias });
  }
}

const kernelOf = (k: number | number[], n: number): number[] => (typeof k === 'number' ? Array(n).fill(k) : k);

/**
 * 1-d convolution over `[N, L, inChannels]` → `[N, L_out, outChannels]`; weight `[out, k, in/groups]`,
 * weight and bias U(±1/√(in/groups · k)) as in PyTorch.
 * @example
 * ```ts
 * new nn.Conv1d(3, 8, 3, { padding: 1 }).forward(mt.ones([2, 10, 3])).shape; // [2, 10, 8]
 * ```
 * @group Layers
 */
export class Conv1d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, [kernelSize], options, false);
  }
  forward(x: Tensor): Tensor { return this.run(conv1d, x); }
}

/**
 * 2-d convolution over `[N, H, W, inChannels]` → `[N, H_out, W_out, outChannels]`; weight `[out, kh, kw, in/groups]`.
 * @example
 * ```ts
 * new nn.Conv2d(1, 4, 3).forward(mt.ones([2, 28, 28, 1])).shape; // [2, 26, 26, 4]
 * ```
 * @group Layers
 */
export class Conv2d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelOf(kernelSize, 2), options, false);
  }
  forward(x: Tensor): Tensor { return this.run(conv2d, x); }
}

/**
 * 1-d transposed convolution over `[N, L, inChannels]`; weight `[out, k, in/groups]`,
 * U(±1/√(out/groups · k)) as PyTorch documents.
 * @example
 * ```ts
 * new nn.ConvTranspose1d(4, 2, 2, { stride: 2 }).forward(mt.ones([1, 5, 4])).shape; // [1, 10, 2]
 * ```
 * @group Layers
 */
export class ConvTranspose1d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, [kernelSize], options, true);
  }
  forward(x: Tensor): Tensor { return this.run(convTranspose1d, x); }
}

/**
 * 2-d transposed convolution over `[N, H, W, inChannels]`; weight `[out, kh, kw, in/groups]`.
 * @example
 * ```ts
 * new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }).forward(mt.ones([1, 5, 5, 4])).shape; // [1, 10, 10, 2]
 * ```
 * @group Layers
 */
export class ConvTranspose2d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelOf(kernelSize, 2), options, true);
  }
  forward(x: Tensor): Tensor { return this.run(convTranspose2d, x); }
}
