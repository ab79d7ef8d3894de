// The W1/W2 models, loss and train step of the bench, shared by the CPU worker and bench/gpu.ts.
import * as mt from '../src/index.js';
import { native } from '../src/tensor/native.js';

const { nn, optim } = mt;

/** W1: 784 → 512 → 512 → 10 with ReLU. */
export class Mlp extends nn.Module {
  l1 = new nn.Linear(784, 512);
  l2 = new nn.Linear(512, 512);
  l3 = new nn.Linear(512, 10);
  forward(x: mt.Tensor): mt.Tensor {
    return this.l3.forward(mt.relu(this.l2.forward(mt.relu(this.l1.forward(x)))));
  }
}

/** W2: conv3×3 32 → ReLU → max-pool 2 → conv3×3 64 → ReLU → max-pool 2 → linear 10 (NHWC). */
export class Cnn extends nn.Module {
  c1 = new nn.Conv2d(1, 32, 3, { padding: 1 });
  c2 = new nn.Conv2d(32, 64, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  fc = new nn.Linear(64 * 7 * 7, 10);
  forward(x: mt.Tensor): mt.Tensor {
    let h = this.pool.forward(mt.relu(this.c1.forward(x)));
    h = this.pool.forward(mt.relu(this.c2.forward(h)));
    return this.fc.forward(mt.reshape(h, [h.shape[0]!, -1]));
  }
}

/** Mean softmax cross-entropy of the model's logits. */
export const lossFn = (m: mt.nn.Module, x: mt.Tensor, y: mt.Tensor): mt.Tensor =>
  nn.losses.crossEntropy(m.forward(x) as mt.Tensor, y, { reduction: 'mean' });

/**
 * One SGD step (lr 0.01) of `model` on a fixed random batch, forced to
 * completion: one evaluation of the new parameters and the loss. `compiled`:
 * the whole step (loss, gradients, update) through `mt.compile`, the model
 * and the optimizer in its state, as MLX-Python's compiled step.
 */
export function trainer(model: mt.nn.Module, xShape: number[], compiled = false): () => void {
  const [x, y] = randomBatch(xShape);
  const opt = new optim.SGD({ learningRate: 0.01 });
  if (!compiled) {
    const valueAndGrad = nn.valueAndGrad(model, lossFn);
    return () => {
      const [loss, grads] = valueAndGrad(model, x, y);
      opt.update(model, grads, { evaluate: [loss] });
      mt.dispose([loss, grads]);
    };
  }
  const step = compiledStep(model, opt);
  return () => {
    const loss = step(x, y);
    mt.evaluate(loss, ...mt.treeFlatten(model.parameters()), ...mt.treeFlatten(opt.state));
    loss.dispose();
  };
}

/**
 * Steps before V8 has optimized mlx-tape's once-a-step functions and a step's
 * host work has settled (bench/micro/jit-warmup.ts): the warm-up of
 * bench/gpu.ts and the steady loops.
 */
export const JIT_WARMUP_STEPS = 4000;

/**
 * ms per step of `n` calls of `step` with MLX's eval stubbed out: the host
 * work alone (graph, tape and rules, update, disposal). One real step after
 * them evaluates what they left lazy (untimed).
 */
export function hostWorkMs(step: () => void, n: number): number {
  const evaluate = native.eval;
  native.eval = () => {};
  const t = performance.now();
  for (let i = 0; i < n; i++) step();
  const ms = (performance.now() - t) / n;
  native.eval = evaluate;
  step();
  return ms;
}

/** The ms of each of `n` calls of `step` after `warmup` untimed ones, sorted (the micro benchmarks' loop). */
export function sortedStepMs(step: () => void, n: number, warmup = 5): number[] {
  for (let i = 0; i < warmup; i++) step();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    step();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/** A fixed random batch of shape `xShape` with labels 0–9 for its first axis, kept and evaluated. */
export function randomBatch(xShape: number[]): [mt.Tensor, mt.Tensor] {
  const x = mt.keep(mt.random.normal(xShape)), y = mt.keep(mt.random.randint(0, 10, [xShape[0]!]));
  mt.evaluate(x, y);
  return [x, y];
}

/** The whole train step (loss, gradients, `opt`'s update) through `mt.compile`, the model and optimizer as its state; returns the loss. */
export function compiledStep(model: mt.nn.Module, opt: mt.optim.Optimizer): (x: mt.Tensor, y: mt.Tensor) => mt.Tensor {
  const valueAndGrad = nn.valueAndGrad(model, lossFn);
  return mt.compile((x: mt.Tensor, y: mt.Tensor) => {
    const [loss, grads] = valueAndGrad(model, x, y);
    opt.update(model, grads);
    return loss;
  }, { state: [model, opt] });
}
