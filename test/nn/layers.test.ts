// Every layer: output shape and values against the formula on small inputs,
// and gradients (input and parameters) against finite differences.
import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose, flat } from '../helpers/close.js';
import { matmulTol } from '../helpers/device.js';
import { det, gradcheckLayer } from './helpers.js';

const { nn } = mt;
const T = (v: mt.NestedArray) => mt.tensor(v);

describe('Linear, Bilinear, Identity, Sequential', () => {
  test('Linear computes x·Wᵀ + b', () => {
    const l = new nn.Linear(3, 2);
    expect(l.weight.shape).toEqual([2, 3]);
    l.update({ weight: T([[1, 0, -1], [2, 1, 0]]), bias: T([0.5, -0.5]) });
    expectClose(l.forward(T([[1, 2, 3], [0, 1, 0]])), [[-1.5, 3.5], [0.5, 0.5]]);
    expectClose(l.forward(T([1, 2, 3])), [-1.5, 3.5]);
    expect(l.forward(mt.ones([4, 5, 3])).shape).toEqual([4, 5, 2]);
    const nb = new nn.Linear(3, 2, false);
    expect(nb.bias).toBeUndefined();
    expect(nb.namedParameters().length).toBe(1);
    expect(gradcheckLayer(new nn.Linear(3, 2), [det([2, 3])])).toBe(true);
    expect(gradcheckLayer(nb, [det([2, 3])])).toBe(true);
  });

  test('Linear rejects a wrong input size', () => {
    expect(() => new nn.Linear(3, 2).forward(mt.ones([2, 4]))).toThrow(/\[linear\] x's last axis must have weight's 3 inputs, got x of shape \[2,4\]/);
  });

  test('Bilinear computes x1ᵀ·W[o]·x2 + b[o]', () => {
    const b = new nn.Bilinear(2, 3, 2);
    expect(b.weight.shape).toEqual([2, 2, 3]);
    const w = [[[1, 0, 2], [0, 1, 0]], [[0, 0, 1], [1, 1, 1]]];
    b.update({ weight: T(w), bias: T([0.5, 0]) });
    const x1 = [[1, 2]], x2 = [[3, 4, 5]];
    const want = w.map((wo, o) => wo.reduce((acc, row, i) => acc + row.reduce((a, wij, j) => a + x1[0]![i]! * wij * x2[0]![j]!, 0), 0) + [0.5, 0][o]!);
    expectClose(b.forward(T(x1), T(x2)), [want]);
    expect(b.forward(mt.ones([4, 5, 2]), mt.ones([4, 5, 3])).shape).toEqual([4, 5, 2]);
    expect(gradcheckLayer(new nn.Bilinear(2, 3, 2), [det([2, 2]), det([2, 3], 7)])).toBe(true);
  });

  test('Identity and Sequential', () => {
    const x = T([[1, -2]]);
    expect(new nn.Identity().forward(x)).toBe(x);
    const l = new nn.Linear(2, 2);
    l.update({ weight: T([[1, 0], [0, 1]]), bias: T([0, 0]) });
    const s = new nn.Sequential(l, new nn.ReLU(), (t: mt.Tensor) => mt.multiply(t, 3));
    expectClose(s.forward(x), [[3, 0]]);
    expect(gradcheckLayer(new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 1)), [det([2, 2])])).toBe(true);
  });
});

