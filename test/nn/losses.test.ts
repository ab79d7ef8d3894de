import { afterEach, describe, expect, test, vi } from 'vitest';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { det } from './helpers.js';

const { losses } = mt.nn;
const T = (v: mt.NestedArray) => mt.tensor(v);
const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));

describe('crossEntropy', () => {
  const logits = [[2, 0, -1], [0.5, 1.5, 0]];
  test('with class indices', () => {
    const want = logits.map((r, i) => lse(r) - r[[0, 2][i]!]!);
    const targets = mt.tensor([0, 2], 'int32');
    expectClose(losses.crossEntropy(T(logits), targets), want);
    expectClose(losses.crossEntropy(T(logits), targets, { reduction: 'mean' }), (want[0]! + want[1]!) / 2);
    expectClose(losses.crossEntropy(T(logits), targets, { reduction: 'sum' }), want[0]! + want[1]!);
    expectClose(losses.crossEntropy(T(logits), targets, { weights: T([2, 0]) }), [2 * want[0]!, 0]);
    // class axis 0
    expectClose(losses.crossEntropy(mt.transpose(T(logits)), targets, { axis: 0 }), want);
  });
  test('with probabilities', () => {
    const p = [[0.5, 0.5, 0], [0, 0, 1]];
    const want = logits.map((r, i) => lse(r) - r.reduce((a, v, j) => a + v * p[i]![j]!, 0));
    expectClose(losses.crossEntropy(T(logits), T(p)), want);
  });
  test('label smoothing mixes in the uniform distribution', () => {
    const e = 0.1, k = 3;
    const targets = [0, 2];
    const want = logits.map((r, i) => {
      const q = r.map((_, j) => (j === targets[i] ? 1 - e : 0) + e / k);
      return -r.reduce((a, v, j) => a + q[j]! * (v - lse(r)), 0);
    });
    expectClose(losses.crossEntropy(T(logits), mt.tensor(targets, 'int32'), { labelSmoothing: e }), want, { rtol: 1e-5 });
  });
  test('gradients and errors', () => {
    const t = mt.tensor([1, 0, 2], 'int32');
    expect(mt.gradcheck((x) => losses.crossEntropy(x, t, { reduction: 'mean', labelSmoothing: 0.2 }), [det([3, 3])])).toBe(true);
    expect(mt.gradcheck((x, p) => losses.crossEntropy(x, mt.softmax(p)), [det([2, 3]), det([2, 3], 5)])).toBe(true);
    expect(() => losses.crossEntropy(T(logits), mt.tensor([0, 1, 2], 'int32'))).toThrow(/\[crossEntropy\] class-index targets must have shape \[2\] for logits \[2,3\], got \[3\]/);
    expect(() => losses.crossEntropy(T(logits), mt.tensor([0, 1], 'int32'), { labelSmoothing: 1 })).toThrow(/labelSmoothing must be in \[0, 1\)/);
    expect(() => losses.crossEntropy(T(logits), mt.tensor([0, 1], 'int32'), { reduction: 'avg' as 'mean' })).toThrow(/reduction must be 'none', 'mean' or 'sum', got 'avg'/);
    expect(() => losses.crossEntropy(T(logits), mt.tensor([0, 1], 'int32'), { weights: T([1]) })).toThrow(/weights/);
    expect(() => losses.crossEntropy(T(logits), mt.tensor([0, 3], 'int32'))).toThrow(/\[crossEntropy\] index 3 is out of range for the class axis -1 of size 3/);
    // Lazy labels are evaluated for the check.
    expect(() => losses.crossEntropy(T(logits), mt.add(mt.tensor([0, 1], 'int32'), 5))).toThrow(/\[crossEntropy\] index 5 is out of range/);
    expect(() => losses.nllLoss(T(logits), mt.tensor([-4, 0], 'int32'))).toThrow(/\[nllLoss\] index -4 is out of range for the class axis -1 of size 3/);
    expect(() => losses.crossEntropy(T(logits), T([0, 1]))).toThrow(/\[crossEntropy\] indices must have an integer dtype, got float32/);
  });
});

