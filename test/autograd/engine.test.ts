import { describe, expect, test, vi } from 'vitest';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { memorySlack, onGpu, widestFloat } from '../helpers/device.js';
import { gc } from '../helpers/gc.js';

const leaf = (values: mt.NestedArray) => mt.tensor(values).requireGrad();

describe('backward()', () => {
  test('fills the .grad of leaves, hand-computed', () => {
    const w = leaf([[1, 2], [3, 4]]);
    const b = leaf([1, -1]);
    // y = sum((w * w + b) * 2): dy/dw = 4w, dy/db = 2 per row, summed over 2 rows
    mt.sum(mt.multiply(mt.add(mt.multiply(w, w), b), 2)).backward();
    expectClose(w.grad!, [[4, 8], [12, 16]]);
    expectClose(b.grad!, [4, 4]);
  });

  test('accumulates over several calls until zeroGrad', () => {
    const w = leaf([1, 2]);
    mt.sum(mt.multiply(w, 3)).backward();
    mt.sum(mt.multiply(w, 3)).backward();
    expectClose(w.grad!, [6, 6]);
    w.zeroGrad();
    expect(w.grad).toBeNull();
    mt.sum(w).backward();
    expectClose(w.grad!, [1, 1]);
  });

  test('fan-out: a tensor used twice gets both contributions', () => {
    const x = leaf([3]);
    mt.sum(mt.multiply(x, x)).backward();
    expectClose(x.grad!, [6]);
  });

  test('takes an upstream gradient for non-scalar outputs, and refuses to guess one', () => {
    const x = leaf([1, 2]);
    const y = mt.multiply(x, x);
    expect(() => y.backward()).toThrow(/\[backward\] a tensor of shape \[2\] needs an explicit gradient/);
    y.backward(mt.tensor([1, 10]));
    expectClose(x.grad!, [2, 40]);
    expect(() => mt.multiply(x, 2).backward(mt.tensor([1, 2, 3]))).toThrow(/gradient has shape \[3\], expected \[2\]/);
  });

  test('retainGrad keeps a non-leaf gradient; hooks can rewrite gradients', () => {
    const x = leaf([1, 2]);
    const h = mt.multiply(x, 2).retainGrad();
    const seen: number[][] = [];
    h.registerHook((g) => { seen.push(g.toArray() as number[]); return mt.multiply(g, 10); });
    mt.sum(mt.square(h)).backward();
    expectClose(h.grad!, [40, 80]); // as in PyTorch, .grad holds the gradient after the hooks
    expect(seen).toEqual([[4, 8]]);
    expectClose(x.grad!, [80, 160]); // 10 × 2 × 2h
  });

  test("a hook may run a backward pass of its own through the running pass's graph", () => {
    const w = leaf([5, 6]);
    const x = leaf([1, 2]);
    const h = mt.multiply(x, 3);
    const y = mt.sum(mt.add(mt.multiply(w, x), mt.square(h))); // dy/dx = w + 18x, dy/dw = x
    const side = mt.sum(mt.multiply(h, h)); // d(side)/dx = 18x, into the same x.grad
    let ran = false;
    // The inner pass orders x and h differently; the outer one must still
    // send h's gradient to x, not to w.
    h.registerHook(() => {
      if (ran) return; // the inner pass reaches h too
      ran = true;
      side.backward(undefined, { retainGraph: true });
    });
    y.backward();
    expectClose(x.grad!, [5 + 18 + 18, 6 + 36 + 36]);
    expectClose(w.grad!, [1, 2]);
    // Both passes are over: another over the same leaves starts afresh.
    x.grad = null;
    mt.sum(mt.multiply(x, w)).backward();
    expectClose(x.grad!, [5, 6]);
  });

  test('frees the graph unless retainGraph, with a clear error on a second pass', () => {
    const x = leaf([1]);
    const y = mt.sum(mt.exp(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expectClose(x.grad!, [2 * Math.E], { rtol: 1e-6 });
    expect(() => y.backward()).toThrow(/graph through 'sum' was freed by an earlier backward\(\)/);
  });

  test('errors on a tensor that needs no grad, and on a disposed input', () => {
    expect(() => mt.sum(mt.tensor([1])).backward()).toThrow(/does not require grad/);
    const w = leaf([1, 3, 2]);
    expect(() => mt.sum(mt.astype(mt.argmax(w), 'float32')).backward()).toThrow(/only non-differentiable ops \(argmax/);
    const x = leaf([1, 2]);
    const h = mt.exp(x);
    const y = mt.sum(mt.multiply(h, h));
    h.dispose();
    expect(() => y.backward()).toThrow(/input 0 of 'multiply' was disposed before backward/);
  });

  test('integer and boolean outputs carry no gradient', () => {
    const x = leaf([1.5, -2]);
    expect(mt.astype(x, 'int32').requiresGrad).toBe(false);
    expect(mt.greater(x, 0).requiresGrad).toBe(false);
    expect(mt.withDevice('cpu', () => mt.astype(x, 'float64')).requiresGrad).toBe(true); // float64 is CPU-only in MLX
  });

  test('noGrad, enableGrad, stopGradient and detach cut recording', () => {
    const x = leaf([2]);
    expect(mt.noGrad(() => mt.multiply(x, x)).requiresGrad).toBe(false);
    expect(mt.noGrad(() => mt.enableGrad(() => mt.multiply(x, x))).requiresGrad).toBe(true);
    expect(mt.stopGradient(x).requiresGrad).toBe(false);
    const y = mt.sum(mt.multiply(x, x.detach()));
    y.backward();
    expectClose(x.grad!, [2]);
  });
});

test('backward builds no cotangent for an input that takes no gradient (data into a linear or conv layer)', () => {
  // Native products made by the backward pass of one layer, with and without the input's gradient.
  const backwardCalls = (op: 'matmul' | 'convGeneral' | 'col2im', layer: (x: mt.Tensor) => mt.Tensor, x: mt.Tensor): number => {
    const y = layer(x);
    const spy = vi.spyOn(native, op);
    mt.sum(y).backward();
    const n = spy.mock.calls.length;
    spy.mockRestore();
    return n;
  };
  const linear = new mt.nn.Linear(3, 2), conv = new mt.nn.Conv2d(1, 2, 3);
  const x = mt.random.normal([4, 3]), img = mt.random.normal([1, 5, 5, 1]);
  expect(backwardCalls('matmul', (v) => linear.forward(v), x)).toBe(1); // dW only
  expect(backwardCalls('matmul', (v) => linear.forward(v), x.detach().requireGrad())).toBe(2); // dW and dx
  // dx: a matmul and the CPU's overlap-add kernel, or a flipped convolution on the GPU.
  const dxOp = mt.defaultDevice() === 'cpu' ? 'col2im' : 'convGeneral';
  expect(backwardCalls('convGeneral', (v) => conv.forward(v), img)).toBe(0); // dW by im2col + matmul
  expect(backwardCalls(dxOp, (v) => conv.forward(v), img)).toBe(0);
  expect(backwardCalls(dxOp, (v) => conv.forward(v), img.detach().requireGrad())).toBe(1);
});

test("a conv's weight gradient reuses the forward's im2col rows, or makes them again once their scope has ended", () => {
  const im2colCalls = (run: () => void): number => {
    const spy = vi.spyOn(native, 'im2col');
    run();
    const n = spy.mock.calls.length;
    spy.mockRestore();
    return n;
  };
  const x = mt.random.normal([2, 5, 5, 2]), w = mt.random.normal([3, 3, 3, 2]).requireGrad();
  const forward = (): mt.Tensor => mt.conv2d(x, w, { padding: 1 });
  // The CPU's float32 forward is im2col + matmul; the GPU's is MLX's convolution, so there the rule makes the rows.
  const cpu = mt.defaultDevice() === 'cpu' ? 1 : 0;
  let y!: mt.Tensor;
  expect(im2colCalls(() => { y = forward(); })).toBe(cpu);
  expect(im2colCalls(() => mt.sum(y).backward())).toBe(1 - cpu);
  const reused = w.grad!;
  w.grad = null;
  y = mt.tidy(forward); // the rows were freed with the scope; y and its graph were kept
  expect(im2colCalls(() => mt.sum(y).backward())).toBe(1);
  expectClose(w.grad!, reused);
  // MLX's own vjp of its convolution.
  const [, [theirs]] = native.mlxVjp(([v]) => [native.convGeneral(x.data, v!, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], 1, false)], [w.data], [mt.onesLike(y).data]);
  expectClose(reused, new mt.Tensor(theirs!), { rtol: 1e-4, atol: 1e-4 });
});

test("a one-channel conv's forward and weight gradient take the narrow product on the CPU, with MLX's values", () => {
  // 3x3 windows over one channel: im2col rows 9 wide (native.matmulNarrow, native/src/kernels.cc).
  const x = mt.random.normal([3, 7, 6, 1]), w = mt.random.normal([5, 3, 3, 1]).requireGrad();
  const spy = vi.spyOn(native, 'matmulNarrow');
  const y = mt.conv2d(x, w, { padding: 1, stride: [1, 2] });
  const forwardCalls = spy.mock.calls.length;
  const ct = mt.random.normal([...y.shape]);
  y.backward(ct);
  const calls = spy.mock.calls.map((c) => c[2]);
  spy.mockRestore();
  const cpu = mt.defaultDevice() === 'cpu';
  expect(forwardCalls).toBe(cpu ? 1 : 0);
  expect(calls).toEqual(cpu ? [false, true] : []); // a · b forward, aᵀ · b for dw
  const [[theirs], [dw]] = native.mlxVjp(([v]) => [native.convGeneral(x.data, v!, [1, 2], [1, 1], [1, 1], [1, 1], [1, 1], 1, false)], [w.data], [ct.data]);
  expectClose(y, new mt.Tensor(theirs!), { rtol: 1e-4, atol: 1e-4 });
  expectClose(w.grad!, new mt.Tensor(dw!), { rtol: 1e-4, atol: 1e-4 });
});

test("a conv's input gradient takes the BlasMatmul product on the CPU where the addon links OpenBLAS, with MLX's values", () => {
  // dx = col2im(dy · w): the product through native/src/kernels.cc's BlasMatmul, when built.
  const x = mt.random.normal([2, 6, 5, 3]).requireGrad(), w = mt.random.normal([4, 3, 3, 3]);
  const y = mt.conv2d(x, w, { padding: 1 });
  const ct = mt.random.normal([...y.shape]);
  y.backward(ct);
  const ops = native.graphOps([x.grad!.data]);
  if (mt.defaultDevice() === 'cpu' && mt.blasCore() !== null) expect(ops).toEqual(expect.arrayContaining(['Col2im@cpu', 'BlasMatmul@cpu']));
  const [, [dx]] = native.mlxVjp(([v]) => [native.convGeneral(v!, w.data, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], 1, false)], [x.data], [ct.data]);
  expectClose(x.grad!, new mt.Tensor(dx!), { rtol: 1e-4, atol: 1e-4 });
});

describe('grad, valueAndGrad, vjp', () => {
  test('grad of the design example', () => {
    expectClose(mt.grad((t: mt.Tensor) => mt.sum(mt.square(t)))(mt.tensor([1, 2, 3, 4])), [2, 4, 6, 8]);
  });

  test('argnums picks arguments; trees of tensors come back in the same shape', () => {
    const f = (p: { w: mt.Tensor; b: mt.Tensor[] }, x: mt.Tensor) => mt.sum(mt.add(mt.multiply(p.w, x), p.b[0]!));
    const p = { w: mt.tensor([1, 2]), b: [mt.tensor([0.5])] };
    const x = mt.tensor([3, 4]);
    const [value, g] = mt.valueAndGrad(f)(p, x);
    expectClose(value, 12);
    expectClose(g.w, [3, 4]);
    expectClose(g.b[0], [2]);
    const [gp, gx] = mt.grad(f, [0, 1])(p, x);
    expectClose(gp.w, [3, 4]);
    expectClose(gx, [1, 2]);
    expect(() => mt.grad(f, 2)(p, x)).toThrow(/argnums 2 is out of range for 2 argument/);
    expect(() => mt.grad((t: mt.Tensor) => mt.multiply(t, 2))(x)).toThrow(/size-1 tensor, got shape \[2\]/);
  });

  test('an input the output does not depend on gets zeros', () => {
    const g = mt.grad((a: mt.Tensor, _b: mt.Tensor) => mt.sum(a), [0, 1])(mt.tensor([1]), mt.tensor([5, 6]));
    expectClose(g[1], [0, 0]);
  });

  test('vjp pulls cotangents back through several outputs', () => {
    const [outs, [dx]] = mt.vjp((x) => [mt.multiply(x, 3), mt.square(x)], [mt.tensor([1, 2])], [mt.tensor([1, 1]), mt.tensor([1, 10])]);
    expectClose(outs[1]!, [1, 4]);
    expectClose(dx!, [5, 43]); // 3 + 2x·ct
    expect(() => mt.vjp((x) => mt.square(x), [mt.tensor([1, 2])], [])).toThrow(/1 output\(s\) but 0 cotangent/);
  });

  test('leaves .grad alone and does not record the returned value', () => {
    const x = leaf([1, 2]);
    const [v, g] = mt.valueAndGrad((t: mt.Tensor) => mt.sum(mt.exp(t)))(mt.tensor([0, 0]));
    expect(v.requiresGrad).toBe(false);
    expectClose(g, [1, 1]);
    expect(x.grad).toBeNull();
  });
});

describe('higher-order gradients', () => {
  test('d²/dx² x³ = 6x and d³/dx³ x³ = 6', () => {
    const cube = (t: mt.Tensor) => mt.sum(mt.power(t, 3));
    const d1 = mt.grad(cube);
    const d2 = mt.grad((t: mt.Tensor) => mt.sum(d1(t)));
    const d3 = mt.grad((t: mt.Tensor) => mt.sum(d2(t)));
    expectClose(d2(mt.tensor([1, 2, -3])), [6, 12, -18], { rtol: 1e-5 });
    expectClose(d3(mt.tensor([1, 2])), [6, 6], { rtol: 1e-5 });
  });

  test('createGraph makes backward() differentiable', () => {
    const x = leaf([2]);
    const y = mt.sum(mt.power(x, 3));
    const [g] = mt.vjp((t) => mt.sum(mt.power(t, 3)), [x], [mt.tensor(1)])[1];
    void y;
    // g = 3x² is recorded because x requires grad: differentiate it again.
    mt.sum(g!).backward();
    expectClose(x.grad!, [12], { rtol: 1e-5 });
  });
});

describe('Hessian-vector product of a small MLP', () => {
  test('grad of <grad f, v> matches finite differences of gradients', () => {
    // f(w1, w2) = sum(tanh(x·w1)·w2): a 2-layer MLP on a fixed batch. Hv on the default
    // device; the finite differences of gradients in float64, on the CPU.
    const values = {
      x: [[0.5, -1, 2], [1.5, 0.3, -0.7]], w1: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]], w2: [[0.7], [-0.3]],
      v1: [[1, 0.5], [-1, 2], [0.3, -0.4]], v2: [[0.2], [1]],
    };
    const setup = (dtype: mt.DType) => {
      const [x, w1, w2, v1, v2] = [values.x, values.w1, values.w2, values.v1, values.v2].map((v) => mt.tensor(v, dtype)) as mt.Tensor[];
      const f = (a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.matmul(mt.tanh(mt.matmul(x!, a)), b));
      return { w1: w1!, w2: w2!, v1: v1!, v2: v2!, gradF: mt.grad(f, [0, 1]) };
    };
    const { w1, w2, v1, v2, gradF } = setup(widestFloat);
    // Hv = d/dw <grad f(w), v>
    const hv = mt.grad((a: mt.Tensor, b: mt.Tensor) => {
      const [g1, g2] = gradF(a, b);
      return mt.add(mt.sum(mt.multiply(g1, v1)), mt.sum(mt.multiply(g2, v2)));
    }, [0, 1])(w1, w2);
    const want = mt.withDevice('cpu', () => {
      const r = setup('float64');
      const eps = 1e-4;
      const shifted = (s: number) => r.gradF(mt.add(r.w1, mt.multiply(r.v1, s)), mt.add(r.w2, mt.multiply(r.v2, s)));
      const [p1, p2] = shifted(eps), [m1, m2] = shifted(-eps);
      return [mt.divide(mt.subtract(p1, m1), 2 * eps).toArray(), mt.divide(mt.subtract(p2, m2), 2 * eps).toArray()];
    });
    // On the GPU: float32 through four TF32 matmuls.
    const tol = onGpu ? { rtol: 1e-2, atol: 1e-2 } : { rtol: 1e-3, atol: 1e-5 };
    expectClose(hv[0], want[0]!, tol);
    expectClose(hv[1], want[1]!, tol);
  });
});

describe('memory', () => {
  test('1,000 training-style steps under tidy leave MLX memory where it started', () => {
    const w = mt.keep(mt.tensor([[0.5, -0.2], [0.1, 0.3]]).requireGrad());
    const x = mt.keep(mt.tensor([[1, 2], [3, 4]]));
    const step = () => mt.tidy(() => {
      const loss = mt.sum(mt.square(mt.tanh(mt.multiply(w, x))));
      loss.backward();
      const next = mt.noGrad(() => mt.subtract(w, mt.multiply(w.grad!, 0.01)));
      mt.evaluate(next, loss);
      w.zeroGrad();
    });
    for (let i = 0; i < 50; i++) step(); // warm MLX's buffer cache
    gc(); // earlier tests' garbage would be freed mid-loop
    mt.clearCache();
    const before = mt.memoryStats().active;
    for (let i = 0; i < 1000; i++) step();
    mt.clearCache();
    expect(Math.abs(mt.memoryStats().active - before)).toBeLessThanOrEqual(memorySlack);
  });
});
