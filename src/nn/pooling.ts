// Pooling layers, channels last: [N, L, C] and [N, H, W, C].
import type { Tensor } from '../tensor/tensor.js';
import { avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../tensor/ops/index.js';
import { Module } from './module.js';

/**
 * 1-d max pooling over `[N, L, C]` (see {@link maxPool1d}); the stride defaults to the kernel size.
 * @example
 * ```ts
 * new nn.MaxPool1d(2).forward(mt.reshape(mt.tensor([1, 3, 2, 5]), [1, 4, 1])).toArray(); // [[[3], [5]]]
 * ```
 * @group Layers
 */
export class MaxPool1d extends Module {
  constructor(readonly kernelSize: number, readonly stride?: number, readonly padding = 0) { super(); }
  forward(x: Tensor): Tensor { return maxPool1d(x, this.kernelSize, this.stride, this.padding); }
}

/**
 * 2-d max pooling over `[N, H, W, C]` (see {@link maxPool2d}); the stride defaults to the kernel size.
 * @example
 * ```ts
 * new nn.MaxPool2d(2).forward(mt.ones([1, 28, 28, 8])).shape; // [1, 14, 14, 8]
 * ```
 * @group Layers
 */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | number[], readonly stride?: number | number[], readonly padding: number | number[] = 0) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.stride, this.padding); }
}

/**
 * 1-d average pooling over `[N, L, C]` (see {@link avgPool1d}); padding counts as zeros.
 * @example
 * ```ts
 * new nn.AvgPool1d(2).forward(mt.reshape(mt.tensor([1, 3, 2, 6]), [1, 4, 1])).toArray(); // [[[2], [4]]]
 * ```
 * @group Layers
 */
export class AvgPool1d extends Module {
  constructor(readonly kernelSize: number, readonly stride?: number, readonly padding = 0) { super(); }
  forward(x: Tensor): Tensor { return avgPool1d(x, this.kernelSize, this.stride, this.padding); }
}

/**
 * 2-d average pooling over `[N, H, W, C]` (see {@link avgPool2d}); padding counts as zeros.
 * @example
 * ```ts
 * new nn.AvgPool2d(2).forward(mt.ones([1, 4, 4, 3])).shape; // [1, 2, 2, 3]
 * ```
 * @group Layers
 */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | number[], readonly stride?: number | number[], readonly padding: number | number[] = 0) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.stride, this.padding); }
}