describe('crossEntropy on the GPU: MLX\'s fused kernel', () => {
  // On a CPU-only build the GPU is pretended (MLX's fused op then builds its
  // own composition); `npm run test:gpu` runs the same on the real kernel.
  const onGpu = <R>(fn: () => R): R => {
    const device = vi.spyOn(native, 'defaultDevice').mockReturnValue('gpu');
    try {
      return fn();
    } finally {
      device.mockRestore();
    }
  };
  afterEach(() => void vi.restoreAllMocks());
  const x = [[2, 0, -1, 0.5], [0.5, 1.5, 0, -2], [-1, -1, 3, 0]];
  const labels = [3, 1, 2];
  const want = x.map((r, i) => lse(r) - r[labels[i]!]!);
  // d/dx of Σ dyᵢ·lossᵢ: (softmax(x) − onehot) · dy.
  const dy = [1, -2, 0.5];
  const wantGrad = x.map((r, i) => r.map((v, j) => (Math.exp(v - lse(r)) - (j === labels[i] ? 1 : 0)) * dy[i]!));

  test('values and the gradient, through one fused op each way', () => {
    const fused = vi.spyOn(native, 'crossEntropyFused');
    const fusedVjp = vi.spyOn(native, 'crossEntropyFusedVjp');
    const targets = mt.tensor(labels, 'int32');
    onGpu(() => {
      expectClose(losses.crossEntropy(T(x), targets), want);
      expectClose(losses.crossEntropy(T(x), mt.tensor(labels, 'uint8'), { reduction: 'mean', weights: T([1, 0, 2]) }), (want[0]! + 2 * want[2]!) / 3);
      const [, [g]] = mt.vjp((a) => losses.crossEntropy(a, targets), [T(x)], [T(dy)]);
      expectClose(g!, wantGrad, { rtol: 1e-5 });
    });
    expect(fused).toHaveBeenCalledTimes(3);
    expect(fusedVjp).toHaveBeenCalledTimes(1);
  });
  test('half-precision logits: the loss and gradient in their dtype', () => {
    const targets = mt.tensor(labels, 'int32');
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const logits = mt.astype(T(x), dtype);
      const [[loss], [g]] = onGpu(() => mt.vjp((a) => losses.crossEntropy(a, targets), [logits], [mt.astype(T(dy), dtype)]));
      expect([loss!.dtype, g!.dtype]).toEqual([dtype, dtype]);
      expectClose(mt.astype(loss!, 'float32'), want, { rtol: 2e-2, atol: 2e-2 });
      expectClose(mt.astype(g!, 'float32'), wantGrad, { rtol: 2e-2, atol: 2e-2 });
    }
  });
  test('a recorded gradient (second order) goes through differentiable ops', () => {
    const targets = mt.tensor(labels, 'int32');
    // d/dx Σ (dloss/dx)² against the same through the composition (no fused op).
    const gradNorm = (a: mt.Tensor) => mt.sum(mt.square(mt.grad((b: mt.Tensor) => losses.crossEntropy(b, targets, { reduction: 'sum' }))(a)));
    const composed = mt.grad(gradNorm)(T(x));
    const fusedVjp = vi.spyOn(native, 'crossEntropyFusedVjp');
    expectClose(onGpu(() => mt.grad(gradNorm)(T(x))), composed, { rtol: 1e-5 });
    expect(fusedVjp).not.toHaveBeenCalled();
  });
  test('what it does not take, and bad input', () => {
    const fused = vi.spyOn(native, 'crossEntropyFused');
    onGpu(() => {
      losses.crossEntropy(T(x), mt.tensor(labels, 'int32'), { labelSmoothing: 0.1 });
      losses.crossEntropy(mt.transpose(T(x)), mt.tensor(labels, 'int32'), { axis: 0 });
      losses.crossEntropy(T(x), mt.softmax(T(x)));
      expect(() => losses.crossEntropy(T(x), mt.tensor([0, 4, 1], 'int32'))).toThrow(/\[crossEntropy\] index 4 is out of range for the class axis -1 of size 4/);
    });
    expect(fused).not.toHaveBeenCalled();
    expect(() => native.crossEntropyFused(T(x).data, T(labels).data)).toThrow(
      /\[crossEntropyFused\] wants float logits \[\.\.\., classes\] and integer targets \[\.\.\.\], got float32 \[3,4\] and float32 \[3\]/);
    expect(() => native.crossEntropyFusedVjp(T(x).data, mt.tensor([1, 2], 'int32').data, T(dy).data, T(dy).data)).toThrow(/\[crossEntropyFusedVjp\] wants/);
  });
});

describe('binaryCrossEntropy and nllLoss', () => {
  test('binary cross entropy from logits and from probabilities', () => {
    const x = [-1, 0, 2], t = [0, 1, 1];
    const want = x.map((v, i) => Math.log1p(Math.exp(v)) - v * t[i]!);
    expectClose(losses.binaryCrossEntropy(T(x), T(t), { reduction: 'none' }), want);
    expectClose(losses.binaryCrossEntropy(T(x), T(t)), want.reduce((a, b) => a + b) / 3);
    const p = [0.2, 0.5, 1];
    expectClose(losses.binaryCrossEntropy(T(p), T(t), { withLogits: false, reduction: 'none' }), [-Math.log(0.8), -Math.log(0.5), 0], { atol: 1e-6 });
    expectClose(losses.binaryCrossEntropy(T([0]), T([1]), { withLogits: false, reduction: 'none' }), [100]); // log clipped at -100
    expectClose(losses.binaryCrossEntropy(T(x), T(t), { weights: T([1, 2, 0]), reduction: 'sum' }), want[0]! + 2 * want[1]!);
    expect(mt.gradcheck((a) => losses.binaryCrossEntropy(a, T(t)), [det([3])])).toBe(true);
    expect(mt.gradcheck((a) => losses.binaryCrossEntropy(mt.sigmoid(a), T(t), { withLogits: false }), [det([3])])).toBe(true);
    expect(() => losses.binaryCrossEntropy(T(x), T([1]))).toThrow(/\[binaryCrossEntropy\] inputs have shape \[3\] but targets have shape \[1\]/);
  });
  test('nllLoss picks the negative log-probability of the target', () => {
    const lp = [[-0.5, -1], [-2, -0.1]];
    expectClose(losses.nllLoss(T(lp), mt.tensor([1, 0], 'int32')), [1, 2]);
    expectClose(losses.nllLoss(T(lp), mt.tensor([1, 0], 'int32'), -1, 'mean'), 1.5);
    expect(mt.gradcheck((a) => losses.nllLoss(mt.logSoftmax(a), mt.tensor([1, 0], 'int32')), [det([2, 2])])).toBe(true);
  });
});

