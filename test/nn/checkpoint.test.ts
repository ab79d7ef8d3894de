// Checkpoints: weights and optimizer state to .safetensors, atomically.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { writer } from '../../src/nn/checkpoint.js';

const { nn, optim } = mt;

// Makes the safetensors writer fail half-way, as a crash or a full disk would.
const realWrite = writer.saveSafetensors;
function failMidWrite(): void {
  writer.saveSafetensors = (file: string) => {
    writeFileSync(file, Buffer.from('{"trunc')); // a partial header, then the failure
    throw new Error('disk full');
  };
}
afterEach(() => void (writer.saveSafetensors = realWrite));

const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bits = (t: mt.Tensor) => Buffer.from((t.toTypedArray() as Float32Array).buffer).toString('hex');
const makeModel = () => new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.BatchNorm(8), new nn.Linear(8, 1));

describe('saveWeights / loadWeights', () => {
  test('round trip restores bit-identical weights, buffers included', () => {
    const a = makeModel();
    a.forward(mt.random.normal([4, 2])); // moves BatchNorm's running statistics
    const file = join(dir, 'model.safetensors');
    a.saveWeights(file);
    const b = makeModel().loadWeights(file);
    const pa = a.namedParameters(), pb = b.namedParameters();
    expect(pb.map(([n]) => n)).toEqual(pa.map(([n]) => n));
    pa.forEach(([, t], i) => expect(bits(pb[i]![1])).toBe(bits(t)));
    expect(b.namedTrainableParameters().every(([, p]) => p.requiresGrad)).toBe(true);
    expect((b.layers[2] as mt.nn.BatchNorm).runningMean!.requiresGrad).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('strict loading names every mismatch and changes nothing', () => {
    const file = join(dir, 'other.safetensors');
    mt.saveSafetensors(file, {
      'layers.0.weight': mt.zeros([8, 3]), // wrong shape
      'layers.0.bias': mt.zeros([8], 'float16'), // wrong dtype
      'layers.9.weight': mt.zeros([1]), // unexpected
    });
    const m = makeModel();
    const before = bits((m.layers[0] as mt.nn.Linear).weight);
    let message = '';
    try {
      m.loadWeights(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^\[loadWeights\] 9 mismatch\(es\)/);
    expect(message).toContain("'layers.0.weight' has shape [8,3], the model expects [8,2]");
    expect(message).toContain("'layers.0.bias' has dtype float16, the model expects float32");
    expect(message).toContain("unexpected key 'layers.9.weight'");
    for (const k of ['layers.2.weight', 'layers.2.bias', 'layers.2.runningMean', 'layers.2.runningVar', 'layers.3.weight', 'layers.3.bias']) {
      expect(message).toContain(`missing key '${k}'`);
    }
    expect(bits((m.layers[0] as mt.nn.Linear).weight)).toBe(before);
  });

  test('non-strict loading takes the matching names and still checks shapes', () => {
    const a = new nn.Linear(2, 3);
    const file = join(dir, 'partial.safetensors');
    mt.saveSafetensors(file, { weight: a.weight, extra: mt.ones([1]) });
    const b = new nn.Linear(2, 3).loadWeights(file, { strict: false });
    expect(bits(b.weight)).toBe(bits(a.weight));
    mt.saveSafetensors(file, { weight: mt.ones([3, 3]) });
    expect(() => new nn.Linear(2, 3).loadWeights(file, { strict: false })).toThrow(/'weight' has shape \[3,3\], the model expects \[3,2\]/);
    expect(() => new nn.Linear(2, 3).loadWeights([['bias', mt.ones([3])]], { strict: false })).not.toThrow();
  });

  test('a save that fails mid-write leaves the previous checkpoint intact', () => {
    const file = join(dir, 'atomic.safetensors');
    const model = makeModel();
    model.saveWeights(file);
    const old = readFileSync(file);
    model.apply((p) => mt.add(p, 1));
    failMidWrite();
    expect(() => model.saveWeights(file)).toThrow(/\[saveWeights\] could not write '.*atomic\.safetensors': disk full/);
    expect(readFileSync(file).equals(old)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    writer.saveSafetensors = realWrite;
    const back = makeModel().loadWeights(file); // still a good checkpoint
    expect(back.namedParameters().length).toBe(8);
  });

  test('missing, truncated, corrupt and foreign files give clear errors', () => {
    expect(() => makeModel().loadWeights(join(dir, 'nope.safetensors'))).toThrow(/\[loadWeights\] no such file/);
    const good = join(dir, 'good.safetensors');
    makeModel().saveWeights(good);
    const bytes = readFileSync(good);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(() => makeModel().loadWeights(truncated)).toThrow(/\[loadWeights\] '.*truncated\.safetensors' is not a readable \.safetensors file/);
    const corrupt = join(dir, 'corrupt.safetensors');
    writeFileSync(corrupt, Buffer.from('this is not a checkpoint at all'));
    expect(() => makeModel().loadWeights(corrupt)).toThrow(/is not a readable \.safetensors file/);
    const state = join(dir, 'opt.safetensors');
    const opt = new optim.Adam({ learningRate: 0.1 });
    const m = makeModel();
    opt.update(m, nn.valueAndGrad(m, (mm: typeof m) => mt.sum(mm.forward(mt.ones([2, 2]))))(m)[1]);
    opt.saveState(state);
    expect(() => makeModel().loadWeights(state)).toThrow(/holds mlx-tape-optimizer data, not model weights/);
    expect(() => new optim.Adam({ learningRate: 0.1 }).loadState(good)).toThrow(/\[loadState\] '.*good\.safetensors' is not an optimizer state file/);
    expect(() => new optim.SGD({ learningRate: 0.1 }).loadState(state)).toThrow(/\[loadState\] '.*' holds Adam state, not SGD/);
  });
});

describe('optimizer state', () => {
  // y = sum of the inputs plus noise-free structure: a fixed regression problem.
  const x = mt.tensor([[0.1, -0.3], [0.7, 0.2], [-0.5, 0.9], [0.3, 0.3]]);
  const y = mt.tensor([[0.2], [-0.1], [0.6], [0.0]]);
  const lossFn = (m: mt.nn.Sequential) => nn.losses.mseLoss(m.forward(x), y);

  function train(model: mt.nn.Sequential, opt: mt.optim.Optimizer, steps: number): number[] {
    const step = nn.valueAndGrad(model, lossFn);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      mt.tidy(() => {
        const [loss, grads] = step(model);
        opt.update(model, grads);
        losses.push(loss.item() as number);
      });
    }
    return losses;
  }

  test('save → load resumes training exactly where an uninterrupted run is', () => {
    mt.random.seed(3);
    const a = makeModel();
    const optA = new optim.Adam({ learningRate: optim.cosineDecay(0.05, 20) });
    const uninterrupted = train(a, optA, 10);

    mt.random.seed(3);
    const b = makeModel();
    const optB = new optim.Adam({ learningRate: optim.cosineDecay(0.05, 20) });
    const first = train(b, optB, 5);
    b.saveWeights(join(dir, 'resume-model.safetensors'));
    optB.saveState(join(dir, 'resume-opt.safetensors'));

    const c = makeModel().loadWeights(join(dir, 'resume-model.safetensors'));
    const optC = new optim.Adam({ learningRate: optim.cosineDecay(0.05, 20) });
    optC.loadState(join(dir, 'resume-opt.safetensors'));
    expect(optC.stepCount).toBe(5);
    expect(Object.keys(optC.state).sort()).toEqual(Object.keys(optB.state).sort());
    for (const [n, s] of Object.entries(optB.state)) expect(bits(optC.state[n]!.m)).toBe(bits(s.m));
    const resumed = [...first, ...train(c, optC, 5)];
    expect(resumed).toEqual(uninterrupted);
    a.namedParameters().forEach(([, p], i) => expect(bits(c.namedParameters()[i]![1])).toBe(bits(p)));
  });

  test('a constant learning rate is restored with the state', () => {
    const m = makeModel();
    const opt = new optim.SGD({ learningRate: 0.1, momentum: 0.9 });
    train(m, opt, 2);
    opt.learningRate = 0.03;
    opt.saveState(join(dir, 'sgd.safetensors'));
    const again = new optim.SGD({ learningRate: 1, momentum: 0.9 });
    again.loadState(join(dir, 'sgd.safetensors'));
    expect(again.learningRate).toBe(0.03);
    expect(again.stepCount).toBe(2);
  });
});
