// Run by mnist.test.ts under `mlx-tape launch -n 1|2`: the MNIST example's
// train() on a tiny subset of the digits, data-parallel over the launched
// ranks, stopped after a given number of steps (as Ctrl-C would) or resumed.
//   mnist.ts <stop after N steps> [example flags...]
// Reports the final parameters and the history of every rank.
import * as mt from '../../../src/index.js';
import { parseConfig, resumeConfig } from '../../../examples/mnist/args.js';
import { makeModel } from '../../../examples/mnist/models.js';
import { readRunState, train } from '../../../examples/mnist/train.js';
import { report } from './report.js';

const world = mt.distributed.init();
const [stopAfter = 'Infinity', ...flags] = process.argv.slice(2);
const parsed = parseConfig(flags);
if (parsed === 'help') throw new Error('no --help here');
const config = parsed.config.resume ? resumeConfig(readRunState(parsed.config.out).config, parsed.config, parsed.given) : parsed.config;

// 94 samples: with --batch-size 31 the shares are uneven (15 and 16) and the
// last batch of 1 leaves rank 0 of 2 nothing.
const digits = mt.data.mnistDigitsSplit();
const data = {
  train: mt.data.subset(digits.train, mt.data.permutation(8000, 1).subarray(0, 94)),
  test: mt.data.subset(digits.test, mt.data.permutation(2000, 1).subarray(0, 51)),
};
mt.random.seed(config.seed); // the weights train() starts from
report('initial', mt.treeFlatten(makeModel(config.model, 28, 10).parameters()).map((p) => Array.from(p.toTypedArray() as Float32Array)));
let steps = 0;
const result = await train(config, data, { log: () => {}, progress: false, shouldStop: () => ++steps > Number(stopAfter), world });
report('stopped', result.stopped);
report('history', result.history.map(({ seconds: _, ...h }) => h));
report('params', mt.treeFlatten(result.model.parameters()).map((p) => Array.from(p.toTypedArray() as Float32Array)));
