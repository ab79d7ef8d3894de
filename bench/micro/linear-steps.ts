// The median ms of W1's eager train step (or with W=W4, W4's inference of the
// same MLP on batch 1024; with W=W2, W2's train step) as the bench builds
// them, after V8's warm-up: the steps whose time is mostly matrix products,
// for bench/micro/ab.sh, which reads the last number:
//   W=W4 bash bench/micro/ab.sh <before> <after> 8 bench/micro/linear-steps.ts
import * as mt from '../../src/index.js';
import { Cnn, JIT_WARMUP_STEPS, Mlp, sortedStepMs, trainer } from '../models.js';

mt.random.seed(0);
const w = process.env.W === 'W4' || process.env.W === 'W2' ? process.env.W : 'W1';
let step: () => void;
if (w === 'W1') {
  step = trainer(new Mlp(), [128, 784]);
} else if (w === 'W2') {
  step = trainer(new Cnn(), [64, 28, 28, 1]);
} else {
  const model = new Mlp(), x = mt.random.normal([1024, 784]).eval();
  step = () => {
    const y = mt.tidy(() => mt.noGrad(() => model.forward(x)));
    y.eval();
    y.dispose();
  };
}
// W2's steps take ~20 ms: fewer of them, and V8's warm-up is a small part of each.
const [n, warmup] = w === 'W2' ? [60, 100] : [200, w === 'W1' ? JIT_WARMUP_STEPS : 50];
const ms = sortedStepMs(step, n, warmup);
console.log(`${w} median ms ${ms[n / 2]!.toFixed(3)}`);
