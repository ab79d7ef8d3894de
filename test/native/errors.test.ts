import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { gc } from '../helpers/gc.js';

/** The error `fn` throws (fails the test if it throws nothing). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('MLX errors arrive as MlxError with a code', () => {
  test('MLX_INVALID_ARGUMENT, with MLX\'s own [op] message', () => {
    const e = thrown(() => mt.add(mt.zeros([2, 2]), mt.zeros([3])));
    expect(e).toBeInstanceOf(mt.MlxError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('MlxError');
    expect(e.code).toBe('MLX_INVALID_ARGUMENT');
    expect(e.message).toMatch(/^\[broadcast_shapes\] Shapes \(2,2\) and \(3\) cannot be broadcast/);
    expect(thrown(() => mt.reshape(mt.zeros([4]), [3])).code).toBe('MLX_INVALID_ARGUMENT');
  });

  test('MLX_OUT_OF_RANGE', () => {
    const e = thrown(() => mt.sum(mt.zeros([2]), 3));
    expect(e).toBeInstanceOf(mt.MlxError);
    expect(e.code).toBe('MLX_OUT_OF_RANGE');
    expect(e.message).toMatch(/^\[sum\] axis 3 is out of range/);
  });

  test('MLX_OUT_OF_MEMORY and MLX_RUNTIME', () => {
    expect(thrown(() => mt.zeros([1e6, 1e6])).code).toBe('MLX_OUT_OF_MEMORY');
    const e = thrown(() => mt.load('/nonexistent/file.npy'));
    expect(e).toBeInstanceOf(mt.MlxError);
    expect(e.code).toBe('MLX_RUNTIME');
  });

  test('the process carries on after an error', () => {
    expect(() => mt.add(mt.zeros([2]), mt.zeros([3]))).toThrow();
    expect(mt.add(mt.ones([2]), 1).toArray()).toEqual([2, 2]);
  });
});

describe('a non-array where an array belongs is a TypeError naming op and argument', () => {
  test.each([
    ['a plain object', {}, /exp: argument 'a' must be an MLX array, got an object/],
    ['undefined', undefined, /exp: argument 'a' must be an MLX array, got undefined/],
    ['a number', 3, /exp: argument 'a' must be an MLX array, got 3/],
    ['a string', 'x', /exp: argument 'a' must be an MLX array, got 'x'/],
    ['a JS array', [1, 2], /exp: argument 'a' must be an MLX array, got an array of length 2/],
    ['a function', () => 0, /exp: argument 'a' must be an MLX array, got a function/],
  ])('native op given %s', (_what, value, message) => {
    expect(() => native.exp(value as unknown as NativeArray)).toThrow(TypeError);
    expect(() => native.exp(value as unknown as NativeArray)).toThrow(message);
  });

  test('second arguments and list elements are named too', () => {
    const a = mt.ones([2]).data;
    expect(() => native.add(a, 'x' as unknown as NativeArray)).toThrow(/add: argument 'b' must be an MLX array or a number, got 'x'/);
    expect(() => native.eval([a, {} as NativeArray])).toThrow(/eval: argument 'arrays'\[1\] must be an MLX array, got an object/);
    expect(() => native.reshape(a, 'x' as unknown as number[])).toThrow(/reshape: argument 'shape' must be an array, got 'x'/);
  });

  test('a non-Tensor through the TS layer is a TypeError naming the op', () => {
    expect(() => mt.exp({} as mt.Tensor)).toThrow(TypeError);
    expect(() => mt.exp({} as mt.Tensor)).toThrow(/exp: argument 'a'/);
  });

  test('dispose of a non-array is a TypeError', () => {
    expect(() => native.dispose({} as NativeArray)).toThrow(/dispose: expected an MLX array, got an object/);
  });
});

describe('dispose', () => {
  test('is idempotent on tensors and handles', () => {
    const t = mt.ones([3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dispose()).not.toThrow();
    const h = native.fromTypedArray(new Float32Array(2), [2], 'float32');
    expect(native.dispose(h)).toBe(true);
    expect(native.dispose(h)).toBe(false);
    const both = [mt.ones([1]), mt.ones([1])];
    mt.dispose(both);
    mt.dispose(both);
    expect(both.every((x) => x.isDisposed)).toBe(true);
  });

  test('a disposed tensor gives a clear error wherever it is used', () => {
    const t = mt.ones([3]);
    t.dispose();
    expect(() => t.toArray()).toThrow(/\[tensor\] this tensor was disposed/);
    expect(() => mt.exp(t)).toThrow(/disposed/);
    expect(() => mt.add(mt.ones([3]), t)).toThrow(/disposed/);
    expect(t.toString()).toBe('Tensor(disposed)');
  });

  test('a disposed handle passed to a native op is an error naming op and argument', () => {
    const h = native.fromTypedArray(new Float32Array(2), [2], 'float32');
    native.dispose(h);
    expect(() => native.exp(h)).toThrow(/exp: argument 'a' is an array that was already disposed/);
  });

  test('10,000 handles alive at once (the table grows by chunks of 4,096) keep their arrays; freed slots are reused, their old handles stale', () => {
    gc(); // earlier tests' garbage is finalized now, not while the counts below are taken
    const before = native.handleCount();
    const handles = Array.from({ length: 10_000 }, (_, i) => native.fromTypedArray(Float32Array.of(i), [1], 'float32'));
    expect(native.handleCount() - before).toBe(10_000);
    for (const i of [0, 4095, 4096, 8191, 8192, 9999]) expect(native.item(handles[i]!)).toBe(i);
    for (let i = 0; i < handles.length; i += 2) native.dispose(handles[i]!);
    const reused = Array.from({ length: 5_000 }, () => native.fromTypedArray(Float32Array.of(-1), [1], 'float32'));
    expect(native.handleCount() - before).toBe(10_000);
    expect(() => native.exp(handles[4096]!)).toThrow(/exp: argument 'a' is an array that was already disposed/);
    expect(native.item(handles[4097]!)).toBe(4097);
    for (const h of [...handles.filter((_, i) => i % 2), ...reused]) native.dispose(h);
    expect(native.handleCount()).toBe(before);
  });

  test('disposeKeys frees in-scope handles in one call, skips stale ones, refuses anything else', () => {
    native.inScope(true);
    let keys: bigint[];
    try {
      keys = [native.fromTypedArray(new Float32Array(2), [2], 'float32'), native.fromTypedArray(new Float32Array(2), [2], 'float32')] as unknown as bigint[];
    } finally {
      native.inScope(false);
    }
    const before = native.handleCount();
    native.dispose(keys[0] as unknown as NativeArray); // stale by the time disposeKeys sees it
    native.disposeKeys(BigUint64Array.from(keys));
    expect(native.handleCount()).toBe(before - 2);
    expect(() => native.exp(keys[1] as unknown as NativeArray)).toThrow(/already disposed/);
    expect(() => native.disposeKeys([1n] as unknown as BigUint64Array)).toThrow(/disposeKeys: expected a BigUint64Array, got/);
    expect(() => native.disposeKeys(BigUint64Array.of(42n))).toThrow(/disposeKeys: element 0 is not an MLX array's key/);
  });

  test('a tidy scope frees what it and its inner scopes made, all but its result and kept tensors', () => {
    const before = native.handleCount();
    let kept!: mt.Tensor, inner!: mt.Tensor, dropped!: mt.Tensor;
    const out = mt.tidy(() => {
      dropped = mt.exp(mt.ones([2]));
      kept = mt.keep(mt.ones([2]));
      inner = mt.tidy(() => mt.add(mt.ones([2]), 1));
      return mt.multiply(inner, 2);
    });
    expect([dropped.isDisposed, inner.isDisposed, kept.isDisposed, out.isDisposed]).toEqual([true, true, false, false]);
    expect(out.toArray()).toEqual([4, 4]); // MLX's graph still holds inner's array
    expect(kept.toArray()).toEqual([1, 1]);
    mt.dispose([out, kept]);
    expect(native.handleCount()).toBe(before);
  });

  test('other handles sharing the data live on', () => {
    const a = mt.tensor([1, 2]);
    const b = mt.add(a, 1);
    a.dispose();
    expect(b.toArray()).toEqual([2, 3]);
  });
});

describe('bad shapes', () => {
  test.each([
    [[NaN], TypeError, /full: argument 'shape'\[0\] must be an integer, got NaN/],
    [[2, 1.5], TypeError, /full: argument 'shape'\[1\] must be an integer, got 1.5/],
    [[Infinity], RangeError, /full: argument 'shape'\[0\] is out of range: Infinity/],
    [[2 ** 31], RangeError, /full: argument 'shape'\[0\] is out of range: 2147483648/],
    [[-3], mt.MlxError, /\[full\] Negative dimensions not allowed/],
    ['3', TypeError, /full: argument 'shape' must be an array, got '3'/],
  ])('zeros(%j)', (shape, cls, message) => {
    expect(() => mt.zeros(shape as number[])).toThrow(cls);
    expect(() => mt.zeros(shape as number[])).toThrow(message);
  });

  test('shape arguments of other ops are checked the same way', () => {
    expect(() => mt.reshape(mt.zeros([4]), [NaN, 2])).toThrow(/reshape: argument 'shape'\[0\] must be an integer, got NaN/);
    expect(() => mt.broadcastTo(mt.zeros([1]), [-2])).toThrow(mt.MlxError);
    expect(() => mt.random.normal([0.5])).toThrow(/randomNormal: argument 'shape'\[0\] must be an integer/);
  });
});

describe('huge allocations are errors, not crashes', () => {
  test('more bytes than MLX\'s memory limit', () => {
    const e = thrown(() => mt.zeros([1e6, 1e6]).eval());
    expect(e).toBeInstanceOf(mt.MlxError);
    expect(e.code).toBe('MLX_OUT_OF_MEMORY');
    expect(e.message).toMatch(/\[array\] an array of shape \[1000000,1000000\] and dtype float32 needs 4000000000000 bytes, more than MLX's memory limit/);
  });

  test('element counts that overflow 32 and 64 bits', () => {
    expect(() => mt.ones([65536, 65536, 65536])).toThrow(/needs 1125899906842624 bytes/);
    expect(() => mt.ones([2 ** 31 - 1, 2 ** 31 - 1, 4])).toThrow(/needs over 2\^64 bytes/);
    expect(() => mt.full([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], 1, 'int64')).toThrow(mt.MlxError);
  });

  test('results of other ops are checked too', () => {
    expect(() => mt.broadcastTo(mt.ones([1]), [1e6, 1e6])).toThrow(/MLX's memory limit/);
    expect(() => mt.random.uniform([1e6, 1e6])).toThrow(/MLX's memory limit/);
    expect(() => mt.tensor(new Float32Array(4), undefined, [2 ** 31 - 1, 2 ** 31 - 1, 4])).toThrow(RangeError);
  });

  test('and the process works afterwards', () => {
    expect(() => mt.zeros([1e6, 1e6])).toThrow();
    expect(mt.sum(mt.ones([1000, 1000])).item()).toBe(1e6);
  });
});
