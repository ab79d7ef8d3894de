import { describe, expect, test } from 'vitest';
import { test as prop } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { matmulTol, widestFloat } from '../helpers/device.js';
import { data, toTensor } from '../helpers/arbitraries.js';

const a = mt.tensor([[1, 2], [3, 4]]);
const b = mt.tensor([[5, 6], [7, 8]]);

describe('matmul', () => {
  test('2-d product', () => {
    expectClose(mt.matmul(a, b), [[19, 22], [43, 50]]);
    expectClose(a.matmul(b), [[19, 22], [43, 50]]);
  });
  test('batch axes broadcast', () => {
    const batch = mt.stack([a, mt.multiply(a, 2)]); // [2, 2, 2]
    expectClose(mt.matmul(batch, mt.tensor([[1], [1]])), [[[3], [7]], [[6], [14]]]);
  });
  test('1-d operands as NumPy: row vector, column vector, dot product', () => {
    expectClose(mt.matmul(mt.tensor([1, 1]), a), [4, 6]);
    expectClose(mt.matmul(a, mt.tensor([1, 1])), [3, 7]);
    expect(mt.matmul(mt.tensor([1, 2]), mt.tensor([3, 4])).item()).toBe(11);
  });
  test('gradients: dy·bᵀ and aᵀ·dy, batch axes summed back', () => {
    const [ga, gb] = mt.grad((x: mt.Tensor, y: mt.Tensor) => mt.sum(mt.matmul(x, y)), [0, 1])(a, b) as mt.Tensor[];
    expectClose(ga!, [[11, 15], [11, 15]]); // ones @ bᵀ
    expectClose(gb!, [[4, 4], [6, 6]]); // aᵀ @ ones
    const batch = mt.ones([3, 2, 2]);
    const gw = mt.grad((w: mt.Tensor) => mt.sum(mt.matmul(batch, w)))(a);
    expectClose(gw, [[6, 6], [6, 6]]);
    const gv = mt.grad((v: mt.Tensor) => mt.matmul(v, mt.tensor([3, 4])))(mt.tensor([1, 2]));
    expectClose(gv, [3, 4]);
    // b = transpose(w) (nn.Linear) takes the (gᵀ·a)ᵀ form: the same values.
    const c = mt.tensor([[1, 2, 3], [4, 5, 6]]), dy = mt.tensor([[1, -1], [2, 0.5]]);
    const [, [gt]] = mt.vjp((w: mt.Tensor) => mt.matmul(c, mt.transpose(w)), [mt.tensor([[1, 0, 2], [0, 3, 1]])], [dy]);
    expectClose(gt!, mt.transpose(mt.matmul(mt.transpose(c), dy)));
  });
  test('inner dimensions that do not align name both shapes', () => {
    expect(() => mt.matmul(mt.zeros([2, 3]), mt.zeros([4, 5]))).toThrow(mt.MlxError);
    expect(() => mt.matmul(mt.zeros([2, 3]), mt.zeros([4, 5]))).toThrow(/\[matmul\].*\(2,3\).*\(4,5\)/);
    expect(() => mt.matmul(mt.zeros([2, 2, 3]), mt.zeros([3, 3, 5]))).toThrow(/broadcast/);
    expect(() => mt.matmul(mt.tensor(1), a)).toThrow(/\[matmul\] Got 0 dimension input/);
    expect(() => mt.matmul(mt.tensor([[1]], 'int32'), mt.tensor([[1]], 'int32'))).toThrow(/\[matmul\] Only inexact types/);
  });
});

describe('higher-order gradients', () => {
  test('d/dw of the gradient of sum((a @ w)²) is 2 aᵀa 1', () => {
    const inner = mt.grad((w: mt.Tensor) => mt.sum(mt.square(mt.matmul(a, w))));
    expectClose(mt.grad((w: mt.Tensor) => mt.sum(inner(w)))(b), [[48, 48], [68, 68]]);
  });
  test('gradients of gradients match finite differences (matmul, tensordot, einsum)', () => {
    // float64 is CPU-only in MLX: the inputs are made there, and gradcheck runs there.
    const [x, y] = mt.withDevice('cpu', () => [mt.random.normal([2, 3], { dtype: 'float64' }), mt.random.normal([3, 2], { dtype: 'float64' })]);
    const f = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.tanh(mt.add(mt.matmul(p, q), mt.einsum('ij,ji->i', p, q))));
    const g = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.square(mt.tensordot(p, q, 1)));
    expect(mt.gradcheck((p: mt.Tensor, q: mt.Tensor) => mt.sum(mt.square((mt.grad(f, [0, 1])(p, q) as mt.Tensor[])[0]!)), [x, y])).toBe(true);
    expect(mt.gradcheck((p: mt.Tensor) => mt.grad((t: mt.Tensor) => g(t, y))(p), [x])).toBe(true);
  });
});

