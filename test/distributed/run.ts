// Spawning helpers for the distributed tests: run the launcher (or a worker
// alone) with a hard time limit, and read the RESULT lines workers print.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const launcher = `${root}bin/mlx-tape.mjs`;
export const worker = (name: string): string => `${root}test/distributed/workers/${name}`;

export interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node args` with `env` added; kills it (and fails the test) after `limitMs`. */
export function run(args: string[], { env = {}, limitMs = 45_000 }: { env?: Record<string, string>; limitMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) child.kill('SIGKILL'); // no pid: kill() would signal our process group
      reject(new Error(`node ${args.join(' ')} still running after ${limitMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, limitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** `mlx-tape launch <args>`. */
export const launch = (args: string[], options?: Parameters<typeof run>[1]): Promise<Run> => run([launcher, 'launch', ...args], options);

/** A TypeScript worker run directly (no launcher), with tsx. */
export const runWorker = (name: string, args: string[], options?: Parameters<typeof run>[1]): Promise<Run> =>
  run(['--import', 'tsx', worker(name), ...args], options);

/** The RESULT lines of an output: `results[rank][name]` (rank 0 when unprefixed). */
export function results(stdout: string): Record<number, Record<string, any>> {
  const out: Record<number, Record<string, any>> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(?:\[rank (\d+)\] )?RESULT (.*)$/.exec(line);
    if (!m) continue;
    const { name, value } = JSON.parse(m[2]!) as { name: string; value: unknown };
    (out[Number(m[1] ?? 0)] ??= {})[name] = value;
  }
  return out;
}

/** A ring hostfile for `n` ranks on free loopback ports. */
export async function loopbackRing(n: number): Promise<string> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => res(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return JSON.stringify(ports.map((p) => [`127.0.0.1:${p}`]));
}
