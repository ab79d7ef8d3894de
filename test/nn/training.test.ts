// End to end: a 2-layer MLP learns XOR and a spiral with SGD, Adam and AdamW,
// in both training styles, with flat memory.
import { describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { stepSlack } from '../helpers/device.js';
import { gc } from '../helpers/gc.js';

const { nn, optim } = mt;

const X = mt.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const Y = mt.tensor([[0], [1], [1], [0]]);
const mlp = (hidden = 16) => new nn.Sequential(new nn.Linear(2, hidden), new nn.Tanh(), new nn.Linear(hidden, 1));
const bce = (m: mt.nn.Sequential, x: mt.Tensor, y: mt.Tensor) => nn.losses.binaryCrossEntropy(m.forward(x), y);

/** MLX style: nn.valueAndGrad, then optimizer.update; one tidy scope per step. */
function trainMlx(model: mt.nn.Sequential, opt: mt.optim.Optimizer, steps: number): number {
  const step = nn.valueAndGrad(model, bce);
  let last = Infinity;
  for (let i = 0; i < steps; i++) {
    last = mt.tidy(() => {
      const [loss, grads] = step(model, X, Y);
      opt.update(model, grads);
      return loss.item() as number;
    });
  }
  return last;
}

describe('a 2-layer MLP learns XOR', () => {
  const cases: [string, () => mt.optim.Optimizer][] = [
    ['SGD', () => new optim.SGD({ learningRate: 0.5, momentum: 0.9 })],
    ['Adam', () => new optim.Adam({ learningRate: 0.05 })],
    ['AdamW', () => new optim.AdamW({ learningRate: 0.05, weightDecay: 1e-4 })],
  ];
  test.each(cases)('with %s (MLX style)', (_name, make) => {
    mt.random.seed(1);
    const model = mlp();
    expect(trainMlx(model, make(), 400)).toBeLessThan(0.01);
    const predictions = mt.noGrad(() => mt.greater(model.forward(X), 0)).toArray();
    expect(predictions).toEqual([[false], [true], [true], [false]]);
  });

  test('with SGD (PyTorch style: zeroGrad, backward, step)', () => {
    mt.random.seed(2);
    const model = mlp();
    const opt = new optim.SGD({ learningRate: 0.5, momentum: 0.9, params: model });
    let last = Infinity;
    for (let i = 0; i < 400; i++) {
      last = mt.tidy(() => {
        opt.zeroGrad();
        const loss = bce(model, X, Y);
        loss.backward();
        opt.step();
        return loss.item() as number;
      });
    }
    expect(last).toBeLessThan(0.01);
  });

  test('memory stays flat over many steps', () => {
    mt.random.seed(3);
    // BatchNorm too: its running statistics are replaced every step.
    const model = new nn.Sequential(new nn.Linear(2, 32), new nn.BatchNorm(32), new nn.Tanh(), new nn.Linear(32, 1));
    const opt = new optim.Adam({ learningRate: 0.01 });
    trainMlx(model, opt, 20);
    gc(); // earlier tests' garbage, freed by a GC inside the loop, would look like a change
    const before = mt.memoryStats().active;
    trainMlx(model, opt, 300);
    expect(mt.memoryStats().active).toBeLessThanOrEqual(before + stepSlack(model));
  });
});

describe('a spiral', () => {
  test('three interleaved arms are separated with Adam and cross entropy', () => {
    mt.random.seed(4);
    const n = 40, classes = 3;
    const pts: number[][] = [], labels: number[] = [];
    for (let c = 0; c < classes; c++) {
      for (let i = 0; i < n; i++) {
        const r = (i + 1) / n, t = c * 4 + r * 4 + Math.sin(i * 7.3) * 0.1; // r > 0: the arms never meet
        pts.push([r * Math.sin(t), r * Math.cos(t)]);
        labels.push(c);
      }
    }
    const x = mt.tensor(pts), y = mt.tensor(labels, 'int32');
    const model = new nn.Sequential(new nn.Linear(2, 64), new nn.ReLU(), new nn.Linear(64, classes));
    const opt = new optim.Adam({ learningRate: 0.02 });
    const step = nn.valueAndGrad(model, (m: typeof model) => nn.losses.crossEntropy(m.forward(x), y, { reduction: 'mean' }));
    let last = Infinity;
    for (let i = 0; i < 600; i++) {
      last = mt.tidy(() => {
        const [loss, grads] = step(model);
        opt.update(model, grads);
        return loss.item() as number;
      });
    }
    expect(last).toBeLessThan(0.05);
    const accuracy = mt.mean(mt.astype(mt.equal(mt.argmax(model.forward(x), -1), y), 'float32')).item();
    expect(accuracy).toBe(1);
  });
});

describe("DESIGN.md's usage, literally", () => {
  test('both training styles on one model', () => {
    const xb = mt.random.normal([8, 784]), yb = mt.tensor([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const opt = new optim.Adam({ learningRate: 1e-3 });
    const lossFn = (m: mt.nn.Module, x: mt.Tensor, y: mt.Tensor) => nn.losses.crossEntropy(m.forward(x), y, { reduction: 'mean' });
    const step = nn.valueAndGrad(model, lossFn);
    const [loss, grads] = step(model, xb, yb);
    opt.update(model, grads);
    const sgd = new optim.SGD({ learningRate: 0.1, momentum: 0.9, params: model });
    sgd.zeroGrad(); lossFn(model, xb, yb).backward(); sgd.step();
    expect(lossFn(model, xb, yb).item()).toBeLessThan(loss.item() as number);
  });
});