describe('addmm', () => {
  test('beta * c + alpha * (a @ b), c broadcast', () => {
    expectClose(mt.addmm(mt.tensor([1, 1]), a, b), [[20, 23], [44, 51]]);
    expectClose(mt.addmm(mt.tensor([1, 1]), a, b, 2, 0.5), [[38.5, 44.5], [86.5, 100.5]]);
  });
  test('gradients carry alpha and beta', () => {
    const [gc, ga] = mt.grad((c: mt.Tensor, x: mt.Tensor) => mt.sum(mt.addmm(c, x, b, 2, 3)), [0, 1])(mt.tensor([1, 1]), a) as mt.Tensor[];
    expectClose(gc!, [6, 6]); // beta, summed over the broadcast rows
    expectClose(ga!, [[22, 30], [22, 30]]);
  });
  test('bad shapes', () => {
    expect(() => mt.addmm(mt.zeros([2]), mt.zeros([2, 3]), mt.zeros([4, 2]))).toThrow(/\[addmm\].*\(2,3\).*\(4,2\)/);
    expect(() => mt.addmm(mt.zeros([3]), mt.zeros([2, 3]), mt.zeros([3, 2]))).toThrow(/broadcast/);
  });
});

describe('linear', () => {
  const w = mt.tensor([[1, 0], [1, 1], [2, -1]]); // [outputs 3, inputs 2]
  const bias = mt.tensor([0, 10, 100]);
  test('x · weightᵀ + bias over the last axis, for 1 to 3 axes', () => {
    expectClose(mt.linear(a, w, bias), [[1, 13, 100], [3, 17, 102]]);
    expectClose(mt.linear(a, w), [[1, 3, 0], [3, 7, 2]]);
    expectClose(mt.linear(mt.tensor([1, 2]), w, bias), [1, 13, 100]);
    expect(mt.linear(mt.ones([4, 5, 2]), w, bias).shape).toEqual([4, 5, 3]);
    expectClose(mt.linear(mt.stack([a, a]), w, bias), mt.stack([mt.linear(a, w, bias), mt.linear(a, w, bias)]));
  });
  test('one recorded op; its gradients against addmm over the transposed weight', () => {
    const x = mt.random.normal([2, 4, 2]);
    const viaAddmm = (p: mt.Tensor, q: mt.Tensor, r: mt.Tensor) => mt.sum(mt.square(mt.addmm(r, mt.reshape(p, [-1, 2]), mt.transpose(q))));
    const viaLinear = (p: mt.Tensor, q: mt.Tensor, r: mt.Tensor) => mt.sum(mt.square(mt.linear(p, q, r)));
    const expected = mt.grad(viaAddmm, [0, 1, 2])(x, w, bias) as mt.Tensor[];
    const got = mt.grad(viaLinear, [0, 1, 2])(x, w, bias) as mt.Tensor[];
    got.forEach((g, i) => expectClose(g, expected[i]!, { rtol: 1e-5, atol: 1e-4 }));
    const y = mt.linear(x, w.detach().requireGrad(), bias);
    expect(y.node?.op).toBe('linear');
    expect(y.node?.inputs.length).toBe(3);
  });
  test('bad shapes name the op and the shapes', () => {
    expect(() => mt.linear(a, mt.tensor([1, 2]))).toThrow(/\[linear\] weight must be 2-d \[outputs, inputs\], got shape \[2\]/);
    expect(() => mt.linear(mt.ones([2, 3]), w)).toThrow(/\[linear\] x's last axis must have weight's 2 inputs, got x of shape \[2,3\]/);
    expect(() => mt.linear(mt.tensor(1), w)).toThrow(/\[linear\] x's last axis .* got x of shape \[\]/);
    expect(() => mt.linear(a, w, mt.ones([2]))).toThrow(/\[linear\] bias must have shape \[3\], got \[2\]/);
    expect(() => mt.linear(a, w, mt.ones([1, 3]))).toThrow(/\[linear\] bias must have shape \[3\], got \[1,3\]/);
  });
});

describe('outer and inner', () => {
  test('outer flattens its operands', () => {
    expectClose(mt.outer(mt.tensor([1, 2]), mt.tensor([1, 10, 100])), [[1, 10, 100], [2, 20, 200]]);
    expect(mt.outer(a, mt.tensor([1, 2, 3])).shape).toEqual([4, 3]);
  });
  test('inner contracts the last axes; 0-d is a product', () => {
    expect(mt.inner(mt.tensor([1, 2, 3]), mt.tensor([4, 5, 6])).item()).toBe(32);
    expectClose(mt.inner(a, b), [[17, 23], [39, 53]]);
    expectClose(mt.inner(mt.tensor(2), a), [[2, 4], [6, 8]]);
  });
  test('gradients', () => {
    const g = mt.grad((x: mt.Tensor) => mt.sum(mt.outer(x, mt.tensor([1, 2, 3]))))(mt.tensor([5, 6]));
    expectClose(g, [6, 6]);
    const gi = mt.grad((x: mt.Tensor) => mt.inner(x, mt.tensor([4, 5, 6])))(mt.tensor([1, 2, 3]));
    expectClose(gi, [4, 5, 6]);
  });
  test('inner with mismatched last axes names both shapes', () => {
    expect(() => mt.inner(mt.zeros([2, 3]), mt.zeros([4]))).toThrow(RangeError);
    expect(() => mt.inner(mt.zeros([2, 3]), mt.zeros([4]))).toThrow(/\[inner\] the last axes must match, got shapes \[2,3\] and \[4\]/);
  });
  // Composites of matmul/tensordot/multiply: differentiable for free, checked here.
  prop.prop([data(-2, 2, 1, 2), data(-2, 2, 1, 2)], { numRuns: 15 })('outer: gradcheck and MLX vjp', (x, y) => {
    mt.tidy(() => {
      mt.gradcheck(mt.outer, [toTensor(x), toTensor(y)]);
      const [xs, ys] = [toTensor(x, 'float32'), toTensor(y, 'float32')];
      const ct = mt.ones([x.values.length, y.values.length]);
      const [, ours] = mt.vjp(mt.outer, [xs, ys], [ct]);
      const [, theirs] = native.mlxVjp(([p, q]) => [native.outer(p!, q!)], [xs.data, ys.data], [ct.data]);
      ours.forEach((g, i) => expectClose(g, new mt.Tensor(theirs[i]!), matmulTol({ rtol: 1e-5, atol: 1e-6 })));
    });
  });
  prop.prop([fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }), fc.integer({ min: 1, max: 3 })], { numRuns: 15 })(
    'inner: gradcheck and MLX vjp', (sa, sb, k) => {
      mt.tidy(() => {
        const rand = (s: number[]): mt.Tensor => mt.withDevice('cpu', () => mt.random.normal([...s, k], { dtype: 'float64' }));
        const [x64, y64] = [rand(sa), rand(sb)];
        mt.gradcheck(mt.inner, [x64, y64]);
        // MLX's vjp as the oracle, on the default device in its widest float.
        const [x, y] = mt.withDevice('cpu', () => [mt.astype(x64, widestFloat), mt.astype(y64, widestFloat)]);
        const out = mt.inner(x, y);
        const [, ours] = mt.vjp(mt.inner, [x, y], [mt.onesLike(out)]);
        const [, theirs] = native.mlxVjp(([p, q]) => [native.inner(p!, q!)], [x.data, y.data], [mt.onesLike(out).data]);
        ours.forEach((g, i) => expectClose(g, new mt.Tensor(theirs[i]!), matmulTol({ rtol: 1e-5, atol: 1e-6 })));
      });
    });
});

