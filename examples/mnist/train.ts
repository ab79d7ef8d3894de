// The training loop: MLX style (nn.valueAndGrad + optimizer.update), one
// evaluation of the test set per epoch, checkpoints after every epoch.
// Data-parallel under `mlx-tape launch -n N`: every rank takes its share of
// each global batch and the gradients are averaged, so the updates are those
// of one process training on the whole batch.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mt from '../../src/index.js';
import { nn, optim, type data } from '../../src/index.js';
import type { Config } from './args.js';
import { randomShift } from './augment.js';
import { curvesSvg, type EpochRecord } from './curves.js';
import { makeModel } from './models.js';
import { startProgress } from './progress.js';

/** What `run.json` in the output folder holds: enough to resume and to redraw the curves. */
interface RunState {
  config: Config;
  /** Epochs finished; the weights and optimizer state after the last are in `epoch-<n>*.safetensors`. */
  epochsDone: number;
  history: EpochRecord[];
  best: EpochRecord | null;
}

/** How a run talks to the outside: where lines go, whether to draw progress bars, when to stop. */
export interface RunIO {
  log: (line: string) => void;
  progress: boolean;
  /** Checked after every batch; true stops the run, keeping the last finished epoch's checkpoint. */
  shouldStop: () => boolean;
  /**
   * The processes that train together, data-parallel (`mt.distributed.init()`);
   * default: this process alone. Only rank 0 writes files; `log` and
   * `progress` are the caller's to silence on the other ranks.
   */
  world?: mt.distributed.Group;
}

export interface RunResult {
  history: EpochRecord[];
  best: EpochRecord | null;
  /** True when `shouldStop` ended the run early. */
  stopped: boolean;
  model: nn.Module;
}

/** Rows `[start, stop)` of `n` that are rank `rank`'s of `size`: consecutive, nearly equal blocks (possibly empty). */
function share(n: number, rank: number, size: number): [number, number] {
  return [Math.floor((n * rank) / size), Math.floor((n * (rank + 1)) / size)];
}

/**
 * Mean loss and accuracy of `model` over a dataset, without recording
 * gradients. With a `world` of several ranks, each scores its share of the
 * dataset and the sums are added up over the ranks.
 */
export function evaluateModel(model: nn.Module, ds: data.Dataset, batchSize = 1000, world?: mt.distributed.Group): { loss: number; accuracy: number } {
  const n = mt.data.size(ds);
  const parallel = world !== undefined && world.size > 1;
  if (parallel) {
    const [start, stop] = share(n, world.rank, world.size);
    ds = mt.data.subset(ds, Int32Array.from({ length: stop - start }, (_, i) => start + i));
  }
  model.eval();
  let loss = 0, correct = 0;
  for (const b of new mt.data.DataLoader(ds, { batchSize, shuffle: false }).epoch(0)) {
    mt.tidy(() => mt.noGrad(() => {
      const logits = model.forward(b.x) as mt.Tensor;
      loss += Number(nn.losses.crossEntropy(logits, b.y, { reduction: 'sum' }).item());
      correct += Number(mt.sum(mt.equal(mt.argmax(logits, -1), b.y)).item());
    }));
    mt.dispose(b);
  }
  model.train();
  if (parallel) {
    // float32 holds the counts exactly (n < 2^24) and the loss sum to ~7 digits.
    [loss, correct] = mt.distributed.allSum(mt.tensor([loss, correct], 'float32'), world).toArray() as number[];
  }
  return { loss: loss / n, accuracy: correct / n };
}

function makeOptimizer(config: Config, stepsPerEpoch: number): optim.Optimizer {
  // Cosine decay from the peak rate to 0 over the whole run: a function of the
  // step count, which the optimizer's saved state restores on --resume.
  const learningRate = optim.cosineDecay(config.lr, config.epochs * stepsPerEpoch);
  switch (config.optimizer) {
    case 'sgd': return new optim.SGD({ learningRate, momentum: 0.9, nesterov: true });
    case 'adam': return new optim.Adam({ learningRate });
    case 'adamw': return new optim.AdamW({ learningRate, weightDecay: 0.01 });
  }
}

