// The MNIST example trains data-parallel under `mlx-tape launch -n 2`: both
// ranks end with the parameters of one process training on the same global
// batches, the metrics are the whole batch's, a stopped run resumes, and only
// rank 0 prints and writes.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { onGpu } from '../helpers/device.js';
import { launch, results, root, worker } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-dp-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The default CNN and Adam with augmentation; 4 steps an epoch (batches of 31, 31, 31, 1).
const flags = ['--epochs', '2', '--batch-size', '31'];

describe('the MNIST example, data-parallel', { timeout: 120_000 }, () => {
  test('2 ranks, stopped in epoch 2 and resumed, end where 1 process ends', async () => {
    const [one, stopped] = await Promise.all([
      launch(['-n', '1', worker('mnist.ts'), 'Infinity', ...flags, '--out', join(dir, 'one')], { limitMs: 90_000 }),
      launch(['-n', '2', worker('mnist.ts'), '5', ...flags, '--out', join(dir, 'two')], { limitMs: 90_000 }),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(results(stopped.stdout)[0]!.stopped).toBe(true);
    const resumed = await launch(['-n', '2', worker('mnist.ts'), 'Infinity', '--resume', '--out', join(dir, 'two')], { limitMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);

    const single = results(one.stdout)[0]!;
    const [r0, r1] = [results(resumed.stdout)[0]!, results(resumed.stdout)[1]!];
    expect(r0.stopped).toBe(false);
    // The all-reduce hands every rank the same bits: identical replicas, identical metrics.
    expect(r1.params).toEqual(r0.params);
    expect(r1.history).toEqual(r0.history);
    // Equal to one process up to float32 rounding (the sums run in another order),
    // and training moved them far more than that: the check is not vacuous. Not on
    // the GPU: TF32 matmuls of other batch sizes round differently and Adam scales
    // that noise up to ~lr per step on near-zero gradients (seen: 1e-3 to 5e-3).
    const flat = (v: number[][]): number[] => v.flat();
    const [p, q, initial] = [flat(single.params), flat(r0.params), flat(single.initial)];
    expect(q.length).toBe(p.length);
    expect(Math.max(...p.map((v, i) => Math.abs(v - initial[i]!)))).toBeGreaterThan(1e-2);
    if (!onGpu) q.forEach((v, i) => expect(Math.abs(v - p[i]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(p[i]!)));
    expect(r0.history).toHaveLength(2);
    r0.history.forEach((h: Record<string, number>, i: number) => {
      const s = single.history[i]!;
      expect(h.epoch).toBe(s.epoch);
      expect(Math.abs(h.testAccuracy - s.testAccuracy)).toBeLessThanOrEqual(onGpu ? 0.05 : 0);
      expect(h.trainLoss).toBeCloseTo(s.trainLoss, onGpu ? 2 : 5);
      expect(h.testLoss).toBeCloseTo(s.testLoss, onGpu ? 2 : 5);
    });
  });

  test('npx mlx-tape launch -n 2 examples/mnist/main.ts: rank 0 alone prints and writes', async () => {
    const out = join(dir, 'cli');
    const run = await launch(['-n', '2', join(root, 'examples/mnist/main.ts'), '--model', 'mlp', '--limit', '64', '--epochs', '1', '--batch-size', '32', '--out', out], { limitMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.every((l) => l.startsWith('[rank 0] ')), run.stdout).toBe(true);
    expect(run.stdout).toContain('data-parallel: 2 ranks share every batch of 32');
    expect(run.stdout).toMatch(/final test accuracy [\d.]+% after 1 epochs/);
    expect(readdirSync(out).sort()).toEqual(['best.safetensors', 'curves.svg', 'epoch-1-optimizer.safetensors', 'epoch-1.safetensors', 'run.json']);
    expect(existsSync(join(out, 'run.json.tmp'))).toBe(false);
  });
});