describe('convolutions (channels last)', () => {
  test('Conv1d', () => {
    const c = new nn.Conv1d(1, 1, 2);
    expect(c.weight.shape).toEqual([1, 2, 1]);
    c.update({ weight: mt.reshape(T([1, 2]), [1, 2, 1]), bias: T([0.5]) });
    expectClose(c.forward(mt.reshape(T([1, 2, 3]), [1, 3, 1])), [[[5.5], [8.5]]]);
    expect(new nn.Conv1d(3, 8, 3, { padding: 1, stride: 2 }).forward(mt.ones([2, 10, 3])).shape).toEqual([2, 5, 8]);
    expect(new nn.Conv1d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([6, 3, 2]);
    expect(gradcheckLayer(new nn.Conv1d(2, 3, 2, { padding: 1, dilation: 2 }), [det([1, 4, 2])], { float32: true })).toBe(true);
    expect(() => new nn.Conv1d(3, 4, 3, { groups: 2 })).toThrow(/\[Conv1d\] groups 2 must divide inChannels 3/);
  });

  test('Conv2d', () => {
    const c = new nn.Conv2d(1, 1, 2, { bias: false });
    c.update({ weight: mt.ones([1, 2, 2, 1]) });
    const x = mt.reshape(T([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
    expectClose(c.forward(x), [[[[12], [16]], [[24], [28]]]]);
    expect(new nn.Conv2d(1, 4, 3).forward(mt.ones([2, 28, 28, 1])).shape).toEqual([2, 26, 26, 4]);
    expect(new nn.Conv2d(2, 3, [1, 2]).weight.shape).toEqual([3, 1, 2, 2]);
    expect(gradcheckLayer(new nn.Conv2d(2, 2, 2, { stride: 2, padding: 1 }), [det([1, 3, 3, 2])], { float32: true })).toBe(true);
  });

  test('ConvTranspose1d and ConvTranspose2d', () => {
    const c = new nn.ConvTranspose1d(1, 1, 2, { stride: 2, bias: false });
    c.update({ weight: mt.reshape(T([1, 2]), [1, 2, 1]) });
    expectClose(c.forward(mt.reshape(T([1, 3]), [1, 2, 1])), [[[1], [2], [3], [6]]]);
    expect(new nn.ConvTranspose1d(4, 2, 2, { stride: 2 }).forward(mt.ones([1, 5, 4])).shape).toEqual([1, 10, 2]);
    const c2 = new nn.ConvTranspose2d(1, 1, 2, { stride: 2 });
    c2.update({ weight: mt.ones([1, 2, 2, 1]), bias: T([1]) });
    expectClose(c2.forward(mt.reshape(T([5]), [1, 1, 1, 1])), [[[[6], [6]], [[6], [6]]]]);
    expect(gradcheckLayer(new nn.ConvTranspose1d(2, 3, 3, { stride: 2, padding: 1 }), [det([1, 3, 2])], { float32: true })).toBe(true);
    expect(gradcheckLayer(new nn.ConvTranspose2d(2, 1, 2, { stride: 2 }), [det([1, 2, 2, 2])], { float32: true })).toBe(true);
  });
});

describe('pooling', () => {
  const x1 = mt.reshape(T([1, 3, 2, 5]), [1, 4, 1]);
  const x2 = mt.reshape(mt.tensor([...Array(16).keys()].map((i) => i + 1)), [1, 4, 4, 1]);
  test('MaxPool1d and AvgPool1d', () => {
    expectClose(new nn.MaxPool1d(2).forward(x1), [[[3], [5]]]);
    expectClose(new nn.AvgPool1d(2).forward(x1), [[[2], [3.5]]]);
    expectClose(new nn.MaxPool1d(2, 1).forward(x1), [[[3], [3], [5]]]);
    expect(gradcheckLayer(new nn.MaxPool1d(2, 1), [det([1, 5, 2])])).toBe(true);
    expect(gradcheckLayer(new nn.AvgPool1d(3, 2, 1), [det([1, 5, 2])])).toBe(true);
  });
  test('MaxPool2d and AvgPool2d', () => {
    expectClose(new nn.MaxPool2d(2).forward(x2), [[[[6], [8]], [[14], [16]]]]);
    expectClose(new nn.AvgPool2d(2).forward(x2), [[[[3.5], [5.5]], [[11.5], [13.5]]]]);
    expect(new nn.MaxPool2d(2).forward(mt.ones([1, 28, 28, 8])).shape).toEqual([1, 14, 14, 8]);
    expect(gradcheckLayer(new nn.MaxPool2d(2), [det([1, 4, 4, 1])])).toBe(true);
    expect(gradcheckLayer(new nn.AvgPool2d([2, 1], 1), [det([1, 3, 3, 2])])).toBe(true);
  });
});

/** Per-channel normalization of `rows` (each row one sample of C features), biased variance. */
function normRows(rows: number[][], eps = 1e-5): number[][] {
  const c = rows[0]!.length;
  const stats = [...Array(c).keys()].map((j) => {
    const col = rows.map((r) => r[j]!);
    const m = col.reduce((a, b) => a + b) / col.length;
    return [m, col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length] as const;
  });
  return rows.map((r) => r.map((v, j) => (v - stats[j]![0]) / Math.sqrt(stats[j]![1] + eps)));
}

describe('normalization', () => {
  test('BatchNorm in training uses batch statistics and updates the running ones', () => {
    const bn = new nn.BatchNorm(2);
    const x = T([[1, 2], [3, 6]]);
    expectClose(bn.forward(x), normRows([[1, 2], [3, 6]]), { rtol: 1e-4 });
    expectClose(bn.runningMean!, [0.2, 0.4]);
    expectClose(bn.runningVar!, [0.9 + 0.1 * 2, 0.9 + 0.1 * 8]); // unbiased batch variances 2 and 8
    bn.eval();
    expectClose(bn.forward(x), [[(1 - 0.2) / Math.sqrt(1.1 + 1e-5), (2 - 0.4) / Math.sqrt(1.7 + 1e-5)], [(3 - 0.2) / Math.sqrt(1.1 + 1e-5), (6 - 0.4) / Math.sqrt(1.7 + 1e-5)]], { rtol: 1e-4 });
    expectClose(bn.runningMean!, [0.2, 0.4]); // evaluation leaves them alone
  });

  test('BatchNorm over [N, H, W, C] (2d) with affine parameters, and its gradients', () => {
    const bn = new nn.BatchNorm(3);
    bn.update({ weight: T([1, 2, 3]), bias: T([0, 1, 0]) });
    const x = det([2, 2, 2, 3]);
    const rows = (mt.reshape(x, [8, 3]).toArray() as number[][]);
    const want = normRows(rows).map((r) => r.map((v, j) => v * [1, 2, 3][j]! + [0, 1, 0][j]!));
    expectClose(mt.reshape(bn.forward(x), [8, 3]), want, { rtol: 1e-4, atol: 1e-5 });
    expect(gradcheckLayer(new nn.BatchNorm(3), [det([4, 3])])).toBe(true);
    expect(gradcheckLayer(new nn.BatchNorm(2).eval(), [det([1, 2, 2, 2])])).toBe(true);
    expect(() => bn.forward(mt.ones([2, 4]))).toThrow(/\[BatchNorm\] expected an input of at least 2 axes whose last axis has 3 features, got shape \[2,4\]/);
  });

  test('BatchNorm without affine or running statistics', () => {
    const bn = new nn.BatchNorm(2, { affine: false, trackRunningStats: false });
    expect(bn.namedParameters()).toEqual([]);
    bn.eval(); // no running statistics: still the batch's
    expectClose(bn.forward(T([[1, 2], [3, 6]])), normRows([[1, 2], [3, 6]]), { rtol: 1e-4 });
  });

  test('LayerNorm over the last axis (or axes)', () => {
    const ln = new nn.LayerNorm(4);
    const s = Math.sqrt(1.25 + 1e-5);
    expectClose(ln.forward(T([[1, 2, 3, 4]])), [[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]]);
    const ln2 = new nn.LayerNorm([2, 2]);
    expectClose(ln2.forward(T([[[1, 2], [3, 4]]])), [[[-1.5 / s, -0.5 / s], [0.5 / s, 1.5 / s]]]);
    expect(gradcheckLayer(new nn.LayerNorm(3), [det([2, 3])])).toBe(true);
    expect(() => ln.forward(mt.ones([2, 3]))).toThrow(/\[LayerNorm\] expected the last axes to be \[4\]/);
  });

  test('RMSNorm', () => {
    const r = new nn.RMSNorm(2);
    const s = Math.sqrt(12.5 + 1e-5);
    expectClose(r.forward(T([[3, 4]])), [[3 / s, 4 / s]]);
    expect(gradcheckLayer(new nn.RMSNorm(3), [det([2, 3])])).toBe(true);
  });

  test('GroupNorm normalizes contiguous channel groups over all positions', () => {
    const g = new nn.GroupNorm(2, 4);
    const x = T([[[1, 2, 3, 4], [5, 6, 7, 8]]]); // [N=1, L=2, C=4]
    const group = (vals: number[]) => normRows(vals.map((v) => [v]), 1e-5).map((r) => r[0]!);
    const g0 = group([1, 2, 5, 6]), g1 = group([3, 4, 7, 8]);
    expectClose(g.forward(x), [[[g0[0]!, g0[1]!, g1[0]!, g1[1]!], [g0[2]!, g0[3]!, g1[2]!, g1[3]!]]], { rtol: 1e-4 });
    expect(gradcheckLayer(new nn.GroupNorm(2, 4), [det([2, 3, 4])])).toBe(true);
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/\[GroupNorm\] numGroups 3 must divide dims 4/);
  });

  test('InstanceNorm normalizes each sample and channel over the spatial axes', () => {
    const n = new nn.InstanceNorm(2);
    expect(n.namedParameters()).toEqual([]);
    const x = T([[[1, 10], [2, 20], [3, 60]]]); // [N=1, L=3, C=2]
    expectClose(n.forward(x), [normRows([[1, 10], [2, 20], [3, 60]])], { rtol: 1e-4 });
    expect(gradcheckLayer(new nn.InstanceNorm(2, { affine: true }), [det([2, 2, 2, 2])])).toBe(true);
    expect(() => n.forward(mt.ones([3, 2]))).toThrow(/\[InstanceNorm\]/);
  });
});

describe('dropout', () => {
  test('Dropout zeroes about p of the elements and rescales the rest in training; identity in eval', () => {
    const d = new nn.Dropout(0.25);
    const y = flat(d.forward(mt.ones([4000])));
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.2);
    expect(zeros / 4000).toBeLessThan(0.3);
    for (const v of y) if (v !== 0) expect(v).toBeCloseTo(1 / 0.75, 6);
    d.eval();
    const x = mt.ones([5]);
    expect(d.forward(x)).toBe(x);
    expect(gradcheckLayer(new nn.Dropout(0.5).eval(), [det([3])])).toBe(true);
    expect(() => new nn.Dropout(1)).toThrow(/\[Dropout\] the drop probability must be in \[0, 1\), got 1/);
  });

  test('Dropout gradient is the same mask, scaled', () => {
    const x = mt.ones([200]);
    const d = new nn.Dropout(0.5);
    const [y, [g]] = mt.vjp((t) => d.forward(t), [x], [mt.ones([200])]);
    expect(flat(g!)).toEqual(flat(y[0]!)); // y = mask·x/(1-p), dy/dx = mask/(1-p)
  });

  test('Dropout2d drops whole channels', () => {
    const d = new nn.Dropout2d(0.5);
    const y = d.forward(mt.ones([2, 3, 3, 16]));
    const v = y.toArray() as number[][][][];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 16; c++) {
      const vals = new Set(v[n]!.flatMap((row) => row.map((px) => px[c])));
      expect(vals.size).toBe(1);
      expect([0, 2]).toContain([...vals][0]);
    }
    expect(d.eval().forward(mt.ones([1, 2, 2, 1])).toArray()).toEqual([[[[1], [1]], [[1], [1]]]]);
    expect(() => d.forward(mt.ones([2, 2]))).toThrow(/\[Dropout2d\] expected \[N, H, W, C\]/);
  });
});

describe('Embedding', () => {
  test('looks up rows; asLinear multiplies by the table', () => {
    const e = new nn.Embedding(3, 2);
    e.update({ weight: T([[0, 0], [1, 2], [3, 4]]) });
    expectClose(e.forward(mt.tensor([[2, 1], [0, 2]], 'int32')), [[[3, 4], [1, 2]], [[0, 0], [3, 4]]]);
    expectClose(e.asLinear(T([[1, 1]])), [[0, 3, 7]]);
    expect(() => e.forward(mt.tensor([3], 'int32'))).toThrow(/take/);
    const idx = mt.tensor([0, 2, 2], 'int32');
    expect(gradcheckLayer(new nn.Embedding(3, 2), [idx])).toBe(true);
  });
});

describe('recurrent layers', () => {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  test('RNN: h = tanh(x·Wxhᵀ + b + h·Whhᵀ)', () => {
    const r = new nn.RNN(1, 1);
    r.update({ wxh: T([[2]]), whh: T([[0.5]]), bias: T([0.1]) });
    const h1 = Math.tanh(2.1), h2 = Math.tanh(4.1 + 0.5 * h1);
    expectClose(r.forward(T([[1], [2]])), [[h1], [h2]], matmulTol());
    expect(new nn.RNN(3, 5).forward(mt.ones([2, 7, 3])).shape).toEqual([2, 7, 5]);
    expect(gradcheckLayer(new nn.RNN(2, 3), [det([2, 3, 2])])).toBe(true);
    // Fixed weights for relu: a random draw put a pre-activation within the
    // finite-difference step of relu's kink in 2 of 300 seeds (a false failure).
    const reluRnn = new nn.RNN(2, 2, { nonlinearity: 'relu' });
    reluRnn.update({ wxh: det([2, 2], 3), whh: det([2, 2], 5), bias: det([2], 7) });
    expect(gradcheckLayer(reluRnn, [det([1, 2, 2])])).toBe(true);
  });

  test('GRU follows r, z, n gates', () => {
    const g = new nn.GRU(1, 1);
    const [wx, wh, b, bhn] = [[0.5, -1, 2], [1, 0.5, -0.5], [0.1, 0.2, 0.3], 0.4];
    g.update({ wx: T(wx.map((v) => [v])), wh: T(wh.map((v) => [v])), b: T(b), bhn: T([bhn]) });
    let h: number | undefined;
    const out = [1, -2].map((x) => {
      const xr = wx[0]! * x + b[0]!, xz = wx[1]! * x + b[1]!, xn = wx[2]! * x + b[2]!;
      const r = sig(xr + (h === undefined ? 0 : wh[0]! * h)), z = sig(xz + (h === undefined ? 0 : wh[1]! * h));
      const n = Math.tanh(xn + (h === undefined ? 0 : r * (wh[2]! * h + bhn)));
      h = (1 - z) * n + (h === undefined ? 0 : z * h);
      return [h];
    });
    expectClose(g.forward(T([[1], [-2]])), out, matmulTol());
    expect(gradcheckLayer(new nn.GRU(2, 3), [det([2, 3, 2])])).toBe(true);
  });

  test('LSTM follows i, f, g, o gates and returns hidden and cell states', () => {
    const l = new nn.LSTM(1, 1);
    const [wx, wh, b] = [[0.5, -1, 2, 1], [1, 0.5, -0.5, 0.3], [0.1, 0.2, 0.3, -0.1]];
    l.update({ wx: T(wx.map((v) => [v])), wh: T(wh.map((v) => [v])), bias: T(b) });
    let h = 0, c = 0;
    const hs: number[][] = [], cs: number[][] = [];
    for (const x of [1, -2]) {
      const z = wx.map((w, k) => w * x + b[k]! + wh[k]! * h);
      c = sig(z[1]!) * c + sig(z[0]!) * Math.tanh(z[2]!);
      h = sig(z[3]!) * Math.tanh(c);
      hs.push([h]);
      cs.push([c]);
    }
    const [H, C] = l.forward(T([[1], [-2]]));
    expectClose(H, hs, matmulTol());
    expectClose(C, cs, matmulTol());
    expect(gradcheckLayer(new nn.LSTM(2, 2), [det([1, 3, 2])])).toBe(true);
    expect(() => l.forward(T([1]))).toThrow(/\[recurrent\] expected an input of shape \[N, L, D\] or \[L, D\]/);
  });
});

/** Softmax attention of one head in JS: rows of softmax(q·kᵀ/√d + mask)·v. */
function attention(q: number[][], k: number[][], v: number[][], mask?: number[][]): number[][] {
  const d = q[0]!.length;
  return q.map((qi, i) => {
    const s = k.map((kj, j) => qi.reduce((a, x, t) => a + x * kj[t]!, 0) / Math.sqrt(d) + (mask ? mask[i]![j]! : 0));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b);
    return v[0]!.map((_, t) => e.reduce((a, w, j) => a + (w / z) * v[j]![t]!, 0));
  });
}

