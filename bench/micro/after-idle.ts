// Each step's time in rounds of STEPS (default 5) W1 or W2 steps, each round
// after a pause (PAUSE ms, default 300; 0: none), as the bench's rotation
// leaves each peer idle while the others run: how long the first steps after
// idle take, and (with more steps) how many it takes to get back to speed.
// The last line has each position's median over the rounds.
//   node --import tsx bench/micro/after-idle.ts [W1|W2]
//   STEPS=40 ROUNDS=12 node --import tsx bench/micro/after-idle.ts W1
import * as mt from '../../src/index.js';
import { Cnn, JIT_WARMUP_STEPS, Mlp, trainer } from '../models.js';

mt.random.seed(0);
const w2 = process.argv[2] === 'W2';
const step = w2 ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
for (let i = 0; i < (w2 ? 100 : JIT_WARMUP_STEPS); i++) step(); // V8's warm-up, as in the bench
const pause = Number(process.env.PAUSE ?? 300), steps = Number(process.env.STEPS ?? 5), rounds = Number(process.env.ROUNDS ?? 6);
const byPosition: number[][] = Array.from({ length: steps }, () => []);
for (let r = 0; r < rounds; r++) {
  await new Promise((resolve) => setTimeout(resolve, pause));
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step();
    byPosition[i]!.push(performance.now() - t);
  }
  if (steps <= 10) console.log(`${w2 ? 'W2' : 'W1'} after ${pause} ms idle: ${byPosition.map((ts) => ts[r]!.toFixed(1)).join(' ')} ms`);
}
const median = (ts: number[]): number => [...ts].sort((a, b) => a - b)[ts.length >> 1]!;
console.log(`median ms by step after ${pause} ms idle (${rounds} rounds): ${byPosition.map((ts) => median(ts).toFixed(2)).join(' ')}`);
