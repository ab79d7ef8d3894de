import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

const { nn } = mt;

class Mlp extends nn.Module {
  l1 = new nn.Linear(2, 3);
  blocks = [new nn.Linear(3, 3), new nn.ReLU()];
  heads = new Map<string, mt.nn.Module>([['a', new nn.Linear(3, 1)]]);
  scale = mt.tensor([2]).requireGrad();
  _cache = mt.ones([1]); // private: not a parameter
  kernel = [3, 3]; // numbers: not parameters
  forward(x: mt.Tensor): mt.Tensor {
    let h = this.l1.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return mt.multiply(this.heads.get('a')!.forward(h), this.scale);
  }
}

describe('Module parameters', () => {
  test('are discovered from fields, arrays and Maps, with dotted names', () => {
    const m = new Mlp();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'l1.weight', 'l1.bias', 'blocks.0.weight', 'blocks.0.bias', 'heads.a.weight', 'heads.a.bias', 'scale',
    ]);
    const tree = m.parameters();
    expect(Object.keys(tree)).toEqual(['l1', 'blocks', 'heads', 'scale']);
    expect((tree.blocks as unknown[]).length).toBe(2);
    expect((tree.blocks as unknown[])[1]).toEqual({}); // the ReLU keeps its place
    expect(mt.treeFlatten(tree).length).toBe(7);
    expect(m.children().map((c) => c.constructor.name)).toEqual(['Linear', 'Linear', 'ReLU', 'Linear']);
    expect(m.modules().length).toBe(5);
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'l1', 'blocks.0', 'blocks.1', 'heads.a']);
  });

  test('layers make parameters that require grad', () => {
    for (const [, p] of new Mlp().namedParameters()) expect(p.requiresGrad).toBe(true);
  });

  test('freeze and unfreeze choose what is trainable', () => {
    const m = new Mlp();
    m.l1.freeze();
    expect(m.namedTrainableParameters().map(([n]) => n)).not.toContain('l1.weight');
    expect(m.l1.weight.requiresGrad).toBe(false);
    expect(Object.keys(m.trainableParameters())).toEqual(['l1', 'blocks', 'heads', 'scale']);
    expect(m.trainableParameters().l1).toEqual({});
    m.unfreeze();
    expect(m.namedTrainableParameters().length).toBe(7);
    m.freeze({ keys: ['bias'] });
    expect(m.namedTrainableParameters().map(([n]) => n)).toEqual(['l1.weight', 'blocks.0.weight', 'heads.a.weight', 'scale']);
    m.freeze({ recurse: false });
    expect(m.namedTrainableParameters().map(([n]) => n)).toEqual(['l1.weight', 'blocks.0.weight', 'heads.a.weight']);
  });

  test('a frozen array of tensors round-trips through trainableParameters and update', () => {
    class Bank extends nn.Module {
      ws = [mt.ones([2]).requireGrad(), mt.zeros([2]).requireGrad()];
      b = mt.ones([1]).requireGrad();
      forward(x: mt.Tensor): mt.Tensor { return mt.add(mt.multiply(x, mt.add(this.ws[0]!, this.ws[1]!)), this.b); }
    }
    const m = new Bank().freeze({ keys: ['ws'] });
    expect(m.update(m.trainableParameters())).toBe(m);
    const [, grads] = nn.valueAndGrad(m, (mm: Bank) => mt.sum(mm.forward(mt.ones([2]))))(m);
    expect(nn.flattenNamed(grads).map(([n]) => n)).toEqual(['b']);
  });

  test('buffers are parameters but never trainable, even after unfreeze', () => {
    const bn = new nn.BatchNorm(3);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
    bn.unfreeze();
    expect(bn.namedTrainableParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    expect(bn.runningMean!.requiresGrad).toBe(false);
  });

  test('train() and eval() set the mode everywhere', () => {
    const m = new Mlp();
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  test('update replaces parameters, including inside arrays and Maps', () => {
    const m = new Mlp();
    const w = mt.zeros([3, 3]);
    m.update({ blocks: [{ weight: w }, {}], heads: { a: { bias: mt.tensor([5]) } } });
    expect(m.blocks[0] instanceof nn.Linear && (m.blocks[0] as mt.nn.Linear).weight).toBe(w);
    expect(w.requiresGrad).toBe(true);
    expectClose((m.heads.get('a') as mt.nn.Linear).bias!, [5]);
    m.update(nn.unflattenNamed([['blocks.0.bias', mt.ones([3])]])); // arrays as objects keyed by index
    expectClose((m.blocks[0] as mt.nn.Linear).bias!, [1, 1, 1]);
  });

  test('update rejects unknown names and non-tensors', () => {
    const m = new Mlp();
    expect(() => m.update({ nope: mt.ones([1]) })).toThrow(/\[update\] Mlp has no parameter or submodule 'nope'/);
    expect(() => m.update({ _cache: mt.ones([1]) })).toThrow(/no parameter/);
    expect(() => m.update({ scale: [] as unknown as mt.Tensor })).toThrow(/'scale' of Mlp must be a Tensor/);
    expect(() => m.update({ blocks: [{}, { weight: mt.ones([1]) }] })).toThrow(/ReLU has no parameter or submodule 'weight'/);
  });

  test('apply maps every parameter; applyToModules visits every module', () => {
    const m = new Mlp();
    m.apply((p) => mt.zerosLike(p));
    for (const [, p] of m.namedParameters()) expect(mt.sum(mt.abs(p)).item()).toBe(0);
    const seen: string[] = [];
    m.applyToModules((n, mod) => seen.push(`${n}:${mod.constructor.name}`));
    expect(seen).toEqual([':Mlp', 'l1:Linear', 'blocks.0:Linear', 'blocks.1:ReLU', 'heads.a:Linear']);
  });

  test('summary lists layers, output shapes and parameter counts', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const text = model.summary([5, 4]);
    expect(text).toContain('layers.0 (Linear)');
    expect(text).toMatch(/layers\.0 \(Linear\)\s+\[5, 8\]\s+40/);
    expect(text).toMatch(/layers\.2 \(Linear\)\s+\[5, 2\]\s+18/);
    expect(text).toContain('Total params: 58 (trainable: 58)');
    expect(model.forward(mt.ones([1, 4])).shape).toEqual([1, 2]);
    expect(Object.hasOwn(model.layers[0] as object, 'forward')).toBe(false);
    expect(model.summary()).toContain('-');
  });

  test('summary leaves the state and the training mode alone', () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm(3));
    const bn = model.layers[1] as mt.nn.BatchNorm;
    const rm = bn.runningMean;
    expect(model.summary([4, 2])).toContain('Total params: 15 (trainable: 15)'); // running statistics are buffers
    expect(bn.runningMean).toBe(rm);
    expect(bn.training).toBe(true);
  });

  test('toString shows settings and children', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU());
    expect(model.toString()).toBe('Sequential(\n  (layers.0): Linear(inputDims=4, outputDims=8)\n  (layers.1): ReLU()\n)');
  });
});

