// Containers of modules.
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Applies its layers in order, each to the previous one's output. Layers
 * are named `layers.0`, `layers.1`, ... in the parameter tree (as MLX's).
 * A plain function may stand in for a parameterless layer.
 * @example
 * ```ts
 * const mlp = new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Linear(8, 1));
 * mlp.forward(mt.ones([4, 2])).shape; // [4, 1]
 * ```
 * @group Layers
 */
export class Sequential extends Module {
  /** The layers, in order. */
  layers: (Module | ((x: Tensor) => Tensor))[];

  constructor(...layers: (Module | ((x: Tensor) => Tensor))[]) {
    super();
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = layer instanceof Module ? layer.forward(x) : layer(x);
    return x;
  }
}
