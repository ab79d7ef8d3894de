// The MNIST example end to end: training reaches well above chance, the CNN's
// loss falls (conv and max-pool gradients), --resume and Ctrl-C keep their promises.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { nn, optim } from '../../src/index.js';
import { parseConfig, type Config } from '../../examples/mnist/args.js';
import { cnn } from '../../examples/mnist/models.js';
import { train, type RunIO } from '../../examples/mnist/train.js';

const root = mkdtempSync(join(tmpdir(), 'mlx-tape-mnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const digits = mt.data.mnistDigitsSplit();
const small = {
  train: mt.data.subset(digits.train, mt.data.permutation(8000, 1).subarray(0, 400)),
  test: mt.data.subset(digits.test, mt.data.permutation(2000, 1).subarray(0, 400)),
};

function config(over: Partial<Config>): Config {
  const parsed = parseConfig([]);
  if (parsed === 'help') throw new Error('unreachable');
  return { ...parsed.config, model: 'mlp', epochs: 2, batchSize: 32, out: mkdtempSync(join(root, 'run-')), ...over };
}
const quiet = (shouldStop = () => false): RunIO => ({ log: () => {}, progress: false, shouldStop });

describe('the MNIST example', () => {
  test('the MLP learns the digits well above chance from 400 samples', async () => {
    const c = config({ epochs: 4 });
    const { history, best } = await train(c, small, quiet());
    expect(history).toHaveLength(4);
    expect(history[3]!.trainLoss).toBeLessThan(history[0]!.trainLoss);
    expect(best!.testAccuracy).toBeGreaterThan(0.6); // chance is 0.1
    for (const f of ['best.safetensors', 'epoch-4.safetensors', 'epoch-4-optimizer.safetensors', 'run.json', 'curves.svg']) {
      expect(existsSync(join(c.out, f))).toBe(true);
    }
    expect(existsSync(join(c.out, 'epoch-3.safetensors'))).toBe(false); // only the last epoch is kept
    expect(readFileSync(join(c.out, 'curves.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*<path d="M[\s\S]*<\/svg>\n$/);
  });

  test('--compile trains as the eager loop does (the whole step through mt.compile)', async () => {
    const eager = await train(config({ epochs: 2 }), small, quiet());
    const compiled = await train(config({ epochs: 2, compile: true }), small, quiet());
    eager.history.forEach((e, i) => {
      const c = compiled.history[i]!;
      expect(Math.abs(c.trainLoss - e.trainLoss)).toBeLessThan(1e-3 * e.trainLoss);
      expect(Math.abs(c.testAccuracy - e.testAccuracy)).toBeLessThanOrEqual(2 / 400); // fused kernels round differently
    });
  });

  test('the CNN loss falls in a few steps (conv and max-pool gradients end to end)', () => {
    mt.random.seed(0);
    const model = cnn(28, 10);
    const [batch] = new mt.data.DataLoader(small.train, { batchSize: 64, seed: 0 }).epoch(0);
    const step = nn.valueAndGrad(model, (m: nn.Module, x: mt.Tensor, y: mt.Tensor) => nn.losses.crossEntropy(m.forward(x) as mt.Tensor, y, { reduction: 'mean' }));
    const opt = new optim.Adam({ learningRate: 3e-3 });
    const losses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const [loss, grads] = step(model, batch!.x, batch!.y);
      if (i === 0) {
        // Every layer gets a gradient, the convolutions included.
        for (const [name, g] of nn.flattenNamed(grads)) expect(Number(mt.sum(mt.abs(g)).item()), name).toBeGreaterThan(0);
      }
      opt.update(model, grads);
      losses.push(Number(loss.item()));
      mt.dispose([loss, grads]);
    }
    expect(losses[0]).toBeGreaterThan(2); // ≈ ln 10 at the start
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
  });

  test('a run stopped mid-epoch and resumed ends exactly where an uninterrupted run ends', async () => {
    const straight = config({ epochs: 2, seed: 3 });
    const a = await train(straight, small, quiet());

    // Stop a second run a few batches into epoch 2, as Ctrl-C would ...
    const interrupted = config({ epochs: 2, seed: 3 });
    let batches = 0;
    const b = await train(interrupted, small, quiet(() => ++batches > 13 + 3)); // 13 batches of 32 in an epoch of 400
    expect(b.stopped).toBe(true);
    expect(b.history).toHaveLength(1);
    const saved = JSON.parse(readFileSync(join(interrupted.out, 'run.json'), 'utf8'));
    expect(saved.epochsDone).toBe(1);

    // ... then resume it.
    const c = await train({ ...interrupted, resume: true }, small, quiet());
    expect(c.history).toEqual(a.history.map((h, i) => ({ ...h, seconds: c.history[i]!.seconds })));
    const wa = a.model.namedParameters(), wc = c.model.namedParameters();
    wa.forEach(([name, p], i) => expect(Array.from(wc[i]![1].toTypedArray() as Float32Array), name).toEqual(Array.from(p.toTypedArray() as Float32Array)));
  });

  test('resuming a folder without a run says so', async () => {
    const c = config({ resume: true });
    await expect(train(c, small, quiet())).rejects.toThrow(`--resume: no run to resume in ${c.out} (no run.json)`);
  });

  test('npm run mnist: Ctrl-C stops after the current batch and keeps the last checkpoint', async () => {
    const out = mkdtempSync(join(root, 'cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/mnist/main.ts', '--model', 'mlp', '--epochs', '50', '--limit', '2000', '--batch-size', '50', '--out', out], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/epoch +1\/50/.test(stdout) && !child.killed) child.kill('SIGINT'); // after the first epoch line
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(stderr).toContain('stopping after this batch');
    expect(stdout).toMatch(/stopped during epoch 2; the checkpoint of epoch 1 is kept in/);
    expect(code).toBe(130);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).epochsDone).toBe(1);
    expect(existsSync(join(out, 'epoch-1.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'best.safetensors'))).toBe(true);
  });
});
