// Where the time of one W1/W2 train step goes: building the graph (forward +
// backward, lazy), the optimizer's eval, the loss eval; and how many native calls
// the step makes; eager, then the whole step through mt.compile (phases: the
// compiled call, then the eval). First, W1's graph alone, never evaluated.
// BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/step-phases.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, compiledStep, lossFn, Mlp, randomBatch } from '../models.js';

const { nn, optim } = mt;
// Enough steps for V8's optimizing JIT to compile the step's code: timing
// earlier steps measures the interpreter (the graph phase ~1.7x slower).
const WARMUP = 300;
mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
const counts = new Map<string, number>();
const spent = new Map<string, number>();
const table = native as unknown as Record<string, unknown>;
const original = { ...table };
// Wraps every native function to count its calls and time them, or unwraps
// them: the phases are timed unwrapped (two clock reads per call would add
// ~0.05 ms to a W1 step's graph phase, which MLX-Python's side does not pay).
function instrument(on: boolean): void {
  for (const [name, fn] of Object.entries(original)) {
    if (typeof fn !== 'function') continue;
    table[name] = !on ? fn : (...args: unknown[]) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const t = performance.now();
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        spent.set(name, (spent.get(name) ?? 0) + performance.now() - t);
      }
    };
  }
}

function phases(label: string, model: mt.nn.Module, shape: number[], compiled = false): void {
  const [x, y] = randomBatch(shape);
  const opt = new optim.SGD({ learningRate: 0.01 });
  const vg = nn.valueAndGrad(model, lossFn);
  // Compiled: the whole step (mt.compile, model and optimizer as state); its
  // phases are the call (replaying the graph) and the one eval.
  const whole = compiled ? compiledStep(model, opt) : undefined;
  const t = [0, 0];
  const step = (record?: number[]): void => {
    const t0 = performance.now();
    let t1: number;
    if (compiled) {
      const loss = whole!(x, y);
      t1 = performance.now();
      mt.evaluate(loss, ...mt.treeFlatten(model.parameters()), ...mt.treeFlatten(opt.state));
      loss.dispose();
    } else {
      const [loss, grads] = vg(model, x, y);
      t1 = performance.now();
      opt.update(model, grads, { evaluate: [loss] });
      mt.dispose([loss, grads]);
    }
    const t2 = performance.now();
    if (record) { record[0]! += t1 - t0; record[1]! += t2 - t1; }
  };
  for (let i = 0; i < WARMUP; i++) step();
  const n = 100;
  for (let i = 0; i < n; i++) step(t);
  instrument(true);
  counts.clear();
  step();
  const calls = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  spent.clear();
  for (let i = 0; i < n; i++) step();
  instrument(false);
  const ms = t.map((v) => (v / n).toFixed(3));
  const slow = [...spent.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`${label}: graph ${ms[0]} ms, optimizer update + the one eval ${ms[1]} ms; ` +
    `${calls.reduce((s, [, c]) => s + c, 0)} native calls: ${calls.map(([k, c]) => `${k} ${c}`).join(', ')}\n  ms per step in native calls: ${slow.map(([k, v]) => `${k} ${(v / n).toFixed(3)}`).join(', ')}`);
}

/**
 * W1's graph (forward and backward) built and freed, never evaluated: the
 * host's share of a step alone, without the eval's threads around it (the
 * phases above are timed between evals). Median of 7 rounds of 300 steps.
 */
function graphAlone(): void {
  const model = new Mlp();
  const [x, y] = randomBatch([128, 784]);
  mt.evaluate(...model.namedParameters().map(([, p]) => p));
  const vg = nn.valueAndGrad(model, lossFn);
  const step = (): void => mt.dispose(vg(model, x, y));
  for (let i = 0; i < WARMUP; i++) step();
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < 300; i++) step();
    rounds.push((performance.now() - t) / 300);
  }
  console.log(`W1 graph alone, never evaluated: ${rounds.sort((a, b) => a - b)[3]!.toFixed(3)} ms`);
}

mt.random.seed(0);
graphAlone();
phases('W1', new Mlp(), [128, 784]);
phases('W2', new Cnn(), [64, 28, 28, 1]);
phases('W1 compiled', new Mlp(), [128, 784], true);
phases('W2 compiled', new Cnn(), [64, 28, 28, 1], true);
