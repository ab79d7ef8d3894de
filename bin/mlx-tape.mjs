#!/usr/bin/env node
// The mlx-tape command. `mlx-tape launch` starts the ranks of a distributed
// program for MLX's ring backend: it writes the hostfile MLX reads
// (MLX_HOSTFILE: a JSON list, per rank, of "ip:port" addresses), gives each
// process its MLX_RANK, prefixes every output line with the rank, and ends
// all ranks as soon as one fails, naming it. Plain Node: it never loads the
// native addon.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, hostname, networkInterfaces, tmpdir, constants } from 'node:os';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const USAGE = `Usage: mlx-tape launch [options] <script.(ts|js)|command> [args...]

Starts a distributed program: -n processes on each host, ranked in order,
joined by MLX's ring backend (mt.distributed.init() connects them).

Options:
  -n, --nproc <N>        processes per host (default 1)
  --hosts <h1,h2,...>    hosts to run on (default 127.0.0.1); a remote host is
                         reached with ssh and must have the same working directory
  --port <P>             first ring port, one more per rank (default: free
                         loopback ports for local runs, 32323 otherwise)
  --init-timeout <S>     seconds a rank waits to connect to its peers (default 60)
  --timeout <S>          end every rank after S seconds (default: no limit)
  --verbose              log the ring's connections (MLX_RING_VERBOSE)
  -h, --help             show this help

A .ts script runs with tsx (installed next to mlx-tape or in the project).
If a rank fails, the others are ended and the launcher exits non-zero,
naming the rank. With several ranks on this machine, each gets
OPENBLAS_NUM_THREADS = cores / ranks, unless OPENBLAS_NUM_THREADS or
OMP_NUM_THREADS is set: every rank's BLAS using every core would
oversubscribe the CPU.`;

function fail(message, code = 2) {
  process.stderr.write(`mlx-tape launch: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { nproc: 1, hosts: null, port: null, initTimeout: 60, timeout: 0, verbose: false };
  let i = 0;
  const value = (name) => {
    if (i + 1 >= argv.length) fail(`${name} needs a value`);
    return argv[++i];
  };
  const number = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) fail(`${name} must be a number >= ${min}, got '${v}'`);
    return n;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a === '-n' || a === '--nproc') opts.nproc = number(a, value(a), 1);
    else if (a === '--hosts') opts.hosts = value(a).split(',').map((h) => h.trim()).filter(Boolean);
    else if (a === '--port') opts.port = number(a, value(a), 1);
    else if (a === '--init-timeout') opts.initTimeout = number(a, value(a), 0);
    else if (a === '--timeout') opts.timeout = number(a, value(a), 0);
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('-')) fail(`unknown option '${a}'\n\n${USAGE}`);
    else break;
  }
  if (!Number.isInteger(opts.nproc)) fail(`-n must be an integer, got ${opts.nproc}`);
  const command = argv.slice(i);
  if (command.length === 0) fail(`no script to run\n\n${USAGE}`);
  return { opts, command };
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', hostname()]);
for (const list of Object.values(networkInterfaces())) for (const nic of list ?? []) LOCAL.add(nic.address);

/** `count` distinct free TCP ports on 127.0.0.1 (the OS picks them). */
async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => res(s));
  })));
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

/** tsx's loader, from the working directory's packages or else mlx-tape's own. */
function tsxLoader() {
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(base).resolve('tsx')).href;
    } catch {
      // not installed there
    }
  }
  fail('running a .ts script needs tsx (npm install --save-dev tsx), or compile the script to .js');
}

/** How to run the user's command: node for scripts (with tsx for TypeScript), as given otherwise. */
function program(command) {
  const [script, ...args] = command;
  const ext = extname(script);
  if (['.ts', '.mts', '.cts', '.tsx'].includes(ext)) return [process.execPath, ['--import', tsxLoader(), script, ...args]];
  if (['.js', '.mjs', '.cjs'].includes(ext)) return [process.execPath, [script, ...args]];
  return [script, args];
}

const quote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;

/** Prefixes each complete line of `stream` with `tag` and writes it to `out`. */
function pipeLines(stream, out, tag) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    // (A remote terminal ends lines with \r\n.)
    if (lines.length) out.write(lines.map((l) => `${tag}${l.replace(/\r$/, '')}\n`).join(''));
  });
  stream.on('end', () => {
    if (rest) out.write(`${tag}${rest}\n`);
  });
}

