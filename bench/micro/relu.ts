// ReLU forward on [1024, 512] float32 (W4's activations): mt.relu (a compiled
// MLX kernel, as MLX-Python's nn.relu) against mt.maximum(x, 0) (MLX's Maximum
// primitive). Median ms of 400 evaluations after 50 warm-ups, three rounds.
// bench/micro/relu.py is MLX-Python's side.
//   node --import tsx bench/micro/relu.ts
import * as mt from '../../src/index.js';
import { sortedStepMs } from '../models.js';

const x = mt.random.normal([1024, 512]).eval();
const median = (f: (t: mt.Tensor) => mt.Tensor): number => sortedStepMs(() => mt.tidy(() => void f(x).eval()), 400, 50)[200]!;
for (let round = 0; round < 3; round++) {
  console.log(`mt.relu ${median(mt.relu).toFixed(3)} ms   mt.maximum(x, 0) ${median((t) => mt.maximum(t, 0)).toFixed(3)} ms`);
}