describe('nn.valueAndGrad', () => {
  test('gives the loss and gradients shaped like the trainable parameters', () => {
    const model = new nn.Linear(2, 1);
    model.update({ weight: mt.tensor([[1, 2]]), bias: mt.tensor([0.5]) });
    const x = mt.tensor([[1, 1], [2, 0]]), y = mt.tensor([[0], [0]]);
    const lossFn = (m: mt.nn.Linear, a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.square(mt.subtract(m.forward(a), b)));
    const [loss, grads] = nn.valueAndGrad(model, lossFn)(model, x, y);
    // outputs 3.5 and 2.5: loss 12.25 + 6.25; dL/dout = 2·out = [7, 5]
    expectClose(loss, 18.5);
    expectClose(grads.weight as mt.Tensor, [[7 + 10, 7]]);
    expectClose(grads.bias as mt.Tensor, [12]);
    expect(model.weight.requiresGrad).toBe(true); // the model's own tensors are back in place
    expectClose(model.weight, [[1, 2]]);
  });

  test('frozen parameters get no gradient', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 1));
    (model.layers[0] as mt.nn.Module).freeze();
    const [, grads] = nn.valueAndGrad(model, (m: typeof model) => mt.sum(m.forward(mt.ones([1, 2]))))(model);
    expect(nn.flattenNamed(grads).map(([n]) => n)).toEqual(['layers.1.weight', 'layers.1.bias']);
  });

  test('restores the parameters when the loss throws', () => {
    const model = new nn.Linear(2, 1);
    const w = model.weight;
    expect(() => nn.valueAndGrad(model, () => { throw new Error('boom'); })()).toThrow('boom');
    expect(model.weight).toBe(w);
  });
});

describe('trees', () => {
  test('flattenNamed, unflattenNamed and treeMap agree', () => {
    const t = { a: [mt.ones([1]), { b: mt.zeros([2]) }] };
    expect(nn.flattenNamed(t).map(([n]) => n)).toEqual(['a.0', 'a.1.b']);
    const back = nn.unflattenNamed(nn.flattenNamed(t));
    expect(Object.keys(back.a as object)).toEqual(['0', '1']);
    const doubled = nn.treeMap(t, (x) => mt.add(x, 1));
    expectClose(doubled.a[0] as mt.Tensor, [2]);
    expect(() => nn.unflattenNamed([['a', mt.ones([1])], ['a.b', mt.ones([1])]])).toThrow(/below the tensor/);
  });
});