describe('attention', () => {
  const eye = T([[1, 0], [0, 1]]);
  const x = [[1, 0], [0, 2], [1, 1]];
  test('MultiHeadAttention with identity projections is softmax(x·xᵀ/√d)·x', () => {
    const mha = new nn.MultiHeadAttention(2, 1);
    for (const p of ['queryProj', 'keyProj', 'valueProj', 'outProj'] as const) mha[p].update({ weight: eye });
    const X = T([x]);
    expectClose(mha.forward(X, X, X), [attention(x, x, x)], matmulTol({ rtol: 1e-5 }));
    const mask = nn.MultiHeadAttention.createAdditiveCausalMask(3);
    expectClose(mha.forward(X, X, X, mask), [attention(x, x, x, mask.toArray() as number[][])], matmulTol({ rtol: 1e-5 }));
    expectClose(mt.slice(mha.forward(X, X, X, mask), [0, 0, 0], [1, 1, 2]), [[x[0]!]], matmulTol()); // the first position sees only itself
    const boolMask = mt.tensor([[true, false, false], [true, true, false], [true, true, true]]);
    expectClose(mha.forward(X, X, X, boolMask), [attention(x, x, x, mask.toArray() as number[][])], matmulTol({ rtol: 1e-5 }));
  });

  test('MultiHeadAttention splits heads and checks sizes', () => {
    const mha = new nn.MultiHeadAttention(4, 2, { keyInputDims: 3, valueInputDims: 3, valueDims: 6, valueOutputDims: 5 });
    expect(mha.forward(mt.ones([2, 4, 4]), mt.ones([2, 6, 3]), mt.ones([2, 6, 3])).shape).toEqual([2, 4, 5]);
    expect(() => new nn.MultiHeadAttention(5, 2)).toThrow(/\[MultiHeadAttention\] numHeads 2 must divide dims 5/);
    expect(gradcheckLayer(new nn.MultiHeadAttention(4, 2, { bias: true }), [det([1, 3, 4]), det([1, 2, 4], 3), det([1, 2, 4], 5)])).toBe(true);
  });

  test('TransformerEncoderLayer composes attention, norms and the MLP (pre-norm and post-norm)', () => {
    for (const normFirst of [true, false]) {
      const layer = new nn.TransformerEncoderLayer(4, 2, { mlpDims: 8, normFirst });
      const X = det([2, 3, 4]).astype('float32');
      const attn = (y: mt.Tensor) => layer.attention.forward(y, y, y);
      const mlp = (y: mt.Tensor) => layer.linear2.forward(mt.relu(layer.linear1.forward(y)));
      let want: mt.Tensor;
      if (normFirst) {
        const h = mt.add(X, attn(layer.ln1.forward(X)));
        want = mt.add(h, mlp(layer.ln2.forward(h)));
      } else {
        const h = layer.ln1.forward(mt.add(X, attn(X)));
        want = layer.ln2.forward(mt.add(h, mlp(h)));
      }
      expectClose(layer.forward(X), want, matmulTol({ rtol: 1e-5, atol: 1e-6 }));
      expect(layer.namedParameters().length).toBe(12);
    }
    // Seeded weights: with random ones, a ReLU input of the MLP now and then lies
    // within gradcheck's finite-difference step of 0, where the slope jumps.
    mt.random.seed(5);
    expect(gradcheckLayer(new nn.TransformerEncoderLayer(4, 2, { mlpDims: 4 }), [det([1, 2, 4])])).toBe(true);
  });
});

