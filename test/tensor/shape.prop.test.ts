// Algebraic laws of the shape ops, on random shapes and values (float64; float32 on the GPU).
import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { sumToShape } from '../../src/autograd/sum-to-shape.js';
import { axisOf, data, shape, toTensor, valuesFor } from '../helpers/arbitraries.js';
import { expectClose } from '../helpers/close.js';
import { onGpu, widestFloat } from '../helpers/device.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A permutation of `n` axes. */
const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

describe('shape laws', () => {
  // A shape of the same size: x's axes and two 1s, shuffled, one of them maybe -1.
  const sameSize = (s: number[]): fc.Arbitrary<number[]> =>
    fc.tuple(permutation(s.length + 2), fc.boolean()).map(([p, infer]) => {
      const t = p.map((i) => [...s, 1, 1][i]!);
      if (infer) t[0] = -1;
      return t;
    });

  test.prop([data().chain((d) => fc.tuple(fc.constant(d), sameSize(d.shape)))])(
    'reshape round-trips: reshape(reshape(x, s), x.shape) == x',
    ([d, s]) => mt.tidy(() => {
      const x = toTensor(d, widestFloat);
      const y = mt.reshape(x, s);
      expect(y.size).toBe(x.size);
      expectClose(mt.reshape(y, [...x.shape]), x, { rtol: 0, atol: 0 });
    }),
  );

  test.prop([data().chain((d) => fc.tuple(fc.constant(d), permutation(d.shape.length)))])(
    'transpose by the inverse permutation is the identity',
    ([d, perm]) => mt.tidy(() => {
      const x = toTensor(d, widestFloat);
      const inverse: number[] = [];
      perm.forEach((a, i) => (inverse[a] = i));
      const y = mt.transpose(x, perm);
      expect(y.shape).toEqual(perm.map((a) => d.shape[a]));
      expectClose(mt.transpose(y, inverse), x, { rtol: 0, atol: 0 });
    }),
  );

  // Pieces that agree on every axis but `axis`.
  const pieces = shape(1).chain((s) =>
    fc.tuple(axisOf(s.length), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 })).chain(([axis, sizes]) => {
      const ax = axis < 0 ? axis + s.length : axis;
      return fc.tuple(fc.tuple(...sizes.map((n) => valuesFor(s.map((d, i) => (i === ax ? n : d))))), fc.constant(axis));
    }));

  test.prop([pieces])('split at the offsets undoes concatenate', ([ds, axis]) => mt.tidy(() => {
    const xs = ds.map((d) => toTensor(d, widestFloat));
    const ax = axis < 0 ? axis + ds[0]!.shape.length : axis;
    const offsets = ds.slice(0, -1).map((_, i) => ds.slice(0, i + 1).reduce((n, d) => n + d.shape[ax]!, 0));
    const back = mt.split(mt.concatenate(xs, axis), offsets, axis);
    expect(back.length).toBe(xs.length);
    back.forEach((p, i) => expectClose(p, xs[i]!, { rtol: 0, atol: 0 }));
  }));

  test.prop([data(-2, 2, 1).chain((d) => fc.tuple(fc.constant(d), axisOf(d.shape.length), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 })))])(
    'concatenate undoes split, at any indices',
    ([d, axis, indices]) => mt.tidy(() => {
      const x = toTensor(d, widestFloat);
      // Out-of-order indices make pieces overlap; sorted in-range ones partition the axis.
      const n = d.shape[axis < 0 ? axis + d.shape.length : axis]!;
      const cuts = indices.map((i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n)).sort((a, b) => a - b);
      expectClose(mt.concatenate(mt.split(x, cuts, axis), axis), x, { rtol: 0, atol: 0 });
    }),
  );

  test.prop([data().chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: -6, max: 6 })))])(
    'roll by -shift undoes roll by shift',
    ([d, s]) => mt.tidy(() => {
      const x = toTensor(d, widestFloat);
      expectClose(mt.roll(mt.roll(x, s), -s), x, { rtol: 0, atol: 0 });
    }),
  );

  // x's shape drops leading axes of s and has 1s in some of the others.
  const broadcastCase = shape().chain((s) =>
    fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
      .chain(([drop, ones]) => fc.tuple(valuesFor(s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))), fc.constant(s))));

  test.prop([broadcastCase])('sumToShape(broadcastTo(x, s), x.shape) == x * size(s) / size(x)', ([d, s]) => mt.tidy(() => {
    const x = toTensor(d, widestFloat);
    const back = sumToShape(mt.broadcastTo(x, s), x.shape);
    expect(back.shape).toEqual(x.shape);
    expectClose(back, mt.multiply(x, size(s) / size(d.shape)), onGpu ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 }); // float32 sums on the GPU
  }));
});
