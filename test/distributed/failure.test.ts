// A rank that dies or never connects makes the others fail with a clear
// error within a bounded time, with or without the launcher; the launcher
// exits non-zero naming the rank.
import { afterAll, describe, expect, test } from 'vitest';
import { launch, loopbackRing, runWorker, worker } from './run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The environment of `rank` in a 2-rank loopback ring (what the launcher sets),
 * init giving up after `initTimeoutMs`.
 */
async function ringEnv(initTimeoutMs = 3000): Promise<(rank: number) => Record<string, string>> {
  const file = join(mkdtempSync(join(dir, 'ring-')), 'hostfile.json');
  writeFileSync(file, await loopbackRing(2));
  return (rank) => ({ MLX_RANK: String(rank), MLX_HOSTFILE: file, MLX_TAPE_INIT_TIMEOUT_MS: String(initTimeoutMs) });
}

describe('without the launcher', { timeout: 90_000 }, () => {
  test('a peer dying mid-training: the survivor fails at its next collective', async () => {
    // Both ranks must connect first, so no short init timeout here (the 'alone' tests need one): under
    // the whole GPU suite's load rank 1 once exited with code 1 before its planned exit. Its stderr
    // was not kept then; the assertion message carries it now.
    const env = await ringEnv(30_000);
    const [r0, r1] = await Promise.all([0, 1].map((rank) => runWorker('fail.ts', ['mid'], { env: env(rank), limitMs: 60_000 })));
    expect(r1!.code, r1!.stderr).toBe(3);
    expect(r0!.code).not.toBe(0);
    expect(r0!.stderr).toMatch(/MlxError: \[ring\] connection to a peer was lost/);
    expect(r0!.stdout).not.toMatch(/finished/);
  });

  test.each([0, 1])('rank %i alone: init gives up after its timeout, naming the rank', async (rank) => {
    const env = await ringEnv();
    const out = await runWorker('fail.ts', ['alone'], { env: env(rank), limitMs: 60_000 });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(new RegExp(`\\[distributed.init\\] rank ${rank} could not connect to its peers within 3 s`));
    expect(out.ms).toBeLessThan(45_000); // 3 s of timeout, the rest is starting node on a busy machine
  });
});

describe('with the launcher', { timeout: 90_000 }, () => {
  test.each(['early', 'mid'])('a rank exiting (%s) ends the run, non-zero, naming the rank', async (mode) => {
    const out = await launch(['-n', '2', '--init-timeout', '10', worker('fail.ts'), mode], { limitMs: 60_000 });
    expect(out.code).toBe(3); // the failing rank's own exit code
    expect(out.stderr).toMatch(/mlx-tape launch: rank 1 exited with code 3; ending the other ranks/);
    expect(out.stderr).toMatch(/mlx-tape launch: failed: rank 1 exited with code 3/);
    expect(out.stdout).not.toMatch(/finished/);
  });

  test('--timeout ends a run that hangs, with code 124', async () => {
    const out = await launch(['-n', '2', '--timeout', '2', worker('fail.ts'), 'hang'], { limitMs: 60_000 });
    expect(out.code).toBe(124);
    expect(out.stderr).toMatch(/timed out after 2 s/);
  });
});