/** Writes a file atomically: a temporary file, then a rename. */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const weightsFile = (out: string, epoch: number): string => join(out, `epoch-${epoch}.safetensors`);
const optimizerFile = (out: string, epoch: number): string => join(out, `epoch-${epoch}-optimizer.safetensors`);

/** Deletes the checkpoints of every epoch but `keep` (the previous epoch's, or a replaced run's). */
function removeOtherEpochs(out: string, keep: number): void {
  for (const f of readdirSync(out)) {
    const m = /^epoch-(\d+)(-optimizer)?\.safetensors$/.exec(f);
    if (m && Number(m[1]) !== keep) rmSync(join(out, f), { force: true });
  }
}

/** The saved run in `out`, or an error saying why there is none to resume. */
export function readRunState(out: string): RunState {
  const path = join(out, 'run.json');
  if (!existsSync(path)) throw new Error(`--resume: no run to resume in ${out} (no run.json); train without --resume first`);
  return JSON.parse(readFileSync(path, 'utf8')) as RunState;
}

/**
 * Trains `config.model` on `data.train`, scoring `data.test` after every epoch,
 * and writes to `config.out`: the best weights (`best.safetensors`), the last
 * finished epoch's weights and optimizer state, `run.json` and `curves.svg`.
 * With `config.resume` it continues the run saved there.
 */