describe('Upsample', () => {
  const x1 = mt.reshape(T([1, 2]), [1, 2, 1]);
  const x2 = mt.reshape(T([1, 2, 3, 4]), [1, 2, 2, 1]);
  test('nearest', () => {
    expectClose(new nn.Upsample(2).forward(x1), [[[1], [1], [2], [2]]]);
    expectClose(mt.reshape(new nn.Upsample(2).forward(x2), [4, 4]), [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
    expectClose(mt.reshape(new nn.Upsample(1.5).forward(x1), [3]), [1, 1, 2]);
    expect(new nn.Upsample([2, 3]).forward(mt.ones([1, 2, 2, 5])).shape).toEqual([1, 4, 6, 5]);
  });
  test('linear (bilinear in 2-d), with and without aligned corners', () => {
    expectClose(new nn.Upsample(2, 'linear').forward(x1), [[[1], [1.25], [1.75], [2]]]);
    expectClose(mt.reshape(new nn.Upsample(2, 'linear').forward(x2), [4, 4]),
      [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]);
    expectClose(mt.reshape(new nn.Upsample(2, 'linear', true).forward(x1), [4]), [1, 4 / 3, 5 / 3, 2]);
    expect(gradcheckLayer(new nn.Upsample(2, 'linear'), [det([1, 3, 2, 2])])).toBe(true);
    expect(gradcheckLayer(new nn.Upsample(2), [det([1, 2, 2])])).toBe(true);
    expect(() => new nn.Upsample(2).forward(mt.ones([3]))).toThrow(/\[Upsample\] expected \[N, \.\.\.spatial, C\]/);
    expect(() => new nn.Upsample([2, 2]).forward(mt.ones([1, 3, 1]))).toThrow(/\[Upsample\] scaleFactor \[2,2\] must be positive, one per spatial axis \(1\)/);
  });
});
