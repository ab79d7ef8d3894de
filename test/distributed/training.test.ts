// Data-parallel training over 2 local processes ends where one process
// training on the full batch ends, and both replicas stay identical.
import { describe, expect, test } from 'vitest';
import { launch, results, worker } from './run.js';

/** Every number of a nested list, in order. */
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(numbers) : [v as number]);

describe.each(['ops', 'nn'])('data-parallel training (%s)', (variant) => {
  test('2 ranks on half batches match 1 process on the full batch', async () => {
    const steps = '6';
    const [single, parallel] = await Promise.all([
      launch(['-n', '1', worker('train.ts'), variant, steps]),
      launch(['-n', '2', worker('train.ts'), variant, steps]),
    ]);
    expect(single.code, single.stderr).toBe(0);
    expect(parallel.code, parallel.stderr).toBe(0);
    const one = numbers(results(single.stdout)[0]!.params);
    const r = results(parallel.stdout);
    const [p0, p1] = [numbers(r[0]!.params), numbers(r[1]!.params)];
    expect(p0.length).toBeGreaterThan(0);
    // The all-reduce hands every rank the same bits, so the replicas are identical.
    expect(p1).toEqual(p0);
    expect(p0.length).toBe(one.length);
    // Summation order differs from the full-batch mean: equal to float32 rounding.
    p0.forEach((v, i) => expect(Math.abs(v - one[i]!)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(one[i]!)));
    // ...and training moved them far more than that: the check is not vacuous.
    const initial = numbers(results(single.stdout)[0]!.initial);
    expect(Math.max(...one.map((v, i) => Math.abs(v - initial[i]!)))).toBeGreaterThan(1e-2);
  });
});
