// Upsampling by interpolation, channels last: [N, ...spatial, C].
import type { Tensor } from '../tensor/tensor.js';
import { add, multiply, subtract, take, tensor } from '../tensor/ops/index.js';
import { Module } from './module.js';

/** Output positions mapped into the input axis of size n: source coordinates for m = ⌊scale·n⌋ outputs. */
function sources(n: number, scale: number, alignCorners: boolean): number[] {
  const m = Math.floor(scale * n);
  return Array.from({ length: m }, (_, i) =>
    alignCorners ? (m > 1 ? (i * (n - 1)) / (m - 1) : 0) : (i + 0.5) / scale - 0.5, // half-pixel centres
  );
}

/**
 * Scales the spatial axes (all but the first and last) by `scaleFactor`.
 * 'nearest' copies the input element at ⌊i·n/m⌋ (PyTorch's 'nearest');
 * 'linear' interpolates linearly along each axis in turn (bilinear for 2-d),
 * with half-pixel centres unless `alignCorners`.
 * @example
 * ```ts
 * const x = mt.reshape(mt.tensor([1, 2]), [1, 2, 1]);
 * new nn.Upsample(2).forward(x).toArray();                  // [[[1], [1], [2], [2]]]
 * new nn.Upsample(2, 'linear').forward(x).toArray();        // [[[1], [1.25], [1.75], [2]]]
 * ```
 * @group Layers
 */
export class Upsample extends Module {
  constructor(readonly scaleFactor: number | number[], readonly mode: 'nearest' | 'linear' = 'nearest', readonly alignCorners = false) {
    super();
  }

  forward(x: Tensor): Tensor {
    const dims = x.ndim - 2;
    if (dims < 1) throw new RangeError(`[Upsample] expected [N, ...spatial, C], got shape [${x.shape.join(',')}]`);
    const scales = typeof this.scaleFactor === 'number' ? Array(dims).fill(this.scaleFactor) : this.scaleFactor;
    if (scales.length !== dims || scales.some((s) => !(s > 0))) {
      throw new RangeError(`[Upsample] scaleFactor [${scales}] must be positive, one per spatial axis (${dims})`);
    }
    for (let d = 0; d < dims; d++) x = this.#axis(x, d + 1, scales[d]!);
    return x;
  }

  #axis(x: Tensor, axis: number, scale: number): Tensor {
    const n = x.shape[axis]!;
    const idx = (v: number[]): Tensor => tensor(Int32Array.from(v));
    if (this.mode === 'nearest') {
      const m = Math.floor(scale * n);
      return take(x, idx(Array.from({ length: m }, (_, i) => Math.min(Math.floor((i * n) / m), n - 1))), axis);
    }
    const src = sources(n, scale, this.alignCorners).map((s) => Math.min(Math.max(s, 0), n - 1));
    const lo = src.map(Math.floor), hi = src.map(Math.ceil);
    // The weights broadcast along `axis`: shape [m, 1, ..., 1].
    const w = tensor(Float32Array.from(src.map((s, i) => s - lo[i]!)), undefined, [src.length, ...Array(x.ndim - 1 - axis).fill(1)]);
    const a = take(x, idx(lo), axis), b = take(x, idx(hi), axis);
    return add(a, multiply(subtract(b, a), x.dtype === 'float32' ? w : w.astype(x.dtype)));
  }
}
