// Test helpers for layers: gradcheck through a module's inputs and parameters, in float64 on the CPU.
import * as mt from '../../src/index.js';
import { widestFloat } from '../helpers/device.js';

const { nn } = mt;

/**
 * Converts `m` to float64, then gradchecks `m.forward(...inputs)` with respect
 * to the floating inputs and every trainable parameter, on the CPU whatever the
 * default device (MLX's float64 is CPU-only; gradcheck does the same). A layer
 * that returns several tensors is checked on all of them. With `float32`, the
 * layer computes in float32 (MLX's CPU convolutions have no float64 kernel for
 * every case), with looser tolerances.
 */
export function gradcheckLayer(m: mt.nn.Module, inputs: mt.Tensor[], options: mt.GradcheckOptions & { float32?: boolean } = {}): boolean {
  const { float32 = false, ...tol } = options;
  return mt.withDevice('cpu', () => {
    const cast = (t: mt.Tensor): mt.Tensor => (float32 && mt.isFloating(t.dtype) ? mt.astype(t, 'float32') : t);
    m.apply((p) => (mt.isFloating(p.dtype) ? mt.astype(p, 'float64').detach() : p));
    const named = m.namedTrainableParameters();
    const xs = inputs.map((x) => (mt.isFloating(x.dtype) ? mt.astype(x, 'float64') : x));
    const fn = (...args: mt.Tensor[]): mt.Tensor => {
      const ps = args.slice(xs.length).map(cast);
      m.update(nn.unflattenNamed(named.map(([n], i) => [n, ps[i]!])));
      const out: mt.Tensor | mt.Tensor[] = m.forward(...args.slice(0, xs.length).map(cast));
      const all = Array.isArray(out) ? mt.concatenate(out.map((o) => mt.reshape(o, [-1]))) : out;
      return mt.astype(all, 'float64');
    };
    const defaults = float32 ? { rtol: 1e-2, atol: 1e-2 } : { rtol: 1e-3, atol: 1e-4 };
    return mt.gradcheck(fn, [...xs, ...named.map(([, p]) => p.detach())], { ...defaults, ...tol });
  });
}

/** A tensor of the given shape with deterministic values in [-1, 1]: float64 on the CPU, float32 on the GPU. */
export function det(shape: number[], seed = 1): mt.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  return mt.tensor(v, widestFloat, shape);
}
