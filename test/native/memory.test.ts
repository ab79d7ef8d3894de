import { expect, test } from 'vitest';
import * as mt from '../../src/index.js';

const data = new Float32Array(256).fill(1);

/** MLX's active bytes once its buffer cache is emptied. */
function active(): number {
  mt.clearCache();
  return mt.memoryStats().active;
}

test('100k create/dispose cycles leave MLX active memory where it started', () => {
  // Warm up once so lazily made process-wide buffers are not counted as a leak.
  for (let i = 0; i < 100; i++) {
    const t = mt.tensor(data);
    const u = mt.add(t, 1).eval();
    t.dispose();
    u.dispose();
  }
  const before = active();
  let peak = 0;
  for (let i = 0; i < 100_000; i++) {
    const t = mt.tensor(data); // copied into an MLX buffer at once
    const u = mt.add(t, 1).eval(); // and one more buffer made by an op
    if (i === 50_000) peak = mt.memoryStats().active;
    t.dispose();
    u.dispose();
  }
  expect(peak).toBeGreaterThan(before); // the loop did hold arrays
  expect(active()).toBe(before);
}, 30_000);

test('tidy frees what a step made: 10k steps leave active memory where it started', () => {
  const w = mt.tensor(data);
  const before = active();
  for (let i = 0; i < 10_000; i++) {
    mt.tidy(() => {
      mt.sum(mt.multiply(mt.add(w, i), w)).eval();
    });
  }
  expect(active()).toBe(before);
  w.dispose();
});

test('a disposed array gives its bytes back at once', () => {
  const before = active();
  const t = mt.zeros([1024, 1024]).eval();
  expect(mt.memoryStats().active - before).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  t.dispose();
  expect(active()).toBe(before);
});