async function launch(argv) {
  const { opts, command } = parseArgs(argv);
  const hosts = (opts.hosts ?? ['127.0.0.1']).flatMap((h) => Array(opts.nproc).fill(h));
  const size = hosts.length;
  const allLocal = hosts.every((h) => LOCAL.has(h));
  const ports = opts.port ? hosts.map((_, r) => opts.port + r) : allLocal ? await freePorts(size) : hosts.map((_, r) => 32323 + r);
  const ring = hosts.map((h, r) => [`${LOCAL.has(h) && allLocal ? '127.0.0.1' : h}:${ports[r]}`]);
  const dir = mkdtempSync(join(tmpdir(), 'mlx-tape-'));
  const hostfile = join(dir, 'hostfile.json');
  writeFileSync(hostfile, JSON.stringify(ring));
  const [exe, args] = program(command);
  // Local ranks share this machine's cores (as torchrun's OMP_NUM_THREADS=1): OpenBLAS's
  // threads busy-wait, and 2 ranks × 2 threads on 2 cores took a median 125 ms per CNN
  // step (bench/distributed.ts) against 38 ms with 1 thread each.
  const localRanks = hosts.filter((h) => LOCAL.has(h)).length;
  const blasThreads = localRanks > 1 && !process.env.OPENBLAS_NUM_THREADS && !process.env.OMP_NUM_THREADS
    ? { OPENBLAS_NUM_THREADS: String(Math.max(1, Math.floor(availableParallelism() / localRanks))) }
    : {};
  const rankEnv = (rank) => ({
    MLX_RANK: String(rank),
    MLX_WORLD_SIZE: String(size),
    // One process alone needs no ring: mt.distributed.init() gives it a group of size 1.
    ...(size > 1 ? { MLX_HOSTFILE: hostfile } : {}),
    MLX_TAPE_INIT_TIMEOUT_MS: String(Math.round(opts.initTimeout * 1000)),
    ...(opts.verbose ? { MLX_RING_VERBOSE: '1' } : {}),
  });

  const children = hosts.map((host, rank) => {
    const env = rankEnv(rank);
    const child = LOCAL.has(host)
      ? spawn(exe, args, { env: { ...process.env, ...blasThreads, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      // -tt: a remote terminal, so that ending ssh hangs up (and ends) the remote rank.
      : spawn('ssh', ['-tt', '-o', 'BatchMode=yes', host, [
        `cd ${quote(process.cwd())}`,
        // The hostfile is written on the remote host too, at the same path.
        `mkdir -p ${quote(dir)} && printf %s ${quote(JSON.stringify(ring))} > ${quote(hostfile)}`,
        `exec env ${Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ')} ${[exe === process.execPath ? 'node' : exe, ...args].map(quote).join(' ')}`,
      ].join(' && ')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tag = size > 1 ? `[rank ${rank}] ` : '';
    pipeLines(child.stdout, process.stdout, tag);
    pipeLines(child.stderr, process.stderr, tag);
    return child;
  });

  let failure = null; // the first rank to fail: { rank, reason, code }
  let ending = false;
  const endAll = () => {
    if (ending) return;
    ending = true;
    // Only children that started: kill() on one whose spawn failed (no pid) would
    // signal pid 0, that is our whole process group.
    const live = (c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null;
    for (const c of children) if (live(c)) c.kill('SIGTERM');
    // A rank stuck in native code that ignores SIGTERM is killed for good.
    setTimeout(() => children.forEach((c) => live(c) && c.kill('SIGKILL')), 5000).unref();
  };
  const describe = (code, signal) => (signal ? `was killed by ${signal}` : `exited with code ${code}`);

  const done = children.map((child, rank) => new Promise((res) => {
    child.on('error', (e) => {
      if (!failure) failure = { rank, reason: `could not start: ${e.message}`, code: 127 };
      endAll();
      res();
    });
    child.on('exit', (code, signal) => {
      if ((code !== 0 || signal) && !failure && !ending) {
        failure = { rank, reason: describe(code, signal), code: code || 128 + (constants.signals[signal] ?? 0) || 1 };
        process.stderr.write(`mlx-tape launch: rank ${rank} ${failure.reason}; ending the other ranks\n`);
        endAll();
      }
    });
    child.on('close', () => res());
  }));

  let timedOut = false;
  if (opts.timeout > 0) {
    setTimeout(() => {
      timedOut = true;
      process.stderr.write(`mlx-tape launch: timed out after ${opts.timeout} s; ending every rank\n`);
      endAll();
    }, opts.timeout * 1000).unref();
  }
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (!failure) failure = { rank: null, reason: `interrupted (${sig})`, code: 130 };
      endAll();
    });
  }

  await Promise.all(done);
  rmSync(dir, { recursive: true, force: true });
  if (failure) fail(`failed: ${failure.rank === null ? '' : `rank ${failure.rank} `}${failure.reason}`, failure.code);
  if (timedOut) fail(`timed out after ${opts.timeout} s`, 124);
}

// A closed pipe (`| head`) drops the output; the ranks are still supervised.
for (const out of [process.stdout, process.stderr]) out.on('error', () => {});

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'launch') {
  await launch(rest);
} else if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
  process.stdout.write(USAGE + '\n');
} else {
  process.stderr.write(`mlx-tape: unknown command '${cmd}'\n\n${USAGE}\n`);
  process.exit(2);
}
