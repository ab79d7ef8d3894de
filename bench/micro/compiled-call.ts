// What mt.compile's JS costs per call: W1's compiled SGD step through
// mt.compile (compiledStep, as the bench runs it) against the same step on
// native.compile by hand, with nothing around the native call but the inputs
// and a write-back into the layers' fields. Both run interleaved in one
// process (drift hits both alike); µs per step and per call, medians.
// BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/compiled-call.ts
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { withTrace } from '../../src/tensor/trace.js';
import { compiledStep, lossFn, Mlp, randomBatch } from '../models.js';

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
const ROUNDS = 20, STEPS = 100;
mt.random.seed(0);
const [x, y] = randomBatch([128, 784]);

type Step = { run: () => number; model: Mlp };

function throughCompile(): Step {
  mt.random.seed(1);
  const model = new Mlp();
  const step = compiledStep(model, new mt.optim.SGD({ learningRate: 0.01 }));
  return {
    model,
    run: () => {
      const t = performance.now();
      const loss = step(x, y);
      const call = performance.now() - t;
      mt.evaluate(loss, ...model.namedParameters().map(([, p]) => p));
      loss.dispose();
      return call;
    },
  };
}

function byHand(): Step {
  mt.random.seed(1);
  const model = new Mlp();
  const layers = [model.l1, model.l2, model.l3];
  const lr = mt.keep(mt.tensor(0.01));
  const valueAndGrad = mt.nn.valueAndGrad(model, lossFn);
  const compiled = native.compile(false);
  // Inputs: x, y, the six parameters, the learning rate; outputs: the loss, the six new parameters.
  const trace = (handles: NativeArray[]): NativeArray[] => mt.tidy(() => {
    const t = handles.map((h) => new mt.Tensor(h));
    const saved = layers.map((l) => [l.weight, l.bias!] as const);
    layers.forEach((l, i) => ([l.weight, l.bias] = [t[2 + 2 * i]!, t[3 + 2 * i]!]));
    try {
      // The labels are the argument at position 1: their range check is deferred, as mt.compile does.
      const [loss, grads] = withTrace({ inputs: new Map([[t[1]!, 1]]), checks: [], shapeless: false }, () => valueAndGrad(model, t[0]!, t[1]!));
      const g = mt.treeFlatten(grads) as mt.Tensor[];
      const next = mt.noGrad(() => layers.flatMap((l) => [l.weight, l.bias!]).map((p, i) => mt.subtract(p, mt.multiply(g[i]!, t[8]!))));
      return [loss, ...next].map((o) => native.alias(o.data));
    } finally {
      layers.forEach((l, i) => ([l.weight, l.bias] = saved[i]!));
    }
  });
  return {
    model,
    run: () => {
      const t = performance.now();
      const inputs = [x.data, y.data, ...layers.flatMap((l) => [l.weight.data, l.bias!.data]), lr.data];
      const outs = native.compiledCall(compiled, trace, inputs, 0);
      const loss = new mt.Tensor(outs[0]!);
      layers.forEach((l, i) => {
        l.weight.dispose();
        l.bias!.dispose();
        [l.weight, l.bias] = [new mt.Tensor(outs[1 + 2 * i]!), new mt.Tensor(outs[2 + 2 * i]!)];
      });
      const call = performance.now() - t;
      mt.evaluate(loss, ...layers.flatMap((l) => [l.weight, l.bias!]));
      loss.dispose();
      return call;
    },
  };
}

const steps: Record<string, Step> = { 'mt.compile': throughCompile(), 'by hand': byHand() };
for (let i = 0; i < 300; i++) for (const s of Object.values(steps)) s.run();
const times: Record<string, { step: number[]; call: number[] }> = {};
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? Object.keys(steps) : Object.keys(steps).reverse();
  for (const name of order) {
    let call = 0;
    const t = performance.now();
    for (let i = 0; i < STEPS; i++) call += steps[name]!.run();
    const entry = (times[name] ??= { step: [], call: [] });
    entry.step.push(((performance.now() - t) * 1000) / STEPS);
    entry.call.push((call * 1000) / STEPS);
  }
}
const median = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;
for (const [name, t] of Object.entries(times)) {
  console.log(`${name.padEnd(12)} step ${median(t.step).toFixed(1).padStart(7)} µs, the call ${median(t.call).toFixed(1).padStart(6)} µs`);
}
// Same seed, same steps: the two models must agree, or the comparison is void.
const [a, b] = Object.values(steps).map((s) => s.model.l1.weight);
const diff = mt.max(mt.abs(mt.subtract(a!, b!))).item() as number;
if (!(diff < 1e-4)) throw new Error(`the two steps diverged: max |Δw| = ${diff}`);
