// The MNIST example's training, timed: its default run (CNN, Adam, batch 64,
// 1-pixel shifts) on the real digits, for `--epochs` (default 2) epochs, run
// as it is under `mlx-tape launch -n N`. Any flag of the example may be
// added. Rank 0 prints one line `DIST {json}` with the last epoch's median
// step time, its training and evaluation seconds and the test accuracy.
//
//   node bin/mlx-tape.mjs launch -n 2 bench/distributed-mnist.ts [--epochs 2] [flags]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mt from '../src/index.js';
import { parseConfig } from '../examples/mnist/args.js';
import { train } from '../examples/mnist/train.js';

const world = mt.distributed.init();
const out = mkdtempSync(join(tmpdir(), 'mlx-tape-bench-'));
const parsed = parseConfig(['--epochs', '2', ...process.argv.slice(2), '--out', out]);
if (parsed === 'help') throw new Error('see npm run mnist -- --help');
const { config } = parsed;
const data = mt.data.mnistDigitsSplit();

// train() asks shouldStop after every step: the time between two asks is a step
// (the batch built, the forward and backward pass, the all-reduce, the update).
const stepsPerEpoch = Math.ceil(mt.data.size(data.train) / config.batchSize);
const asks: number[] = [];
const result = await train(config, data, { log: () => {}, progress: false, world, shouldStop: () => (asks.push(performance.now()), false) });
rmSync(out, { recursive: true, force: true });

const last = asks.slice(-stepsPerEpoch);
const steps = last.slice(1).map((t, i) => t - last[i]!).sort((a, b) => a - b);
const stepMs = steps[Math.floor(steps.length / 2)]!;
const record = result.history.at(-1)!;
// The epoch's first step follows the previous epoch's evaluation: count it as a median step.
const trainS = (last.at(-1)! - last[0]! + stepMs) / 1000;
if (world.rank === 0) {
  console.log(`DIST ${JSON.stringify({
    ranks: world.size, batch: config.batchSize, samples: mt.data.size(data.train), stepsPerEpoch, stepMs, trainS, evalS: record.seconds - trainS, epochS: record.seconds,
    epochs: record.epoch, testAccuracy: record.testAccuracy,
  })}`);
}
