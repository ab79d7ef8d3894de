// The MNIST example's pieces that need no training: flags, augmentation, the SVG curves.
import { describe, expect, test } from 'vitest';
import { defaults, parseConfig, resumeConfig, UsageError, type Config } from '../../examples/mnist/args.js';
import { randomShift } from '../../examples/mnist/augment.js';
import { curvesSvg } from '../../examples/mnist/curves.js';
import * as mt from '../../src/index.js';

function parse(...argv: string[]): { config: Config; given: Set<keyof Config> } {
  const r = parseConfig(argv);
  if (r === 'help') throw new Error('help');
  return r;
}

describe('flags', () => {
  test('defaults: the CNN with Adam on the digits', () => {
    const { config } = parse();
    expect(config).toEqual({
      model: 'cnn', optimizer: 'adam', ...defaults('cnn', 'adam'), batchSize: 64, seed: 0, device: 'cpu',
      data: undefined, out: 'out/mnist', resume: false, limit: 0, shift: 1, compile: false,
    });
  });

  test('every flag is read', () => {
    const { config, given } = parse('--model', 'mlp', '--epochs', '3', '--batch-size=32', '--lr', '0.1', '--optimizer', 'sgd',
      '--seed', '7', '--device', 'gpu', '--data', '/d', '--out', 'o', '--resume', '--limit', '100', '--shift', '0', '--compile');
    expect(config).toEqual({
      model: 'mlp', epochs: 3, batchSize: 32, lr: 0.1, optimizer: 'sgd', seed: 7, device: 'gpu', data: '/d', out: 'o', resume: true, limit: 100, shift: 0, compile: true,
    });
    expect([...given].sort()).toEqual(['batchSize', 'compile', 'data', 'device', 'epochs', 'limit', 'lr', 'model', 'optimizer', 'out', 'resume', 'seed', 'shift']);
  });

  test('the learning rate and epochs default by model and optimizer', () => {
    expect(parse('--optimizer', 'sgd').config.lr).toBe(defaults('cnn', 'sgd').lr);
    expect(parse('--model', 'mlp').config.epochs).toBe(defaults('mlp', 'adam').epochs);
  });

  test('help', () => {
    expect(parseConfig(['-h'])).toBe('help');
  });

  test('bad values name the flag', () => {
    expect(() => parse('--model', 'rnn')).toThrow(new UsageError("--model must be one of mlp, cnn, got 'rnn'"));
    expect(() => parse('--epochs', '0')).toThrow("--epochs must be an integer >= 1, got '0'");
    expect(() => parse('--batch-size', '2.5')).toThrow("--batch-size must be an integer >= 1, got '2.5'");
    expect(() => parse('--lr=-1')).toThrow("--lr must be a positive number, got '-1'");
    expect(() => parse('--lr', 'fast')).toThrow("--lr must be a positive number, got 'fast'");
    expect(() => parse('--optimizer', 'rmsprop')).toThrow(UsageError);
    expect(() => parse('--colour')).toThrow(/Unknown option '--colour'/);
  });

  test('--resume takes the saved settings; --epochs may extend the run', () => {
    const saved = parse('--model', 'mlp', '--lr', '0.01', '--epochs', '4').config;
    const cli = parse('--resume', '--epochs', '6');
    expect(resumeConfig(saved, cli.config, cli.given)).toEqual({ ...saved, epochs: 6, resume: true });
    const same = parse('--resume', '--model', 'mlp');
    expect(resumeConfig(saved, same.config, same.given).model).toBe('mlp');
  });

  test('--resume refuses settings that differ from the saved run', () => {
    const saved = parse('--model', 'mlp').config;
    const cli = parse('--resume', '--model', 'cnn');
    expect(() => resumeConfig(saved, cli.config, cli.given)).toThrow('--model cnn differs from the run in out/mnist (mlp)');
  });
});

describe('randomShift', () => {
  const sampleShape = [3, 3, 1];
  const image = () => Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // next() % 3 - 1 gives the shift: values 0, 1, 2 mean -1, 0, +1.
  const fixed = (...values: number[]) => () => values.shift()!;

  test('moves an image down and right, filling with 0', () => {
    const x = image();
    randomShift(1)({ x, y: new Int32Array(1), sampleShape }, fixed(2, 2));
    expect(Array.from(x)).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
  });

  test('moves an image up and left', () => {
    const x = image();
    randomShift(1)({ x, y: new Int32Array(1), sampleShape }, fixed(0, 0));
    expect(Array.from(x)).toEqual([5, 6, 0, 8, 9, 0, 0, 0, 0]);
  });

  test('each image of a batch gets its own shift; labels are untouched', () => {
    const x = Float32Array.from([...image(), ...image()]);
    const y = Int32Array.from([4, 2]);
    randomShift(1)({ x, y, sampleShape }, fixed(1, 1, 1, 2));
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 0, 4, 5, 0, 7, 8]);
    expect(Array.from(y)).toEqual([4, 2]);
  });

  test('through a DataLoader, the same seed gives the same augmented batches', () => {
    const ds: mt.data.Dataset = { x: Float32Array.from({ length: 4 * 9 }, (_, i) => i), y: new Int32Array(4), sampleShape, numClasses: 1 };
    const read = () => {
      const [b] = new mt.data.DataLoader(ds, { batchSize: 4, seed: 5, transform: randomShift(1) }).epoch(2);
      const v = Array.from(b!.x.toTypedArray() as Float32Array);
      mt.dispose(b);
      return v;
    };
    expect(read()).toEqual(read());
  });
});

describe('curvesSvg', () => {
  const history = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, testLoss: 1.2 / epoch, testAccuracy: 0.9 + epoch / 100, seconds: 1 }));

  test('draws a loss panel with two lines and an accuracy panel with one', () => {
    const svg = curvesSvg(history, 'CNN <digits> & more');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(9);
    expect(svg).toContain('test accuracy (%)');
    expect(svg).toContain('CNN &lt;digits> &amp; more'); // the title is escaped
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  test('one epoch or none still gives a valid picture', () => {
    expect(curvesSvg(history.slice(0, 1), 't')).not.toMatch(/NaN|Infinity|undefined/);
    expect(curvesSvg([], 't')).not.toMatch(/NaN|Infinity|undefined/);
  });
});
