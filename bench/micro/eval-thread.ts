// Where eval runs (native/src/evaluate.cc), A/B in one process: W1 and W2
// eager train steps alternating between the addon's evaluation thread and the
// JS thread, median ms of each. BENCH_DEVICE=gpu runs them on the GPU.
//   node --import tsx bench/micro/eval-thread.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, trainer } from '../models.js';

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
const WARMUP = 50, RUNS = 60;
const buildDefault = native.evalOnJsThread(false);
for (const [name, step] of [['W1', trainer(new Mlp(), [128, 784])], ['W2', trainer(new Cnn(), [64, 28, 28, 1])]] as const) {
  const times: Record<string, number[]> = { 'its thread': [], 'JS thread': [] };
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const where = i % 2 ? 'JS thread' : 'its thread';
    native.evalOnJsThread(where === 'JS thread');
    const t = performance.now();
    step();
    if (i >= WARMUP) times[where]!.push(performance.now() - t);
  }
  const median = (v: number[]): string => v.sort((p, q) => p - q)[v.length >> 1]!.toFixed(3);
  console.log(`${mt.defaultDevice()} ${name} eager: eval on its thread ${median(times['its thread']!)} ms, on the JS thread ${median(times['JS thread']!)} ms`);
}
native.evalOnJsThread(buildDefault);
