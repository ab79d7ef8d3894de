// The launcher itself: what each rank gets, how output is tagged, bad usage.
import { describe, expect, test } from 'vitest';
import { launch, results, worker } from './run.js';

describe('mlx-tape launch', () => {
  test('-n 2: a loopback ring hostfile, MLX_RANK per process, rank-tagged output', async () => {
    const out = await launch(['-n', '2', '--init-timeout', '7', worker('echo.ts'), 'a', '--flag']);
    expect(out.code, out.stderr).toBe(0);
    const r = results(out.stdout);
    for (const rank of [0, 1]) {
      expect(r[rank]!.env).toEqual({ rank: String(rank), size: '2', timeout: '7000', args: ['a', '--flag'] });
      expect(out.stdout).toContain(`[rank ${rank}] no newline from ${rank}\n`);
      expect(out.stderr).toContain(`[rank ${rank}] to stderr from ${rank}\n`);
    }
    const ring = r[0]!.hostfile as string[][];
    expect(r[1]!.hostfile).toEqual(ring);
    expect(ring).toHaveLength(2);
    for (const node of ring) expect(node[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ring[0]![0]).not.toBe(ring[1]![0]);
  });

  test('-n 1: one untagged process, no hostfile (init gives a group of size 1)', async () => {
    const out = await launch(['-n', '1', worker('echo.ts')]);
    expect(out.code, out.stderr).toBe(0);
    const r = results(out.stdout);
    expect(r[0]!.env.rank).toBe('0');
    expect(r[0]!.hostfile).toBeNull();
    expect(out.stdout).toContain('no newline from 0\n');
  });

  test('--port fixes the ring ports; any command runs, not only scripts', async () => {
    const out = await launch(['-n', '2', '--port', '45100', '--', 'node', '-e', 'console.log(require("fs").readFileSync(process.env.MLX_HOSTFILE, "utf8"))']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('[rank 1] [["127.0.0.1:45100"],["127.0.0.1:45101"]]');
  });

  test('local ranks share the cores: OPENBLAS_NUM_THREADS = cores / ranks, unless set', async () => {
    const { availableParallelism } = await import('node:os');
    const threads = ['--', 'node', '-e', 'console.log(`threads ${process.env.OPENBLAS_NUM_THREADS}`)'];
    const unset = { OPENBLAS_NUM_THREADS: '', OMP_NUM_THREADS: '' };
    const two = await launch(['-n', '2', ...threads], { env: unset });
    expect(two.stdout).toContain(`[rank 1] threads ${Math.max(1, Math.floor(availableParallelism() / 2))}\n`);
    const one = await launch(['-n', '1', ...threads], { env: unset });
    expect(one.stdout).toBe('threads \n'); // one process keeps OpenBLAS's default
    const given = await launch(['-n', '2', ...threads], { env: { ...unset, OPENBLAS_NUM_THREADS: '3' } });
    expect(given.stdout).toContain('[rank 0] threads 3\n');
    const omp = await launch(['-n', '2', ...threads], { env: { ...unset, OMP_NUM_THREADS: '2' } });
    expect(omp.stdout).toContain('[rank 0] threads \n');
  });

  test('a rank that cannot start fails the run, naming it', async () => {
    const out = await launch(['-n', '2', 'no-such-command-mlx-tape']);
    expect(out.code).toBe(127);
    expect(out.stderr).toMatch(/mlx-tape launch: failed: rank \d could not start: spawn no-such-command-mlx-tape ENOENT/);
  });

  test.each([
    [[], /no script to run/],
    [['-n', '0', 'x.ts'], /-n must be a number >= 1, got '0'/],
    [['-n', '1.5', 'x.ts'], /-n must be an integer/],
    [['--bogus', 'x.ts'], /unknown option '--bogus'/],
    [['-n'], /-n needs a value/],
  ])('bad usage %j exits 2 with a message', async (args, message) => {
    const out = await launch(args as string[]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  test('help, and an unknown command', async () => {
    const { run, launcher } = await import('./run.js');
    const help = await run([launcher, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: mlx-tape launch/);
    const bad = await run([launcher, 'lunch']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command 'lunch'/);
  });
});
