import { describe, expect, test } from 'vitest';
import { test as prop } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose, flat } from '../helpers/close.js';
import { axisOf, shape } from '../helpers/arbitraries.js';

/** Distinct values (k/4, shuffled) in a random shape, and an axis: ties would break finite differences. */
const distinct = shape(1, 3).chain((s) => {
  const n = s.reduce((a, b) => a * b, 1);
  return fc.tuple(fc.constant(s), fc.shuffledSubarray([...Array(4 * n).keys()], { minLength: n, maxLength: n }), axisOf(s.length));
});
const asTensor = (s: number[], v: number[]): mt.Tensor => mt.tensor(Float64Array.from(v, (k) => k / 4 - 3), 'float64', s);

const x = mt.tensor([[3, 1, 2], [0, 5, 4]]);

describe('sort and argsort', () => {
  test('along the last axis by default, and along axis 0', () => {
    expectClose(mt.sort(x), [[1, 2, 3], [0, 4, 5]]);
    expectClose(mt.sort(x, 0), [[0, 1, 2], [3, 5, 4]]);
    expectClose(mt.argsort(x), [[1, 2, 0], [0, 2, 1]]);
    expectClose(mt.argsort(x, -2), [[1, 0, 0], [0, 1, 1]]);
  });
  test('null axis: the flattened tensor', () => {
    expectClose(mt.sort(x, null), [0, 1, 2, 3, 4, 5]);
    expectClose(mt.argsort(x, null), [3, 1, 2, 0, 5, 4]);
  });
  test('stable, NaNs last; argsort gives uint32', () => {
    const y = mt.tensor([2, NaN, 1, 2, -Infinity]);
    expectClose(mt.sort(y), [-Infinity, 1, 2, 2, NaN]);
    expectClose(mt.argsort(y), [4, 2, 0, 3, 1]);
    expect(mt.argsort(y).dtype).toBe('uint32');
  });
  test('matches MLX sort', () => {
    const y = mt.tensor([[0.5, -1, 7, 2], [3, 3, -2, 0]]);
    expectClose(mt.sort(y, 0), new mt.Tensor(native.sort(y.data, 0)));
  });
  test('the gradient goes back to where each value came from', () => {
    const g = mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.sort(t), mt.tensor([1, 10, 100]))))(mt.tensor([3, 1, 2]));
    expectClose(g as mt.Tensor, [100, 1, 10]);
  });
  test('bad axis', () => {
    expect(() => mt.sort(x, 2)).toThrow(mt.MlxError);
    expect(() => mt.argsort(x, -3)).toThrow(/argsort/);
  });
});

describe('argpartition and partition', () => {
  const y = mt.tensor([3, 1, 2, 7, 5]);
  test('the kth element is in sorted place, smaller before, larger after', () => {
    for (const kth of [0, 2, 4, -1]) {
      const p = flat(mt.partition(y, kth));
      const k = kth < 0 ? kth + 5 : kth;
      expect(p[k]).toBe([1, 2, 3, 5, 7][k]);
      p.slice(0, k).forEach((v) => expect(v).toBeLessThanOrEqual(p[k]!));
      p.slice(k + 1).forEach((v) => expect(v).toBeGreaterThanOrEqual(p[k]!));
      expectClose(mt.takeAlongAxis(y, mt.argpartition(y, kth), 0), p);
    }
  });
  test('along an axis and flattened', () => {
    expectClose(mt.partition(x, 1, 0), [[0, 1, 2], [3, 5, 4]]); // two rows: partitioning sorts them
    expect(flat(mt.partition(x, 3, null))[3]).toBe(3);
    expect(mt.argpartition(x, 1).dtype).toBe('uint32');
  });
  test('bad kth', () => {
    expect(() => mt.argpartition(y, 5)).toThrow(/\[argpartition\] Received invalid kth 5/);
    expect(() => mt.partition(y, -6)).toThrow(mt.MlxError);
  });
});

describe('topk', () => {
  const y = mt.tensor([[3, 1, 2, 7, 5], [0, 9, 8, -1, 4]]);
  test('the k largest along the last axis (in no particular order)', () => {
    const t = mt.topk(y, 2);
    expect(t.shape).toEqual([2, 2]);
    expectClose(mt.sort(t), [[5, 7], [8, 9]]);
    expectClose(mt.topk(y, 1, 0), [[3, 9, 8, 7, 5]]);
    expectClose(mt.sort(mt.topk(y, 3, null)), [7, 8, 9]);
  });
  test('the same values as MLX topk', () => {
    expectClose(mt.sort(mt.topk(y, 3)), mt.sort(new mt.Tensor(native.topk(y.data, 3, -1))));
  });
  test('the gradient reaches the picked elements only', () => {
    const g = mt.grad((t: mt.Tensor) => mt.sum(mt.topk(t, 2)))(mt.tensor([3, 1, 2, 7, 5]));
    expectClose(g as mt.Tensor, [0, 0, 0, 1, 1]);
  });
  test('bad k and axis', () => {
    expect(() => mt.topk(y, 6)).toThrow(/\[topk\] k must be an integer in \[1, 5\] for axis -1 of size 5, got 6/);
    expect(() => mt.topk(y, 0)).toThrow(RangeError);
    expect(() => mt.topk(y, 1, 2)).toThrow(/\[topk\] axis 2 is out of range for a tensor with 2 axes/);
  });
});

describe('gradients of the composites (gradcheck, random shapes)', () => {
  prop.prop([distinct], { numRuns: 20 })('sort', ([s, v, axis]) => {
    mt.tidy(() => expect(mt.gradcheck((t) => mt.sort(t, axis), [asTensor(s, v)])).toBe(true));
  });
  prop.prop([distinct, fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 20 })('partition and topk', ([s, v, axis], r) => {
    const n = s.at(axis)!, k = Math.min(n - 1, Math.floor(r * n));
    mt.tidy(() => {
      expect(mt.gradcheck((t) => mt.partition(t, k, axis), [asTensor(s, v)])).toBe(true);
      expect(mt.gradcheck((t) => mt.topk(t, k + 1, axis), [asTensor(s, v)])).toBe(true);
      expect(mt.gradcheck((t) => mt.sort(t, null), [asTensor(s, v)])).toBe(true);
    });
  });
});
