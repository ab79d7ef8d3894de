// Every optimizer: three steps on a fixed problem against a plain-JS
// reference of the published update rule, in float64 (float32 on the GPU, where MLX has no float64).
import { describe, expect, test, vi } from 'vitest';
import * as mt from '../../src/index.js';
import { hasOwnKernel, native, type NativeArray } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { gc } from '../helpers/gc.js';
import { onGpu, stepSlack, widestFloat as F } from '../helpers/device.js';

const { nn, optim } = mt;

/** f(w, m) = Σ ½·a·w² + b·w + Σ ½·m²·c: gradients a·w + b and m·c. */
class Quad extends nn.Module {
  w = mt.tensor([1, -2, 0.5], F).requireGrad();
  m = mt.tensor([[0.3, -1, 2], [1.5, 0.2, -0.7]], F).requireGrad();
  forward(): mt.Tensor {
    const a = mt.tensor([1, 2, 3], F), b = mt.tensor([0.5, -1, 0.25], F);
    const c = mt.tensor([[1, 2, 3], [4, 5, 6]], F);
    const fw = mt.sum(mt.add(mt.multiply(mt.multiply(mt.square(this.w), a), 0.5), mt.multiply(b, this.w)));
    return mt.add(fw, mt.sum(mt.multiply(mt.multiply(mt.square(this.m), c), 0.5)));
  }
}
const A = [1, 2, 3], B = [0.5, -1, 0.25], C = [1, 2, 3, 4, 5, 6];
const W0 = [1, -2, 0.5], M0 = [0.3, -1, 2, 1.5, 0.2, -0.7];
const gradW = (w: number[]) => w.map((x, i) => A[i]! * x + B[i]!);
const gradM = (m: number[]) => m.map((x, i) => C[i]! * x);

type Rule = (g: number[], p: number[], s: Record<string, number[]>, t: number) => number[];

/** Runs `rule` for three steps on both parameters in JS. */
function reference(rule: (shape: number[]) => Rule): [number[], number[]] {
  let w = [...W0], m = [...M0];
  const rw = rule([3]), rm = rule([2, 3]);
  const sw = {}, sm = {};
  for (let t = 1; t <= 3; t++) {
    const gw = gradW(w), gm = gradM(m);
    w = rw(gw, w, sw, t);
    m = rm(gm, m, sm, t);
  }
  return [w, m];
}

/** Runs `opt` for three steps, MLX style. */
function run(opt: mt.optim.Optimizer): Quad {
  const model = new Quad();
  const step = nn.valueAndGrad(model, (q: Quad) => q.forward());
  for (let i = 0; i < 3; i++) opt.update(model, step(model)[1]);
  expect(opt.stepCount).toBe(3);
  return model;
}

function check(opt: mt.optim.Optimizer, rule: (shape: number[]) => Rule): void {
  const model = run(opt);
  const [w, m] = reference(rule);
  const tol = onGpu ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-9, atol: 1e-12 }; // float32 on the GPU
  expectClose(model.w, w, tol);
  expectClose(model.m, [m.slice(0, 3), m.slice(3)], tol);
}

const zeros = (n: number) => Array(n).fill(0);
const init = (s: Record<string, number[]>, k: string, n: number) => (s[k] ??= zeros(n));

