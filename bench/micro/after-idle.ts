// Each step's time in rounds of 5 W1 or W2 steps, each round after a pause
// (PAUSE ms, default 300; 0: none), as the bench's rotation leaves each peer
// idle while the others run: how long the first steps after idle take.
//   node --import tsx bench/micro/after-idle.ts [W1|W2]
import * as mt from '../../src/index.js';
import { Cnn, Mlp, trainer } from '../models.js';

mt.random.seed(0);
const w2 = process.argv[2] === 'W2';
const step = w2 ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
for (let i = 0; i < 5; i++) step();
const pause = Number(process.env.PAUSE ?? 300);
for (let r = 0; r < 6; r++) {
  await new Promise((resolve) => setTimeout(resolve, pause));
  const times: string[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    step();
    times.push((performance.now() - t).toFixed(1));
  }
  console.log(`${w2 ? 'W2' : 'W1'} after ${pause} ms idle: ${times.join(' ')} ms`);
}