describe('regression losses', () => {
  const p = [0, 0, 1, -2], t = [0.5, 3, 1, 0];
  test('mseLoss and l1Loss', () => {
    expectClose(losses.mseLoss(T(p), T(t)), (0.25 + 9 + 0 + 4) / 4);
    expectClose(losses.mseLoss(T(p), T(t), 'none'), [0.25, 9, 0, 4]);
    expectClose(losses.l1Loss(T(p), T(t), 'sum'), 0.5 + 3 + 0 + 2);
    expect(mt.gradcheck((a) => losses.mseLoss(a, T([1, 2, 3])), [det([3])])).toBe(true);
    expect(mt.gradcheck((a) => losses.l1Loss(a, T([1, 2, 3])), [det([3])])).toBe(true);
    expect(() => losses.mseLoss(T(p), T([1]))).toThrow(/\[mseLoss\]/);
  });
  test('smoothL1Loss and huberLoss', () => {
    expectClose(losses.smoothL1Loss(T(p), T(t), 1, 'none'), [0.125, 2.5, 0, 1.5]);
    expectClose(losses.smoothL1Loss(T(p), T(t), 2, 'none'), [0.0625, 2, 0, 1]);
    expectClose(losses.huberLoss(T(p), T(t)), [0.125, 2.5, 0, 1.5]);
    expectClose(losses.huberLoss(T(p), T(t), 2), [0.125, 4, 0, 2]);
    expect(mt.gradcheck((a) => losses.smoothL1Loss(a, T([1, 2, 3]), 0.5), [det([3])])).toBe(true);
    expect(mt.gradcheck((a) => losses.huberLoss(a, T([1, 2, 3]), 0.5), [det([3])])).toBe(true);
  });
});

describe('distribution and embedding losses', () => {
  test('klDivLoss between log-probabilities', () => {
    const q = [0.25, 0.75], pp = [0.5, 0.5];
    const want = pp.reduce((a, v, i) => a + v * (Math.log(v) - Math.log(q[i]!)), 0);
    expectClose(losses.klDivLoss(mt.log(T([q])), mt.log(T([pp]))), [want]);
    expect(mt.gradcheck((a) => losses.klDivLoss(mt.logSoftmax(a), mt.log(T([0.2, 0.8]))), [det([2])])).toBe(true);
  });
  test('cosineSimilarityLoss', () => {
    expectClose(losses.cosineSimilarityLoss(T([[1, 0], [1, 1]]), T([[1, 1], [-2, -2]])), [Math.SQRT1_2, -1]);
    expectClose(losses.cosineSimilarityLoss(T([[0, 0]]), T([[1, 1]])), [0]);
    expect(mt.gradcheck((a, b) => losses.cosineSimilarityLoss(a, b, { reduction: 'mean' }), [det([2, 3]), det([2, 3], 9)])).toBe(true);
  });
  test('hingeLoss', () => {
    expectClose(losses.hingeLoss(T([0.5, 2, -1]), T([1, 1, 1])), [0.5, 0, 2]);
    expect(mt.gradcheck((a) => losses.hingeLoss(a, T([1, -1, 1])), [mt.tensor([0.3, 0.2, 2], 'float64')])).toBe(true);
  });
  test('tripletLoss', () => {
    const eps = 1e-6;
    const d = (v: number) => Math.sqrt(v + eps);
    expectClose(losses.tripletLoss(T([[0, 0]]), T([[0, 1]]), T([[0, 3]])), [0]);
    expectClose(losses.tripletLoss(T([[0, 0]]), T([[0, 2]]), T([[1, 1]])), [d(4) - d(2) + 1]);
    expectClose(losses.tripletLoss(T([[0, 0]]), T([[0, 2]]), T([[1, 1]]), { p: 1, margin: 0.5 }), [(2 + eps) - (2 + eps) + 0.5]);
    expect(mt.gradcheck((a, b, c) => losses.tripletLoss(a, b, c, { margin: 5 }), [det([2, 3]), det([2, 3], 2), det([2, 3], 3)])).toBe(true);
    expect(() => losses.tripletLoss(T([[0, 0]]), T([[0]]), T([[0, 0]]))).toThrow(/\[tripletLoss\] inputs have shape \[1,2\] but positives have shape \[1,1\]/);
  });
});
