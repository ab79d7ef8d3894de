// How many train steps V8 needs before mlx-tape's host work per step settles:
// from a fresh process, W1's (or with `W2`, W2's) eager step with MLX's eval
// stubbed out (graph, tape and rules, update, disposal: bench/micro/host-work.ts),
// µs per step in windows of 200 steps, each window followed by one real step
// that evaluates what it left. V8 optimizes a function only after its
// bytecode has run a budget that grows with the function's size, so the
// tape's and the optimizer's once-a-step functions reach TurboFan after
// thousands of steps (`node --trace-opt`). bench/gpu.ts warms up by this.
// BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/jit-warmup.ts [W2]
import * as mt from '../../src/index.js';
import { Cnn, hostWorkMs, Mlp, trainer } from '../models.js';

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
mt.random.seed(0);
const w = process.argv.includes('W2') ? 'W2' : 'W1';
const step = w === 'W2' ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
const windows: string[] = [];
for (let done = 0; done < 8000; done += 201) windows.push(`${done}: ${(hostWorkMs(step, 200) * 1e3).toFixed(0)}`);
console.log(`mlx-tape ${w} host work, µs per step, by steps done before each window of 200:\n${windows.join(', ')}`);
