import { expect } from 'vitest';
import { Tensor, type NestedArray } from '../../src/index.js';

/** Flattens nested arrays (or a tensor's values) to numbers; booleans become 0/1. */
export function flat(v: Tensor | NestedArray): number[] {
  const values = v instanceof Tensor ? v.toArray() : v;
  return (Array.isArray(values) ? (values as unknown[]).flat(Infinity) : [values]).map((x) => Number(x));
}

/** Asserts same shape (for a tensor given nested arrays) and values within tolerance; NaN matches NaN. */
export function expectClose(actual: Tensor | NestedArray, expected: Tensor | NestedArray, { rtol = 1e-5, atol = 1e-6 } = {}): void {
  if (actual instanceof Tensor && !(expected instanceof Tensor) && Array.isArray(expected)) {
    expect(actual.shape).toEqual(shapeOf(expected));
  }
  if (actual instanceof Tensor && expected instanceof Tensor) expect(actual.shape).toEqual(expected.shape);
  const a = flat(actual), e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((x, i) => {
    const y = e[i]!;
    if (Number.isNaN(y)) return expect(x).toBeNaN();
    if (!Number.isFinite(y)) return expect(x).toBe(y);
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      throw new Error(`element ${i}: got ${x}, expected ${y} (rtol ${rtol}, atol ${atol})\n got: ${JSON.stringify(a)}\nwant: ${JSON.stringify(e)}`);
    }
  });
}

function shapeOf(v: NestedArray): number[] {
  const shape: number[] = [];
  for (let x: NestedArray = v; Array.isArray(x); x = x[0]!) {
    shape.push(x.length);
    if (x.length === 0) break;
  }
  return shape;
}
