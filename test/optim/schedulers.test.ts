import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

const { optim, nn } = mt;

describe('schedules match their formulas', () => {
  const steps = [0, 1, 2, 5, 9, 10, 11, 37, 100, 150];
  test('stepDecay', () => {
    const s = optim.stepDecay(0.1, 0.5, 10);
    for (const t of steps) expect(s(t)).toBeCloseTo(0.1 * 0.5 ** Math.floor(t / 10), 15);
  });
  test('exponentialDecay', () => {
    const s = optim.exponentialDecay(0.1, 0.97);
    for (const t of steps) expect(s(t)).toBeCloseTo(0.1 * 0.97 ** t, 15);
  });
  test('cosineDecay', () => {
    const s = optim.cosineDecay(0.1, 100, 0.01);
    for (const t of steps) expect(s(t)).toBeCloseTo(0.01 + 0.09 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, 100)) / 100)), 15);
    expect(s(0)).toBeCloseTo(0.1, 15);
    expect(s(50)).toBeCloseTo(0.055, 15);
    expect(s(1000)).toBeCloseTo(0.01, 15);
  });
  test('linearSchedule', () => {
    const s = optim.linearSchedule(0, 0.1, 10);
    for (const t of steps) expect(s(t)).toBeCloseTo((0.1 * Math.min(t, 10)) / 10, 15);
    expect(() => optim.linearSchedule(0, 1, 0)).toThrow(/\[linearSchedule\] steps must be positive/);
  });
  test('joinSchedules: a linear warmup joined to a cosine decay', () => {
    const s = optim.joinSchedules([optim.linearSchedule(0, 0.1, 10), optim.cosineDecay(0.1, 100)], [10]);
    for (const t of steps) {
      const want = t < 10 ? (0.1 * t) / 10 : 0.1 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t - 10, 100)) / 100));
      expect(s(t)).toBeCloseTo(want, 15);
    }
    expect(() => optim.joinSchedules([s, s], [])).toThrow(/\[joinSchedules\] 2 schedule\(s\) need 1 boundaries, got 0/);
    expect(() => optim.joinSchedules([s, s, s], [5, 2])).toThrow(/boundaries must increase/);
  });
  test('an optimizer follows its schedule step by step', () => {
    const model = new nn.Linear(2, 1);
    const opt = new optim.SGD({ learningRate: optim.joinSchedules([optim.linearSchedule(0, 1, 2), optim.exponentialDecay(1, 0.5)], [2]) });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      opt.update(model, { weight: mt.zeros([1, 2]), bias: mt.zeros([1]) });
      seen.push(opt.learningRate);
    }
    expect(seen).toEqual([0, 0.5, 1, 0.5, 0.25]);
  });
});

describe('ReduceLROnPlateau', () => {
  test('reduces after `patience` steps without improvement, honours cooldown and minLr', () => {
    const opt = new optim.SGD({ learningRate: 1 });
    const plateau = new optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1, minLr: 0.2 });
    const lrs: number[] = [];
    for (const loss of [5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3]) {
      plateau.step(loss);
      lrs.push(opt.learningRate);
    }
    // 5, 4 improve; bad 1, 2, 3 → 0.5; a cooldown step; bad 1, 2, 3 → 0.25; 3 improves (the cooldown ends); bad 1, 2, 3 → 0.2 (minLr)
    expect(lrs).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]);
  });
  test("mode 'max' with an absolute threshold; takes tensors", () => {
    const opt = new optim.Adam({ learningRate: 0.1 });
    const plateau = new optim.ReduceLROnPlateau(opt, { mode: 'max', patience: 0, thresholdMode: 'abs', threshold: 0.1 });
    plateau.step(mt.tensor(0.5));
    plateau.step(0.55); // not better by 0.1
    expect(opt.learningRate).toBeCloseTo(0.01, 12);
    plateau.step(0.7);
    expect(opt.learningRate).toBeCloseTo(0.01, 12);
    expect(() => new optim.ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/factor must be < 1/);
  });
});

describe('gradient clipping', () => {
  test('clipGradNorm scales a tree to the norm and reports the norm', () => {
    const [clipped, norm] = optim.clipGradNorm({ a: mt.tensor([3]), b: [mt.tensor([4, 0])] }, 1);
    expectClose(norm, 5);
    expectClose(clipped.a, [0.6], { rtol: 1e-5 });
    expectClose(clipped.b[0]!, [0.8, 0], { rtol: 1e-5 });
    const [same] = optim.clipGradNorm({ a: mt.tensor([0.3, 0.4]) }, 1);
    expectClose(same.a, [0.3, 0.4]);
    expect(() => optim.clipGradNorm({}, 1)).toThrow(/\[clipGradNorm\] there are no gradients/);
  });
  test('clipGradNorm on a model clips the .grad of its parameters', () => {
    const model = new nn.Linear(2, 1);
    model.update({ weight: mt.tensor([[1, 1]]), bias: mt.tensor([0]) });
    mt.sum(mt.multiply(model.forward(mt.tensor([[3, 0]])), 1)).backward(); // dW = [3, 0], db = [1]
    const norm = optim.clipGradNorm(model, 1);
    expectClose(norm, Math.sqrt(10));
    expectClose(model.weight.grad!, [[3 / Math.sqrt(10), 0]], { rtol: 1e-5 });
    expectClose(model.bias!.grad!, [1 / Math.sqrt(10)], { rtol: 1e-5 });
  });
  test('clipGradValue clips elements, for trees and models', () => {
    expectClose(optim.clipGradValue({ w: mt.tensor([-3, 0.5, 2]) }, 1).w, [-1, 0.5, 1]);
    const model = new nn.Linear(1, 1);
    mt.sum(model.forward(mt.tensor([[5]]))).backward();
    optim.clipGradValue(model, 2);
    expectClose(model.weight.grad!, [[2]]);
    expectClose(model.bias!.grad!, [1]);
  });
});
