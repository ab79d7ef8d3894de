import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { internalDType } from '../../src/tensor/dtype.js';
import { native } from '../../src/tensor/native.js';
import { onGpu } from '../helpers/device.js';

describe('tensor()', () => {
  test('infers shape and dtype from nested arrays, numbers and booleans', () => {
    const x = mt.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe('float32');
    expect(x.ndim).toBe(2);
    expect(x.size).toBe(6);
    expect(x.nbytes).toBe(24);
    expect(mt.tensor(3).shape).toEqual([]);
    expect(mt.tensor(3).item()).toBe(3);
    expect(mt.tensor([true, false]).dtype).toBe('bool');
    expect(mt.tensor([]).shape).toEqual([0]);
  });
  test('takes TypedArrays with their own dtype and an optional shape', () => {
    expect(mt.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(mt.tensor(new Float64Array(6), undefined, [2, 3]).shape).toEqual([2, 3]);
    expect(() => mt.tensor(new Float32Array(5), undefined, [2, 3])).toThrow(/shape holds 6 elements but data has 5/);
  });
  test('rejects ragged and non-numeric data', () => {
    expect(() => mt.tensor([[1, 2], [3]])).toThrow(/\[tensor\] ragged nested array: \[1\] has length 1, expected length 2/);
    expect(() => mt.tensor([1, 'a' as never])).toThrow(/\[tensor\] \[1\] must be a number or boolean, got string/);
    expect(() => mt.tensor([1, 2], 'float8' as never)).toThrow(/must be a dtype name/);
  });
});

describe('Tensor', () => {
  test('prints values, shape and dtype', () => {
    expect(String(mt.tensor([[1, 2]]))).toBe('Tensor([[1,2]], shape=[1,2], dtype=float32)');
  });
  test('chains common ops as methods', () => {
    expect(mt.tensor([[1, 2], [3, 4]]).add(1).square().toArray()).toEqual([[4, 9], [16, 25]]);
    expect(mt.tensor([-1, 2]).relu().toArray()).toEqual([0, 2]);
  });
  test('dispose is idempotent and later use names the problem', () => {
    const x = mt.tensor([1]);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(String(x)).toBe('Tensor(disposed)');
    expect(() => mt.exp(x)).toThrow(/this tensor was disposed/);
  });
  test('every dtype the addon names is known, and isFloating tells the floating and complex ones', () => {
    const all: mt.DType[] = ['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64', 'complex64'];
    expect(native.dtypeNames().map(internalDType).sort()).toEqual([...all].sort());
    expect(all.filter(mt.isFloating)).toEqual(['float16', 'bfloat16', 'float32', 'float64', 'complex64']);
    for (const dtype of all) if (dtype !== 'float64' || !onGpu) expect(mt.zeros([1], dtype).dtype).toBe(dtype);
    expect(() => internalDType('float8')).toThrow(/\[dtype\] the addon names a dtype this version does not know: 'float8'/);
  });
  test('item() needs exactly one element', () => {
    expect(() => mt.tensor([1, 2]).item()).toThrow(/item: needs an array of size 1, got shape \[2\]/);
  });
});

describe('tidy, keep, dispose', () => {
  test('frees what was made inside, except the result and kept tensors', () => {
    let inner!: mt.Tensor, kept!: mt.Tensor;
    const out = mt.tidy(() => {
      inner = mt.ones([2]);
      kept = mt.keep(mt.ones([2]));
      return { y: mt.exp(inner) };
    });
    expect(inner.isDisposed).toBe(true);
    expect(kept.isDisposed).toBe(false);
    expect(out.y.isDisposed).toBe(false);
    expect(out.y.toArray()).toEqual([Math.E, Math.E].map(Math.fround));
  });
  test('nested scopes hand results to the enclosing scope', () => {
    let mid!: mt.Tensor;
    const outer = mt.tidy(() => {
      mid = mt.tidy(() => mt.ones([1]));
      expect(mid.isDisposed).toBe(false);
      return mt.zeros([1]);
    });
    expect(mid.isDisposed).toBe(true);
    expect(outer.isDisposed).toBe(false);
  });
  test('keeps the graph a returned tensor needs for backward', () => {
    const w = mt.tensor([2]).requireGrad();
    const loss = mt.tidy(() => mt.sum(mt.square(mt.multiply(w, 3))));
    loss.backward();
    expect(w.grad!.toArray()).toEqual([36]);
  });
  test('frees everything when fn throws, and refuses async functions', () => {
    let made!: mt.Tensor;
    expect(() => mt.tidy(() => { made = mt.ones([1]); throw new Error('boom'); })).toThrow('boom');
    expect(made.isDisposed).toBe(true);
    expect(() => mt.tidy((async () => mt.ones([1])) as never)).toThrow(/\[tidy\] fn returned a Promise/);
  });
  test('kept inside a scope that throws, a tensor survives; after a scope, no tensor holds its list', () => {
    let kept!: mt.Tensor, freed!: mt.Tensor, moved!: mt.Tensor;
    expect(() => mt.tidy(() => {
      kept = mt.keep(mt.ones([1]));
      freed = mt.ones([1]);
      throw new Error('boom');
    })).toThrow('boom');
    expect([kept.isDisposed, freed.isDisposed]).toEqual([false, true]);
    const outer = mt.tidy(() => {
      moved = mt.tidy(() => mt.ones([1]));
      expect(moved.owningScope).not.toBe(null); // the enclosing scope's now
      return mt.zeros([1]);
    });
    // A list left reachable from a tensor the caller holds would keep every tensor of its scope alive.
    for (const t of [kept, freed, moved, outer]) expect(t.owningScope).toBe(null);
    kept.dispose();
  });
  test('dispose() frees trees of tensors', () => {
    const t = { a: mt.ones([1]), b: [mt.ones([1])] };
    mt.dispose(t);
    expect(t.a.isDisposed && t.b[0]!.isDisposed).toBe(true);
  });
});
