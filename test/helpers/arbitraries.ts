// fast-check arbitraries for gradient properties: small shapes, bounded values.
import fc from 'fast-check';
import { tensor, type Tensor } from '../../src/index.js';

/** A shape of at most `maxDims` axes of size 1..`maxSize` (size-1 axes included). */
export const shape = (minDims = 0, maxDims = 3, maxSize = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxSize }), { minLength: minDims, maxLength: maxDims });

/** Plain data for one tensor: its shape and values (kept as data so each test makes its own tensors). */
export interface Data {
  shape: number[];
  values: number[];
}

/** Values for a given shape, in [min, max], well away from NaN and infinities. */
export const valuesFor = (s: number[], min = -2, max = 2): fc.Arbitrary<Data> =>
  fc.array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), {
    minLength: s.reduce((a, b) => a * b, 1),
    maxLength: s.reduce((a, b) => a * b, 1),
  }).map((values) => ({ shape: s, values }));

/** A tensor's data of a random shape with values in [min, max]. */
export const data = (min = -2, max = 2, minDims = 0, maxDims = 3): fc.Arbitrary<Data> =>
  shape(minDims, maxDims).chain((s) => valuesFor(s, min, max));

/** Two shapes that broadcast together: the second drops leading axes and sets some to 1. */
export const broadcastPair = (): fc.Arbitrary<[number[], number[]]> =>
  shape(0, 3).chain((s) =>
    fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.boolean())
      .map(([drop, ones, swap]) => {
        const t = s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
        return (swap ? [t, s] : [s, t]) as [number[], number[]];
      }));

/** Two tensors' data of broadcast-compatible shapes. */
export const binaryData = (min = -2, max = 2): fc.Arbitrary<[Data, Data]> =>
  broadcastPair().chain(([a, b]) => fc.tuple(valuesFor(a, min, max), valuesFor(b, min, max)));

/** An axis of a shape of `ndim` axes, negative half of the time. */
export const axisOf = (ndim: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: Math.max(0, ndim - 1) }).chain((a) => fc.constantFrom(a, a - ndim));

/** A tensor from data, float64 by default (MLX's CPU backend has float64). */
export const toTensor = (d: Data, dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor(Float64Array.from(d.values), dtype, d.shape);