export async function train(config: Config, dataset: { train: data.Dataset; test: data.Dataset }, io: RunIO): Promise<RunResult> {
  const { train: trainSet, test: testSet } = dataset;
  const world = io.world;
  const writes = (world?.rank ?? 0) === 0;
  const side = trainSet.sampleShape[0]!;
  mt.random.seed(config.seed); // the initial weights
  const model = makeModel(config.model, side, trainSet.numClasses);
  const loader = new mt.data.DataLoader(trainSet, {
    batchSize: config.batchSize,
    seed: config.seed,
    transform: config.shift > 0 ? randomShift(config.shift) : undefined,
  });
  const opt = makeOptimizer(config, loader.length);
  if (writes) mkdirSync(config.out, { recursive: true });

  let state: RunState = { config, epochsDone: 0, history: [], best: null };
  if (!config.resume && existsSync(join(config.out, 'run.json'))) {
    io.log(`starting a new run in ${config.out}: it replaces the run saved there after the first epoch (--resume continues that one instead)`);
  }
  if (config.resume) {
    state = { ...readRunState(config.out), config };
    if (state.epochsDone > 0) {
      model.loadWeights(weightsFile(config.out, state.epochsDone));
      opt.loadState(optimizerFile(config.out, state.epochsDone));
    }
    io.log(state.epochsDone >= config.epochs
      ? `the run in ${config.out} already finished ${state.epochsDone} epochs; --epochs N extends it`
      : `resuming after epoch ${state.epochsDone} of ${config.epochs} (best test accuracy so far ${state.best ? pct(state.best.testAccuracy) : '-'})`);
  }

  const lossFn = (m: nn.Module, x: mt.Tensor, y: mt.Tensor): mt.Tensor => nn.losses.crossEntropy(m.forward(x) as mt.Tensor, y, { reduction: 'mean' });
  const step = nn.valueAndGrad(model, lossFn);
  /** The mean loss over a global batch and its gradients; with several ranks, from this rank's share. */
  const batchStep = (batch: data.Batch): [mt.Tensor, nn.ParamTree] => {
    if (world === undefined || world.size === 1) return step(model, batch.x, batch.y);
    return mt.tidy(() => {
      const [start, stop] = share(batch.size, world.rank, world.size);
      let local: [mt.Tensor, nn.ParamTree];
      if (start === stop) {
        // A batch smaller than the world leaves this rank nothing; it still takes part in the all-reduce.
        local = [mt.zeros([]), nn.treeMap(model.trainableParameters(), (p) => mt.zerosLike(p))];
      } else {
        const rows = (t: mt.Tensor): mt.Tensor => mt.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [stop, ...t.shape.slice(1)]);
        const [loss, grads] = step(model, rows(batch.x), rows(batch.y));
        // Weighted by the share's size, so that the average over the ranks is the
        // whole batch's mean (and its gradient) even when the shares differ.
        const weight = ((stop - start) * world.size) / batch.size;
        local = weight === 1 ? [loss, grads] : [mt.multiply(loss, weight), nn.treeMap(grads, (g) => mt.multiply(g, weight))];
      }
      // The loss rides along in the gradients' one fused all-reduce.
      return mt.distributed.averageGradients(local, { group: world });
    });
  };
  // --compile: the whole step (loss, gradients, update) through mt.compile.
  if (config.compile && world !== undefined && world.size > 1) throw new Error('--compile runs one process; launch without it for data-parallel training');
  const compiledStep = config.compile
    ? mt.compile((x: mt.Tensor, y: mt.Tensor) => {
      const [loss, grads] = step(model, x, y);
      opt.update(model, grads);
      return loss;
    }, { state: [model, opt] })
    : undefined;
  const title = `${config.model.toUpperCase()} · ${config.data ?? 'mnist package digits'} · ${config.optimizer} lr ${config.lr} · batch ${config.batchSize} · seed ${config.seed}`;

  for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
    const started = performance.now();
    const bar = io.progress ? startProgress(`epoch ${epoch + 1}/${config.epochs}`, mt.data.size(trainSet)) : null;
    let lossSum = 0, seen = 0;
    for (const batch of loader.epoch(epoch)) {
      let loss: mt.Tensor;
      if (compiledStep) {
        loss = compiledStep(batch.x, batch.y);
        mt.evaluate(loss, ...mt.treeFlatten(model.parameters()), ...mt.treeFlatten(opt.state));
      } else {
        let grads: nn.ParamTree;
        [loss, grads] = batchStep(batch);
        opt.update(model, grads, { evaluate: [loss] }); // forward, backward and update in one MLX evaluation
        mt.dispose(grads);
      }
      lossSum += Number(loss.item()) * batch.size;
      seen += batch.size;
      mt.dispose([loss, batch]);
      bar?.update(seen, lossSum / seen);
      await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C and the progress bar in
      if (io.shouldStop()) break;
    }
    bar?.stop();
    if (io.shouldStop()) {
      io.log(`stopped during epoch ${epoch + 1}; ${state.epochsDone ? `the checkpoint of epoch ${state.epochsDone} is kept in ${config.out} (--resume continues from it)` : 'no epoch had finished, nothing was saved'}`);
      return { history: state.history, best: state.best, stopped: true, model };
    }
    const test = evaluateModel(model, testSet, 1000, world);
    const record: EpochRecord = { epoch: epoch + 1, trainLoss: lossSum / seen, testLoss: test.loss, testAccuracy: test.accuracy, seconds: (performance.now() - started) / 1000 };
    const isBest = !state.best || record.testAccuracy > state.best.testAccuracy;
    state = { config, epochsDone: record.epoch, history: [...state.history, record], best: isBest ? record : state.best };
    if (writes) {
      // Save the new epoch, commit it by rewriting run.json (atomic), then drop the previous one.
      model.saveWeights(weightsFile(config.out, record.epoch));
      opt.saveState(optimizerFile(config.out, record.epoch));
      if (isBest) model.saveWeights(join(config.out, 'best.safetensors'));
      writeAtomic(join(config.out, 'run.json'), JSON.stringify(state, null, 2) + '\n');
      removeOtherEpochs(config.out, record.epoch);
      writeAtomic(join(config.out, 'curves.svg'), curvesSvg(state.history, title));
    }
    io.log(
      `epoch ${String(record.epoch).padStart(String(config.epochs).length)}/${config.epochs}` +
        `  train loss ${record.trainLoss.toFixed(4)}  test loss ${record.testLoss.toFixed(4)}` +
        `  test acc ${pct(record.testAccuracy)}  ${record.seconds.toFixed(1)}s${isBest ? '  *best' : ''}`,
    );
  }
  return { history: state.history, best: state.best, stopped: false, model };
}

export const pct = (a: number): string => `${(a * 100).toFixed(2)}%`;