describe('optimizers match their published rules over three steps', () => {
  test('SGD', () => {
    check(new optim.SGD({ learningRate: 0.1 }), () => (g, p) => p.map((x, i) => x - 0.1 * g[i]!));
  });

  test('SGD with momentum, dampening and weight decay', () => {
    const [lr, mu, tau, wd] = [0.1, 0.9, 0.5, 0.01];
    check(new optim.SGD({ learningRate: lr, momentum: mu, dampening: tau, weightDecay: wd }), () => (g, p, s) => {
      const v = init(s, 'v', p.length);
      return p.map((x, i) => {
        const gi = g[i]! + wd * x;
        v[i] = mu * v[i]! + (1 - tau) * gi;
        return x - lr * v[i]!;
      });
    });
  });

  test('SGD with Nesterov momentum', () => {
    const [lr, mu] = [0.05, 0.9];
    check(new optim.SGD({ learningRate: lr, momentum: mu, nesterov: true }), () => (g, p, s) => {
      const v = init(s, 'v', p.length);
      return p.map((x, i) => {
        v[i] = mu * v[i]! + g[i]!;
        return x - lr * (g[i]! + mu * v[i]!);
      });
    });
  });

  const adam = (lr: number, b1: number, b2: number, eps: number, wd = 0, correct = true) => () => (g: number[], p: number[], s: Record<string, number[]>, t: number) => {
    const m = init(s, 'm', p.length), v = init(s, 'v', p.length);
    return p.map((x0, i) => {
      const x = x0 * (1 - lr * wd);
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mh = correct ? m[i]! / (1 - b1 ** t) : m[i]!;
      const vh = correct ? v[i]! / (1 - b2 ** t) : v[i]!;
      return x - (lr * mh) / (Math.sqrt(vh) + eps);
    });
  };

  test('Adam', () => check(new optim.Adam({ learningRate: 0.1 }), adam(0.1, 0.9, 0.999, 1e-8)));
  test('Adam without bias correction (MLX default)', () => {
    check(new optim.Adam({ learningRate: 0.1, betas: [0.8, 0.9], biasCorrection: false }), adam(0.1, 0.8, 0.9, 1e-8, 0, false));
  });
  test('AdamW', () => check(new optim.AdamW({ learningRate: 0.1, weightDecay: 0.1 }), adam(0.1, 0.9, 0.999, 1e-8, 0.1)));

  test('Adamax', () => {
    const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-8];
    check(new optim.Adamax({ learningRate: lr }), () => (g, p, s, t) => {
      const m = init(s, 'm', p.length), u = init(s, 'u', p.length);
      return p.map((x, i) => {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        u[i] = Math.max(b2 * u[i]!, Math.abs(g[i]!));
        return x - (lr / (1 - b1 ** t)) * (m[i]! / (u[i]! + eps));
      });
    });
  });

  test('Adagrad', () => {
    check(new optim.Adagrad({ learningRate: 0.5 }), () => (g, p, s) => {
      const v = init(s, 'v', p.length);
      return p.map((x, i) => {
        v[i] = v[i]! + g[i]! ** 2;
        return x - (0.5 * g[i]!) / (Math.sqrt(v[i]!) + 1e-8);
      });
    });
  });

  test('RMSprop', () => {
    const [lr, a] = [0.01, 0.9];
    check(new optim.RMSprop({ learningRate: lr, alpha: a }), () => (g, p, s) => {
      const v = init(s, 'v', p.length);
      return p.map((x, i) => {
        v[i] = a * v[i]! + (1 - a) * g[i]! ** 2;
        return x - (lr * g[i]!) / (Math.sqrt(v[i]!) + 1e-8);
      });
    });
  });

  test('AdaDelta', () => {
    const [lr, rho, eps] = [1, 0.9, 1e-6];
    check(new optim.AdaDelta({ learningRate: lr }), () => (g, p, s) => {
      const v = init(s, 'v', p.length), u = init(s, 'u', p.length);
      return p.map((x, i) => {
        v[i] = rho * v[i]! + (1 - rho) * g[i]! ** 2;
        const d = (Math.sqrt(u[i]! + eps) / Math.sqrt(v[i]! + eps)) * g[i]!;
        u[i] = rho * u[i]! + (1 - rho) * d ** 2;
        return x - lr * d;
      });
    });
  });

  test('Lion', () => {
    const [lr, b1, b2, wd] = [0.01, 0.9, 0.99, 0.1];
    check(new optim.Lion({ learningRate: lr, weightDecay: wd }), () => (g, p, s) => {
      const m = init(s, 'm', p.length);
      return p.map((x, i) => {
        const c = b1 * m[i]! + (1 - b1) * g[i]!;
        m[i] = b2 * m[i]! + (1 - b2) * g[i]!;
        return x * (1 - lr * wd) - lr * Math.sign(c);
      });
    });
  });

  const rms = (x: number[]) => Math.sqrt(x.reduce((a, b) => a + b * b, 0) / x.length);
  const adafactor = (o: { lr?: number; beta1?: number; wd?: number; relative: boolean }) => (shape: number[]) => (g: number[], p: number[], s: Record<string, number[]>, t: number) => {
    const [eps1, eps2, clipT, c] = [1e-30, 1e-3, 1, -0.8];
    const rho = o.relative ? Math.min(1e-2, 1 / Math.sqrt(t)) : o.lr!;
    const alpha = Math.max(eps2, rms(p)) * rho;
    const b2 = 1 - t ** c;
    const u2 = g.map((x) => x * x + eps1);
    let upd: number[];
    if (shape.length === 2) {
      const [r, k] = shape as [number, number];
      const row = init(s, 'row', r), col = init(s, 'col', k);
      for (let i = 0; i < r; i++) row[i] = b2 * row[i]! + ((1 - b2) * u2.slice(i * k, (i + 1) * k).reduce((a, b) => a + b)) / k;
      for (let j = 0; j < k; j++) col[j] = b2 * col[j]! + ((1 - b2) * [...Array(r).keys()].reduce((a, i) => a + u2[i * k + j]!, 0)) / r;
      const rowMean = row.reduce((a, b) => a + b) / r;
      upd = g.map((x, idx) => x / Math.sqrt(((row[Math.floor(idx / k)]! / rowMean) * col[idx % k]!)));
    } else {
      const v = init(s, 'v', p.length);
      upd = g.map((x, i) => {
        v[i] = b2 * v[i]! + (1 - b2) * u2[i]!;
        return x / Math.sqrt(v[i]!);
      });
    }
    const denom = Math.max(1, rms(upd) / clipT);
    upd = upd.map((x) => (x / denom) * alpha);
    if (o.beta1 !== undefined) {
      const m = init(s, 'm', p.length);
      upd = upd.map((x, i) => (m[i] = o.beta1! * m[i]! + (1 - o.beta1!) * x));
    }
    return p.map((x, i) => x - x * alpha * (o.wd ?? 0) - upd[i]!);
  };

  test('Adafactor (relative step, factored second moments for the matrix)', () => {
    check(new optim.Adafactor(), adafactor({ relative: true }));
  });
  test('Adafactor with a learning rate, first moment and weight decay', () => {
    check(new optim.Adafactor({ learningRate: 0.05, relativeStep: false, beta1: 0.9, weightDecay: 0.1 }), adafactor({ lr: 0.05, relative: false, beta1: 0.9, wd: 0.1 }));
  });
});

