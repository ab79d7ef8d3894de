import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';

const { stratifiedSplit, subset, loadMnistDigits, mnistDigitsSplit, permutation, rng, shuffle } = mt.data;

const counts = (y: ArrayLike<number>, idx: ArrayLike<number> = Array.from({ length: y.length }, (_, i) => i)): number[] => {
  const c: number[] = [];
  for (const i of Array.from(idx)) c[y[i]!] = (c[y[i]!] ?? 0) + 1;
  return c;
};

describe('seeded randomness', () => {
  test('rng repeats for the same seeds and differs for others', () => {
    const a = rng(1, 2), b = rng(1, 2), c = rng(2, 1);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 2 ** 32 && Number.isInteger(x)).toBe(true);
  });

  test('permutation holds every index once', () => {
    const p = permutation(100, 5);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(permutation(100, 5))).toEqual(Array.from(p));
  });

  test('shuffle works on plain arrays', () => {
    expect(shuffle(['a', 'b', 'c'], rng(0)).sort()).toEqual(['a', 'b', 'c']);
  });

  test('a non-integer seed is rejected', () => {
    expect(() => rng(0.5)).toThrow('[rng] seeds must be integers, got 0.5');
  });
});

describe('stratifiedSplit', () => {
  // 10 of class 0, 30 of class 1, 60 of class 2.
  const labels = [...Array(10).fill(0), ...Array(30).fill(1), ...Array(60).fill(2)] as number[];

  test('keeps each class its share and covers every index once', () => {
    const { train, test: t } = stratifiedSplit(labels, 20, 3);
    expect(t.length).toBe(20);
    expect(counts(labels, t)).toEqual([2, 6, 12]);
    expect(counts(labels, train)).toEqual([8, 24, 48]);
    expect([...train, ...t].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(Array.from(t)).toEqual(Array.from(t).sort((a, b) => a - b));
  });

  test('settles rounding by largest remainder so the total is exact', () => {
    // shares of 7: 0.7, 2.1, 4.2 → floors 0, 2, 4 (6); the largest remainder (class 0) gets the 7th
    expect(counts(labels, stratifiedSplit(labels, 7, 0).test)).toEqual([1, 2, 4]);
  });

  test('takes a fraction', () => {
    expect(stratifiedSplit(labels, 0.1, 0).test.length).toBe(10);
  });

  test('is determined by the seed', () => {
    const a = stratifiedSplit(labels, 20, 1), b = stratifiedSplit(labels, 20, 1), c = stratifiedSplit(labels, 20, 2);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
  });

  test('rejects a test size it cannot give', () => {
    expect(() => stratifiedSplit(labels, 101)).toThrow('[stratifiedSplit] testSize 101 must be a fraction in (0, 1) or an integer in [0, 100]');
    expect(() => stratifiedSplit(labels, 2.5)).toThrow(RangeError);
  });
});

describe('subset', () => {
  const ds: mt.data.Dataset = { x: Float32Array.from([0, 1, 10, 11, 20, 21]), y: Int32Array.from([0, 1, 2]), sampleShape: [2], numClasses: 3 };

  test('copies the chosen samples in order', () => {
    const s = subset(ds, [2, 0]);
    expect(Array.from(s.x)).toEqual([20, 21, 0, 1]);
    expect(Array.from(s.y)).toEqual([2, 0]);
    expect(s.sampleShape).toEqual([2]);
  });

  test('rejects an out-of-range index', () => {
    expect(() => subset(ds, [0, 3])).toThrow('[subset] index 3 (at position 1) is out of range for 3 samples');
  });
});

describe('the mnist package digits', () => {
  const digits = loadMnistDigits();

  test('holds 10,000 28×28 images of all ten digits with pixels in [0, 1]', () => {
    expect(digits.y.length).toBe(10000);
    expect(digits.x.length).toBe(10000 * 784);
    expect(digits.sampleShape).toEqual([28, 28, 1]);
    expect(digits.numClasses).toBe(10);
    expect(counts(digits.y)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let min = Infinity, max = -Infinity;
    for (const v of digits.x) (min = Math.min(min, v)), (max = Math.max(max, v));
    expect([min, max]).toEqual([0, 1]);
  });

  test('splits 8,000 / 2,000, stratified, the same every time', () => {
    const { train, test: t } = mnistDigitsSplit();
    expect([train.y.length, t.y.length]).toEqual([8000, 2000]);
    expect(counts(t.y)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(Array.from(mnistDigitsSplit().test.x.subarray(0, 5000))).toEqual(Array.from(t.x.subarray(0, 5000)));
  });
});
