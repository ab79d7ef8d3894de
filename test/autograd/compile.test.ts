import { describe, expect, test, vi } from 'vitest';
import * as mt from '../../src/index.js';
import { hasOwnKernel, native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { gc } from '../helpers/gc.js';

const { nn, optim } = mt;

/** A compiled function that counts how often its JS runs (its traces). */
function counted<A extends mt.Tensor[]>(fn: (...args: A) => unknown, options?: mt.CompileOptions) {
  const traces = { n: 0 };
  const f = mt.compile((...args: A) => {
    traces.n++;
    return fn(...args);
  }, options);
  return { f, traces };
}

describe('compile', () => {
  test('gives what the eager function gives, tracing once per input signature', () => {
    const fn = (x: mt.Tensor, y: mt.Tensor) => mt.add(mt.multiply(mt.exp(x), y), mt.divide(x, 3));
    const { f, traces } = counted(fn);
    const x = mt.tensor([0, 1, 2]), y = mt.tensor([1, -2, 3]);
    expectClose(f(x, y) as mt.Tensor, fn(x, y));
    expectClose(f(x, y) as mt.Tensor, fn(x, y));
    const seen = traces.n;
    const x2 = mt.tensor([-1, 0.5, 4]);
    expectClose(f(x2, y) as mt.Tensor, fn(x2, y)); // same shapes: the trace is replayed
    expect(traces.n).toBe(seen);
    const x3 = mt.tensor([[1, 2], [3, 4]]), y3 = mt.tensor([[2, 2], [1, 0]]);
    expectClose(f(x3, y3) as mt.Tensor, fn(x3, y3)); // new shapes: traced again
    expect(traces.n).toBe(seen + 1);
    expectClose(f(mt.tensor([1, 2, 3], 'int32'), y) as mt.Tensor, fn(mt.tensor([1, 2, 3], 'int32'), y)); // new dtype
    expect(traces.n).toBe(seen + 2);
  });

  test('shapeless: one trace serves every shape', () => {
    const fn = (x: mt.Tensor) => mt.multiply(mt.sigmoid(x), x);
    const { f, traces } = counted(fn, { shapeless: true });
    const x3 = mt.divide(mt.arange(0, 3), 4);
    f(x3);
    f(x3);
    const seen = traces.n;
    for (const n of [5, 1, 17]) {
      const x = mt.divide(mt.arange(0, n), 4);
      expectClose(f(x) as mt.Tensor, fn(x));
    }
    expect(traces.n).toBe(seen);
  });

  test('non-tensor arguments are constants of a trace: a new value traces again', () => {
    const { f, traces } = counted(((x: mt.Tensor, k: number, mode: string) => (mode === 'add' ? mt.add(x, k) : mt.multiply(x, k))) as never);
    const call = f as unknown as (x: mt.Tensor, k: number, mode: string) => mt.Tensor;
    const x = mt.tensor([1, 2]);
    expectClose(call(x, 2, 'add'), [3, 4]);
    expectClose(call(x, 2, 'add'), [3, 4]);
    const seen = traces.n;
    expectClose(call(x, 3, 'add'), [4, 5]);
    expectClose(call(x, 3, 'mul'), [3, 6]);
    expect(traces.n).toBe(seen + 2);
  });

  test('takes and returns trees of tensors', () => {
    const f = mt.compile(({ a, rest: [b, scale] }: { a: mt.Tensor; rest: [mt.Tensor, number] }) => ({
      total: mt.sum(mt.add(a, b)),
      parts: [mt.multiply(a, scale), 'label', null],
    }));
    const out = f({ a: mt.tensor([1, 2]), rest: [mt.tensor([3, 4]), 10] });
    expectClose(out.total, 10);
    expectClose(out.parts[0] as mt.Tensor, [10, 20]);
    expect(out.parts.slice(1)).toEqual(['label', null]);
  });

  test('refuses a captured tensor (its value would be frozen), takes it as an argument', () => {
    const w = mt.tensor([1, 2, 3]);
    expect(() => mt.compile((x: mt.Tensor) => mt.add(x, w))(mt.ones([3])))
      .toThrow(/\[compile\] fn uses a tensor that is not one of its inputs \(shape \[3\], float32\)/);
    expectClose(mt.compile((x: mt.Tensor, v: mt.Tensor) => mt.add(x, v))(mt.ones([3]), w), [2, 3, 4]);
  });

  test('arrays that the GC frees during a trace are not taken for captured tensors (their memory is reused)', () => {
    const f = mt.compile((x: mt.Tensor) => {
      gc(); // finalizes the garbage below: its arrays' memory is free for the trace's new arrays
      let y = x;
      for (let i = 0; i < 50; i++) y = mt.add(y, 1);
      return y;
    });
    for (let i = 0; i < 50; i++) mt.ones([2]); // garbage out of any tidy: only finalizers free it
    expectClose(f(mt.zeros([2])), [50, 50]);
  });

  test('random ops need a key inside a compiled function', () => {
    expect(() => mt.compile((x: mt.Tensor) => mt.add(x, mt.random.normal([2])))(mt.zeros([2])))
      .toThrow(/randomNormal: inside mt.compile, pass a key/);
    const noisy = mt.compile((x: mt.Tensor, key: mt.Tensor) => mt.add(x, mt.random.normal([2], { key })));
    const k1 = mt.random.key(1), k2 = mt.random.key(2);
    expectClose(noisy(mt.zeros([2]), k1), mt.random.normal([2], { key: k1 }));
    expectClose(noisy(mt.zeros([2]), k2), mt.random.normal([2], { key: k2 }));
  });

  test('index arguments are range-checked on every call, as the eager ops check them', () => {
    const pick = mt.compile((x: mt.Tensor, labels: mt.Tensor) => nn.losses.crossEntropy(x, labels, { reduction: 'none' }));
    const logits = mt.tensor([[1, 2, 3], [1, 1, 1]]);
    expectClose(pick(logits, mt.tensor([2, 0], 'int32')), nn.losses.crossEntropy(logits, mt.tensor([2, 0], 'int32'), { reduction: 'none' }));
    expect(() => pick(logits, mt.tensor([1, 3], 'int32'))).toThrow(/index 3 is out of range for the class axis -1 of size 3/);
    const fresh = mt.compile((x: mt.Tensor, i: mt.Tensor) => mt.take(x, i, 0)); // its first call traces, then checks
    expect(() => fresh(mt.ones([2, 2]), mt.tensor([5], 'int32'))).toThrow(/\[take\] index 5 is out of range for axis 0 of size 2/);
    expectClose(fresh(mt.ones([2, 2]), mt.tensor([1], 'int32')), [[1, 1]]);
  });

  test('refuses indices computed inside (their range could not be checked)', () => {
    const f = mt.compile((x: mt.Tensor) => mt.take(x, mt.argmax(x, 0), 0));
    expect(() => f(mt.ones([2, 2]))).toThrow(/\[take\] inside mt.compile, indices are checked against their range on every call/);
    const shapeless = mt.compile((x: mt.Tensor, i: mt.Tensor) => mt.take(x, i, 0), { shapeless: true });
    expect(() => shapeless(mt.ones([2]), mt.tensor([0], 'int32'))).toThrow(/compiled without shapeless/);
  });

  test('nothing inside may evaluate', () => {
    expect(() => mt.compile((x: mt.Tensor) => mt.multiply(x, mt.sum(x).item() as number))(mt.ones([2])))
      .toThrow(/\[eval\] Attempting to eval an array during function transformations/);
  });

  test('refuses arguments that require a gradient (compiled calls are not recorded), but not under noGrad', () => {
    const f = mt.compile((x: mt.Tensor) => mt.square(x));
    const w = mt.tensor([1, 2]).requireGrad();
    expect(() => f(w)).toThrow(/\[compile\] an argument \(shape \[2\]\) requires a gradient/);
    expectClose(mt.noGrad(() => f(w)), [1, 4]);
  });

  test('a compiled gradient step trains like the eager one, seeing the updated parameters', () => {
    mt.random.seed(3);
    const a = new nn.Linear(4, 3);
    mt.random.seed(3);
    const b = new nn.Linear(4, 3);
    const loss = (m: mt.nn.Linear, x: mt.Tensor, y: mt.Tensor) => nn.losses.mseLoss(mt.relu(m.forward(x)), y);
    const compiled = mt.compile(nn.valueAndGrad(a, loss), { state: [a] });
    const eager = nn.valueAndGrad(b, loss);
    const optA = new optim.SGD({ learningRate: 0.1 }), optB = new optim.SGD({ learningRate: 0.1 });
    const x = mt.random.normal([8, 4]), y = mt.random.normal([8, 3]);
    for (let step = 0; step < 4; step++) {
      const [la, ga] = compiled(a, x, y);
      const [lb, gb] = eager(b, x, y);
      expectClose(la, lb);
      expectClose(ga.weight as mt.Tensor, gb.weight as mt.Tensor);
      expectClose(ga.bias as mt.Tensor, gb.bias as mt.Tensor);
      optA.update(a, ga, { evaluate: [la] });
      optB.update(b, gb, { evaluate: [lb] });
    }
    expectClose(a.weight, b.weight);
  });

  test('refuses a module that is not in { state }; writes back the state fn replaces', () => {
    const m = new nn.Linear(2, 2);
    expect(() => mt.compile((mod: mt.nn.Linear, x: mt.Tensor) => mod.forward(x))(m, mt.ones([1, 2])))
      .toThrow(/may hold tensors, numbers, strings, booleans, arrays and plain objects, and the modules and optimizers of \{ state \}; got a Linear/);
    const bias0 = m.bias!.toArray() as number[];
    const oldBias = m.bias!;
    const bump = mt.compile((x: mt.Tensor) => {
      m.update({ bias: mt.add(m.bias!, x) });
      return mt.multiply(m.bias!, 2);
    }, { state: [m] });
    for (let i = 1; i <= 3; i++) {
      const doubled = bump(mt.ones([2]));
      expectClose(m.bias!, bias0.map((b) => b + i));
      expectClose(doubled, bias0.map((b) => 2 * (b + i)));
    }
    expect(oldBias.isDisposed).toBe(true); // replaced, as an optimizer step replaces it
  });

  test("a state module's training mode is part of the signature (BatchNorm's batch or running statistics)", () => {
    mt.random.seed(4);
    const m = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm(4));
    const f = mt.compile((x: mt.Tensor) => m.forward(x) as mt.Tensor, { state: [m] });
    const x = mt.random.normal([5, 3]);
    m.eval();
    const inEval = m.forward(x) as mt.Tensor;
    expectClose(f(x), inEval);
    m.train();
    const trained = f(x); // batch statistics, and the running ones move
    expect(Math.max(...(mt.abs(mt.subtract(trained, inEval)).toTypedArray() as Float32Array))).toBeGreaterThan(1e-3);
    m.eval();
    expectClose(f(x), m.forward(x) as mt.Tensor); // the running statistics as they are now
  });

  for (const [name, make] of [
    ['SGD with momentum', () => new optim.SGD({ learningRate: 0.1, momentum: 0.9 })],
    ['Adam with a schedule', () => new optim.Adam({ learningRate: optim.cosineDecay(0.05, 10) })],
    ['AdamW', () => new optim.AdamW({ learningRate: 0.02 })],
  ] as const) {
    test(`a whole compiled training step (${name}) trains as the eager one does, BatchNorm's running statistics included`, () => {
      const models = [0, 1].map(() => {
        mt.random.seed(5);
        return new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm(4), new nn.ReLU(), new nn.Linear(4, 2)); // BatchNorm: buffers replaced too
      });
      const [a, b] = models as [mt.nn.Sequential, mt.nn.Sequential];
      const optA = make(), optB = make();
      const lossFn = (m: mt.nn.Module, x: mt.Tensor, y: mt.Tensor) => nn.losses.crossEntropy(m.forward(x) as mt.Tensor, y, { reduction: 'mean' });
      const stepA = nn.valueAndGrad(a, lossFn), stepB = nn.valueAndGrad(b, lossFn);
      const compiled = mt.compile((x: mt.Tensor, y: mt.Tensor) => {
        const [loss, grads] = stepA(a, x, y);
        optA.update(a, grads);
        return loss;
      }, { state: [a, optA] });
      const x = mt.random.normal([6, 3]), y = mt.tensor([0, 1, 1, 0, 1, 0], 'int32');
      // The eager update runs one-pass kernels on the CPU and a CUDA GPU (src/optim/fused.ts); the trace keeps the composed ops for MLX to fuse.
      const spies = [vi.spyOn(native, 'axpby'), vi.spyOn(native, 'adamStep')];
      const fusedCalls = (): number => spies.reduce((n, spy) => n + spy.mock.calls.length, 0);
      for (let i = 0; i < 4; i++) {
        const before = fusedCalls();
        const la = compiled(x, y);
        expect(fusedCalls()).toBe(before);
        const [lb, gb] = stepB(b, x, y);
        optB.update(b, gb, { evaluate: [lb] });
        expectClose(la, lb, { rtol: 1e-5, atol: 1e-6 });
        expect(optA.stepCount).toBe(optB.stepCount);
        expect(optA.learningRate).toBeCloseTo(optB.learningRate, 12);
      }
      expect(fusedCalls() > 0).toBe(hasOwnKernel('float32'));
      for (const spy of spies) spy.mockRestore();
      const pa = new Map(a.namedParameters());
      for (const [n, p] of b.namedParameters()) expectClose(pa.get(n)!, p, { rtol: 1e-5, atol: 1e-6 });
      expect(Object.keys(optA.state)).toEqual(Object.keys(optB.state));
      const stateA = optA.state as Record<string, mt.optim.ParamState>;
      for (const [n, st] of Object.entries(optB.state)) {
        for (const [k, t] of Object.entries(st as mt.optim.ParamState)) expectClose(stateA[n]![k]!, t, { rtol: 1e-5, atol: 1e-6 });
      }
    });
  }

  test('writes back parameters held in arrays and objects, and reads the state anew on every call', () => {
    class Nested extends nn.Module {
      ws = [mt.tensor([1, 2]), mt.tensor([3, 4])];
      o = { b: mt.tensor([0.5, -0.5]) };
      forward(x: mt.Tensor): mt.Tensor {
        return mt.add(mt.multiply(mt.multiply(x, this.ws[0]!), this.ws[1]!), this.o.b);
      }
    }
    const [a, b] = [new Nested(), new Nested()];
    const [optA, optB] = [new optim.SGD({ learningRate: 0.1 }), new optim.SGD({ learningRate: 0.1 })];
    const lossFn = (m: Nested, x: mt.Tensor) => mt.sum(mt.square(m.forward(x)));
    const stepA = nn.valueAndGrad(a, lossFn), stepB = nn.valueAndGrad(b, lossFn);
    const compiled = mt.compile((x: mt.Tensor) => {
      const [loss, grads] = stepA(a, x);
      optA.update(a, grads);
      return loss;
    }, { state: [a, optA] });
    const x = mt.tensor([1, -1]);
    const old = a.namedParameters().map(([, p]) => p);
    for (let i = 0; i < 3; i++) {
      // Between calls, a parameter set from outside is what the next call uses.
      if (i === 2) [a.ws[1], b.ws[1]] = [mt.tensor([1, 1]), mt.tensor([1, 1])];
      const la = compiled(x);
      const [lb, gb] = stepB(b, x);
      optB.update(b, gb, { evaluate: [lb] });
      expectClose(la, lb);
    }
    const pa = new Map(a.namedParameters());
    for (const [n, p] of b.namedParameters()) expectClose(pa.get(n)!, p);
    expect(old.every((t) => t.isDisposed)).toBe(true); // replaced, as an eager step replaces them
  });

  test('an optimizer in { state } steps once per call', () => {
    const m = new nn.Linear(2, 1), opt = new optim.SGD({ learningRate: 0.1 });
    const lossFn = (mod: mt.nn.Linear, x: mt.Tensor) => mt.sum(mod.forward(x));
    const twice = mt.compile((x: mt.Tensor) => {
      for (let i = 0; i < 2; i++) opt.update(m, nn.valueAndGrad(m, lossFn)(m, x)[1]);
      return mt.sum(m.weight);
    }, { state: [m, opt] });
    expect(() => twice(mt.ones([1, 2]))).toThrow(/\[update\] inside mt.compile, an optimizer in \{ state \} steps once per call/);
    expect(opt.stepCount).toBe(0);
  });

  test('an optimizer stepped inside must be in { state }, and so must its model: refused before anything changes', () => {
    const m = new nn.Linear(2, 1), opt = new optim.SGD({ learningRate: 0.1 });
    const weight = m.weight;
    const lossFn = (mod: mt.nn.Linear, x: mt.Tensor) => mt.sum(mod.forward(x));
    const stepOf = (state: (mt.nn.Module | mt.optim.Optimizer)[]) => mt.compile((x: mt.Tensor) => {
      opt.update(m, nn.valueAndGrad(m, lossFn)(m, x)[1]);
      return mt.sum(x);
    }, { state });
    expect(() => stepOf([m])(mt.ones([1, 2]))).toThrow(/\[update\] inside mt.compile, the optimizer must be in \{ state \} \(with the model\)/);
    expect(() => stepOf([opt])(mt.ones([1, 2]))).toThrow(/\[update\] inside mt.compile, the model the optimizer updates must be in \{ state \}/);
    expect(opt.stepCount).toBe(0);
    expect(m.weight).toBe(weight);
    expect(weight.isDisposed).toBe(false);
  });

  test('refuses results it cannot rebuild', () => {
    expect(() => mt.compile((x: mt.Tensor) => new Map([['x', x]]))(mt.ones([1])))
      .toThrow(/a compiled function's result may hold tensors, numbers, strings, booleans, arrays and plain objects; got a Map/);
  });

  test('an error in fn reaches the caller, and a later call traces again', () => {
    let fail = true;
    const f = mt.compile((x: mt.Tensor) => {
      if (fail) throw new RangeError('not yet');
      return mt.exp(x);
    });
    expect(() => f(mt.zeros([2]))).toThrow('not yet');
    fail = false;
    expectClose(f(mt.zeros([2])), [1, 1]);
  });

  test('compiled functions nest', () => {
    const inner = mt.compile((x: mt.Tensor) => mt.multiply(x, 2));
    const outer = mt.compile((x: mt.Tensor) => mt.add(inner(x), 1));
    expectClose(outer(mt.tensor([1, 2])), [3, 5]);
    expectClose(inner(mt.tensor([4])), [8]);
  });

  test('frees its traces: no handles are left behind by many calls', () => {
    const f = mt.compile((x: mt.Tensor, y: mt.Tensor) => [mt.add(x, y), mt.multiply(x, y)]);
    const x = mt.ones([4]), y = mt.ones([4]);
    mt.tidy(() => f(x, y)[0]!.eval());
    gc(); // earlier tests' garbage: its finalizers would lower the count mid-loop
    const before = native.handleCount();
    for (let i = 0; i < 200; i++) mt.tidy(() => mt.evaluate(...f(x, y)));
    gc();
    expect(native.handleCount()).toBe(before);
  });

  test('a compiled training step inside tidy: the written-back state outlives the scope, the replaced state is freed', () => {
    const [m, twin] = [0, 1].map(() => {
      mt.random.seed(6);
      return new nn.Linear(3, 2);
    }) as [mt.nn.Linear, mt.nn.Linear];
    const [opt, twinOpt] = [0, 1].map(() => new optim.SGD({ learningRate: 0.01, momentum: 0.9 }));
    const lossFn = (mod: mt.nn.Linear, x: mt.Tensor) => mt.sum(mt.square(mod.forward(x)));
    const step = mt.compile((x: mt.Tensor) => {
      const [loss, grads] = nn.valueAndGrad(m, lossFn)(m, x);
      opt!.update(m, grads);
      return loss;
    }, { state: [m, opt!] });
    const x = mt.ones([4, 3]);
    for (let i = 0; i < 3; i++) {
      const loss = mt.tidy(() => step(x).item() as number);
      const [twinLoss, grads] = nn.valueAndGrad(twin, lossFn)(twin, x);
      twinOpt!.update(twin, grads, { evaluate: [twinLoss] });
      expect(loss).toBeCloseTo(twinLoss.item() as number, 4);
    }
    expectClose(m.weight, twin.weight);
    gc();
    const before = native.handleCount();
    for (let i = 0; i < 50; i++) mt.tidy(() => void step(x).item());
    gc();
    expect(native.handleCount()).toBe(before); // each step's new weights, bias and momenta replace the old ones
    expect([m.weight, m.bias!, ...Object.values(opt.state).flatMap((s) => Object.values(s))].every((t) => !t.isDisposed)).toBe(true);
    expect(m.weight.toArray()).toHaveLength(2);
  });

  test('compiled functions that are collected take their traces with them, safely', async () => {
    // One function, compiled anew each time (a new constant per trace would build a new GPU kernel each).
    for (let i = 0; i < 20; i++) mt.tidy(() => mt.compile((x: mt.Tensor) => mt.add(mt.exp(x), 1))(mt.ones([2])).eval());
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalizers that Node defers to the event loop
    gc();
    expectClose(mt.compile((x: mt.Tensor) => mt.add(mt.exp(x), 1))(mt.zeros([2])), [2, 2]);
  });
});