describe('one-pass update kernels (src/optim/fused.ts)', () => {
  const optimizers: [string, () => mt.optim.Optimizer][] = [
    ['SGD', () => new optim.SGD({ learningRate: 0.1 })],
    ['SGD, Nesterov, weight decay', () => new optim.SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['SGD, dampening', () => new optim.SGD({ learningRate: 0.1, momentum: 0.9, dampening: 0.5 })],
    ['Adam', () => new optim.Adam({ learningRate: 0.1 })],
    ['AdamW', () => new optim.AdamW({ learningRate: 0.1 })],
    ['Adamax', () => new optim.Adamax({ learningRate: 0.1 })],
    ['RMSprop', () => new optim.RMSprop({ learningRate: 0.1 })],
    ['AdaDelta', () => new optim.AdaDelta({ learningRate: 0.5 })],
    ['Lion', () => new optim.Lion({ learningRate: 0.1, weightDecay: 0.1 })],
    ['Adafactor', () => new optim.Adafactor({ learningRate: 0.05, relativeStep: false, beta1: 0.9 })],
  ];
  // What axpby composes on Metal: each product rounded, then the sum.
  const composed = (x: NativeArray, y: NativeArray, alpha: number, beta: number): NativeArray => {
    const [ax, by] = [native.multiply(x, alpha), native.multiply(y, beta)];
    const sum = native.add(ax, by);
    native.dispose(ax);
    native.dispose(by);
    return sum;
  };
  const bits = (t: mt.Tensor): number[] => {
    const values = t.toTypedArray();
    return [...new Uint8Array(values.buffer, values.byteOffset, values.byteLength)];
  };

  // Adam's float32 update is adamStep (below), the others' axpby.
  test.each(optimizers)('%s: one kernel on the CPU and a CUDA GPU, none on Metal; the composed ops\' bits either way', (_, make) => {
    const [spy, adam] = [vi.spyOn(native, 'axpby'), vi.spyOn(native, 'adamStep')];
    const fused = run(make());
    const calls = spy.mock.calls.length + adam.mock.calls.length;
    spy.mockImplementation(composed);
    const plain = run(make());
    spy.mockRestore();
    adam.mockRestore();
    if (hasOwnKernel(F)) expect(calls).toBeGreaterThanOrEqual(6); // each of two parameters, three steps
    else expect(calls).toBe(0);
    expect(bits(fused.w)).toEqual(bits(plain.w));
    expect(bits(fused.m)).toEqual(bits(plain.m));
  });

  test('Adam and AdamW on float32: one adamStep on the CPU and a CUDA GPU, none on Metal; the composed ops\' bits either way', () => {
    for (const opt of [new optim.Adam({ learningRate: 0.1 }), new optim.AdamW({ learningRate: 0.1, weightDecay: 0.1 })]) {
      mt.tidy(() => {
        const [p, g, m] = [0, 1, 2].map(() => mt.random.normal([5, 7]));
        const v = mt.square(mt.random.normal([5, 7]));
        const scalars = opt.stepScalars(0.1, 3) as mt.optim.AdamScalars;
        const spy = vi.spyOn(native, 'adamStep');
        // Under enableGrad the kernels stand aside: the composed ops run.
        const [fused, fusedState] = mt.noGrad(() => opt.updateParam(g!, p!, { m: m!, v }, scalars));
        const [plain, plainState] = mt.enableGrad(() => opt.updateParam(g!, p!, { m: m!, v }, scalars));
        expect(spy).toHaveBeenCalledTimes(hasOwnKernel('float32') ? 1 : 0);
        spy.mockRestore();
        for (const [a, b] of [[fused, plain], [fusedState.m, plainState.m], [fusedState.v, plainState.v]] as const) expect(bits(a)).toEqual(bits(b));
      });
    }
  });

  test('not while recording: the kernel has no gradient rule', () => {
    const spy = vi.spyOn(native, 'axpby');
    try {
      const p = mt.tensor([1, 2], F).requireGrad(), s = mt.tensor([3, 4], F);
      const loss = mt.sum(mt.enableGrad(() => new optim.SGD({ learningRate: 0.5 }).updateParam(s, p, {}, { lr: 0.5 })[0]));
      loss.backward();
      expect(spy).not.toHaveBeenCalled();
      expectClose(p.grad!, [1, 1]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('Optimizer mechanics', () => {
  test('PyTorch style: zeroGrad, backward, step equals update', () => {
    const a = new Quad(), b = new Quad();
    const sgdA = new optim.SGD({ learningRate: 0.1, momentum: 0.9, params: a });
    const sgdB = new optim.SGD({ learningRate: 0.1, momentum: 0.9 });
    const step = nn.valueAndGrad(b, (q: Quad) => q.forward());
    for (let i = 0; i < 3; i++) {
      sgdA.zeroGrad();
      a.forward().backward();
      sgdA.step();
      sgdB.update(b, step(b)[1]);
    }
    expectClose(a.w, b.w, { rtol: 1e-12, atol: 0 });
    expectClose(a.m, b.m, { rtol: 1e-12, atol: 0 });
    expect(a.w.grad).toBe(null); // the stepped parameter is a fresh leaf
    expect(a.w.requiresGrad).toBe(true);
  });

  test('update and step evaluate the loss with the new parameters, in one evaluation', () => {
    const model = new Quad();
    const opt = new optim.SGD({ learningRate: 0.1, params: model });
    const evalSpy = vi.spyOn(native, 'eval');
    try {
      const [loss, grads] = nn.valueAndGrad(model, (q: Quad) => q.forward())(model);
      opt.update(model, grads, { evaluate: [loss] });
      expect(evalSpy).toHaveBeenCalledTimes(1);
      expect(evalSpy.mock.calls[0]![0]).toContain(loss.data);
      expect(evalSpy.mock.calls[0]![0]).toContain(model.w.data);
      const again = model.forward();
      again.backward();
      opt.step({ evaluate: [again] });
      expect(evalSpy).toHaveBeenCalledTimes(2);
      expect(evalSpy.mock.calls[1]![0]).toContain(again.data);
      expect(loss.item()).toBeCloseTo(0.5 * (1 + 8 + 0.75) + (0.5 + 2 + 0.125) + 0.5 * (0.09 + 2 + 12 + 9 + 0.2 + 2.94), 4); // float32 on a GPU
    } finally {
      evalSpy.mockRestore();
    }
  });

  test('replaced parameters and state are freed; state is keyed by parameter name', () => {
    const model = new Quad();
    const opt = new optim.Adam({ learningRate: 0.1 });
    const step = nn.valueAndGrad(model, (q: Quad) => q.forward());
    opt.update(model, step(model)[1]);
    const oldW = model.w, oldM = opt.state.w!.m;
    expect(Object.keys(opt.state)).toEqual(['w', 'm']);
    opt.update(model, step(model)[1]);
    expect(oldW.isDisposed).toBe(true);
    expect(oldM.isDisposed).toBe(true);
    expect(model.w.isDisposed).toBe(false);
  });

  test('learningRate is readable and settable while training; schedules see the step count', () => {
    const model = new Quad();
    const opt = new optim.SGD({ learningRate: optim.exponentialDecay(1, 0.5) });
    const step = nn.valueAndGrad(model, (q: Quad) => q.forward());
    expect(opt.learningRate).toBe(1);
    const w0 = (model.w.toArray() as number[])[0]!;
    opt.update(model, step(model)[1]);
    expect(opt.learningRate).toBe(1); // step 0 used lr(0)
    const w1 = (model.w.toArray() as number[])[0]!;
    expect(w1).toBeCloseTo(w0 - 1 * (w0 + 0.5), 12);
    opt.update(model, step(model)[1]);
    expect(opt.learningRate).toBe(0.5);
    opt.learningRate = 0.01;
    opt.update(model, step(model)[1]);
    expect(opt.learningRate).toBe(0.01);
  });

  test('bad input gives clear errors', () => {
    expect(() => new optim.SGD({ learningRate: 0.1, nesterov: true })).toThrow(/\[SGD\] Nesterov momentum needs momentum > 0/);
    const model = new Quad();
    const opt = new optim.SGD({ learningRate: 0.1 });
    expect(() => opt.update(model, { nope: mt.ones([3]) })).toThrow(/\[update\] the model has no parameter 'nope'/);
    expect(() => opt.update(model, { w: mt.ones([2]) })).toThrow(/gradient of 'w' has shape \[2\], the parameter has \[3\]/);
    expect(() => opt.step()).toThrow(/made without \{ params: model \}/);
    expect(opt.stepCount).toBe(0); // failed updates take no step
  });
});

describe('memory of a synchronous training loop', () => {
  test('update() frees its intermediates at once, so MLX active memory stays flat', () => {
    const { nn, optim } = mt;
    const model = new nn.Linear(256, 256);
    const opt = new optim.SGD({ learningRate: 0.01, momentum: 0.9 });
    const x = mt.keep(mt.random.normal([8, 256]));
    const step = nn.valueAndGrad(model, (m: mt.nn.Module, a: mt.Tensor) => mt.mean(mt.square(m.forward(a) as mt.Tensor)));
    // Earlier tests' garbage, freed by a GC inside the loop, and on a GPU
    // their buffers still in use by its stream, would look like a change.
    gc();
    mt.synchronize();
    const active: number[] = [];
    for (let i = 1; i <= 30; i++) {
      const [loss, grads] = step(model, x);
      opt.update(model, grads);
      mt.dispose([loss, grads]);
      if (i % 10 === 0) {
        mt.synchronize();
        active.push(mt.memoryStats().active);
      }
    }
    expect(Math.abs(active[2]! - active[0]!)).toBeLessThanOrEqual(stepSlack(model));
  });
});
