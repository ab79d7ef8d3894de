// The median ms of W1's eager train step (or with W=W4, W4's inference of the
// same MLP on batch 1024) as the bench builds them, after V8's warm-up: the
// steps whose time is mostly matrix products, for bench/micro/ab.sh, which
// reads the last number:
//   W=W4 bash bench/micro/ab.sh <before> <after> 8 bench/micro/linear-steps.ts
import * as mt from '../../src/index.js';
import { JIT_WARMUP_STEPS, Mlp, sortedStepMs, trainer } from '../models.js';

mt.random.seed(0);
const w = process.env.W === 'W4' ? 'W4' : 'W1';
let step: () => void;
if (w === 'W1') {
  step = trainer(new Mlp(), [128, 784]);
} else {
  const model = new Mlp(), x = mt.random.normal([1024, 784]).eval();
  step = () => {
    const y = mt.tidy(() => mt.noGrad(() => model.forward(x)));
    y.eval();
    y.dispose();
  };
}
const ms = sortedStepMs(step, 200, w === 'W1' ? JIT_WARMUP_STEPS : 50);
console.log(`${w} median ms ${ms[100]!.toFixed(3)}`);