describe('tensordot', () => {
  const x = mt.reshape(mt.arange(6, 'float32'), [2, 3]);
  const y = mt.reshape(mt.arange(6, 'float32'), [3, 2]);
  test('a count of axes: the last n of a with the first n of b', () => {
    expectClose(mt.tensordot(x, y, 1), [[10, 13], [28, 40]]);
    expectClose(mt.tensordot(a, b), 70); // both axes (the default, 2)
    expect(mt.tensordot(mt.tensor([1, 2]), mt.tensor([1, 2, 3]), 0).shape).toEqual([2, 3]); // outer
  });
  test('axis lists pair axes in order; negative axes count from the end', () => {
    expectClose(mt.tensordot(x, y, [[1], [0]]), [[10, 13], [28, 40]]);
    expectClose(mt.tensordot(x, y, [[0, 1], [1, 0]]), 50); // trace(x @ y)
    expectClose(mt.tensordot(x, y, [[-1], [-2]]), [[10, 13], [28, 40]]);
  });
  test('gradient puts the contracted axes back in place', () => {
    const g = mt.grad((t: mt.Tensor) => mt.sum(mt.tensordot(t, y, [[1], [0]])))(x);
    expectClose(g, [[1, 5, 9], [1, 5, 9]]);
  });
  test('bad axes', () => {
    expect(() => mt.tensordot(mt.zeros([2, 3]), mt.zeros([4, 5]), 1)).toThrow(/\[tensordot\] a and b must have the same shape on the contracted axes/);
    expect(() => mt.tensordot(mt.zeros([2, 3]), mt.zeros([3, 5]), [[0, 1], [0]])).toThrow(/\[tensordot\] axes must have the same size/);
    expect(() => mt.tensordot(mt.zeros([2, 3]), mt.zeros([3, 5]), 3)).toThrow(/\[tensordot\] axis must be less than/);
    expect(() => mt.tensordot(mt.zeros([2, 3]), mt.zeros([3, 5]), [[5], [0]])).toThrow(/\[tensordot\] axis 5 is out of range for a of shape \[2,3\]/);
  });
});

describe('einsum', () => {
  test('products, traces, diagonals, transposes', () => {
    expectClose(mt.einsum('ij,jk->ik', a, b), [[19, 22], [43, 50]]);
    expect(mt.einsum('ii->', a).item()).toBe(5);
    expectClose(mt.einsum('ii->i', a), [1, 4]);
    expectClose(mt.einsum('ij->ji', a), [[1, 3], [2, 4]]);
    expectClose(mt.einsum('i,j->ij', mt.tensor([1, 2]), mt.tensor([3, 4])), [[3, 4], [6, 8]]);
  });
  test('implicit output: the letters used once, in alphabetical order', () => {
    expectClose(mt.einsum('ij,jk', a, b), [[19, 22], [43, 50]]);
    expectClose(mt.einsum('ba', a), [[1, 3], [2, 4]]);
    expect(mt.einsum('ii', a).item()).toBe(5);
  });
  test('ellipsis and broadcasting', () => {
    const batch = mt.stack([a, b]);
    expectClose(mt.einsum('...ij,...jk->...ik', batch, mt.reshape(mt.eye(2), [1, 2, 2])), [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expectClose(mt.einsum('ij,ij->ij', mt.tensor([[1, 2]]), a), [[1, 4], [3, 8]]);
  });
  test('gradients: trace gives the identity, diagonals only the diagonal', () => {
    expectClose(mt.grad((t: mt.Tensor) => mt.einsum('ii->', t))(a), [[1, 0], [0, 1]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.multiply(mt.einsum('ii->i', t), mt.tensor([2, 3]))))(a), [[2, 0], [0, 3]]);
    expectClose(mt.grad((t: mt.Tensor) => mt.einsum('ij->', t))(a), [[1, 1], [1, 1]]);
  });
  test('bad subscripts', () => {
    expect(() => mt.einsum('ij,jk->ik', a)).toThrow(/\[einsum\] Number of operands, 1, does not match number of input subscripts, 2/);
    expect(() => mt.einsum('i1->i', a)).toThrow(/\[einsum\] Subscripts must be letters, but got '1'/);
    expect(() => mt.einsum('ij->ik', a)).toThrow(RangeError);
    expect(() => mt.einsum('ij->ik', a)).toThrow(/\[einsum\] output subscript 'k' does not appear in any input of 'ij->ik'/);
    expect(() => mt.einsum('ij->ii', a)).toThrow(/\[einsum\] Repeat indices not allowed in output/);
    expect(() => mt.einsum('ijk->i', a)).toThrow(/\[einsum\] Invalid number of subscripts 3 for input 0 with 2 dimensions/);
    expect(() => mt.einsum('ij,jk->ik', mt.zeros([2, 3]), mt.zeros([2, 3]))).toThrow(/\[einsum\] Cannot broadcast dimension 0 of input 1 with shape \(2,3\)/);
    expect(() => mt.einsum('ii->i', mt.zeros([2, 3]))).toThrow(/\[einsum\] Dimensions of repeated subscripts do not have the same size \(2 != 3\)/);
    expect(() => mt.einsum('->')).toThrow(/\[einsum\] At least one operand is required/);
  });
});
