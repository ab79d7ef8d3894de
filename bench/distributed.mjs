// `npm run bench:distributed`: data-parallel training on this machine, 1 rank
// vs N, written to bench/DISTRIBUTED.md. Two measurements, each run alternately
// with 1 and N ranks (the order flipping every round) so that the machine's
// drifts hit both alike; medians over the rounds:
// - the MNIST example's training (bench/distributed-mnist.ts: default CNN,
//   Adam, batch 64, the real digits): step time and epoch time;
// - the step alone (bench/distributed.ts: the same CNN on one fixed random
//   batch, no data pipeline) and the time of averageGradients.
//
//   node bench/distributed.mjs [--ranks 2] [--rounds 5] [--epochs 1] [--out FILE]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    ranks: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '1' },
    out: { type: 'string', default: join(root, 'bench', 'DISTRIBUTED.md') },
  },
});
const N = Number(opt.ranks), ROUNDS = Number(opt.rounds);
const load = () => loadavg()[0].toFixed(2);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Runs `launch -n ranks script args`; returns the line of rank 0's stdout that `pattern` matches. */
function launch(ranks, script, args, pattern) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'mlx-tape.mjs'), 'launch', '-n', String(ranks), script, ...args],
    { cwd: root, encoding: 'utf8', timeout: 600_000 });
  const m = pattern.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error(`launch -n ${ranks} ${script} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return m;
}

const runs = []; // { what, ranks, round, load, ...numbers }
const started = new Date();
for (let round = 0; round < ROUNDS; round++) {
  for (const ranks of round % 2 ? [N, 1] : [1, N]) {
    const before = load();
    const m = launch(ranks, 'bench/distributed-mnist.ts', ['--epochs', opt.epochs], /DIST (\{.*\})/);
    runs.push({ what: 'mnist', ranks, round, load: before, ...JSON.parse(m[1]) });
    const last = runs.at(-1);
    console.log(`round ${round + 1}  mnist  ${ranks} rank(s)  step ${last.stepMs.toFixed(1)} ms  epoch ${last.epochS.toFixed(1)} s  load ${before}`);
  }
  for (const ranks of round % 2 ? [N, 1] : [1, N]) {
    const before = load();
    const m = launch(ranks, 'bench/distributed.ts', ['64', '30'], /step ([\d.]+) ms .* averageGradients ([\d.]+) ms/);
    runs.push({ what: 'step', ranks, round, load: before, stepMs: Number(m[1]), averageMs: Number(m[2]) });
    console.log(`round ${round + 1}  step   ${ranks} rank(s)  step ${m[1]} ms  averageGradients ${m[2]} ms  load ${before}`);
  }
}

const of = (what, ranks) => runs.filter((r) => r.what === what && r.ranks === ranks);
const med = (what, ranks, key) => median(of(what, ranks).map((r) => r[key]));
const f = (x, d = 1) => x.toFixed(d);
const speedup = (what, key) => f(med(what, 1, key) / med(what, N, key), 2);
const { OPENBLAS_NUM_THREADS: blas, OMP_NUM_THREADS: omp } = process.env;
const threads = blas || omp
  ? `BLAS threads as set for every run: OPENBLAS_NUM_THREADS=${blas || '-'}, OMP_NUM_THREADS=${omp || '-'}.`
  : `The launcher gives each of ${N} ranks OPENBLAS_NUM_THREADS=${Math.max(1, Math.floor(availableParallelism() / N))} (cores / ranks); one rank keeps OpenBLAS's default (every core).`;
const lines = [
  `# Data-parallel training: 1 rank vs ${N}`,
  '',
  `Written by \`npm run bench:distributed\` (bench/distributed.mjs) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC,` +
    ` ${f((Date.now() - started) / 60000)} min: ${ROUNDS} rounds, each running 1 and ${N} ranks in turn (\`npx mlx-tape launch -n N\`,` +
    ` ring backend over loopback), medians over the rounds. Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} threads;` +
    ` 1-minute load average before each run: ${runs.map((r) => r.load).join(', ')} (this bench keeps 1 to ${N} CPUs busy itself, so a` +
    ` load well above ${N} means other work shared the machine and the times are upper bounds). Under such load the scheduler` +
    ` also gives ${N} processes ${N} shares of the CPUs against the other jobs, so the speed-up overstates an idle machine's.` +
    ` ${threads}`,
  '',
  `## The MNIST example`,
  '',
  `bench/distributed-mnist.ts: \`npm run mnist\`'s default run (CNN, Adam, global batch 64, 1-pixel shifts) on the 8,000 / 2,000` +
    ` digits, ${opt.epochs === '1' ? '1 epoch' : `${opt.epochs} epochs; the numbers are the last epoch's`}. A step is the batch built, forward and backward,` +
    ` the all-reduce and the update; the epoch adds scoring the test set (shared by the ranks).`,
  '',
  '| ranks | step, median (ms) | step, mean (ms) | training (s/epoch) | test set (s) | epoch (s) | samples/s | test accuracy |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...[1, N].map((n) => {
    const steps = med('mnist', n, 'stepsPerEpoch'), trainS = med('mnist', n, 'trainS');
    return `| ${n} | ${f(med('mnist', n, 'stepMs'))} | ${f((trainS / steps) * 1000)} | ${f(trainS)} | ${f(med('mnist', n, 'evalS'))} | ${f(med('mnist', n, 'epochS'))} |` +
      ` ${f(med('mnist', n, 'samples') / trainS, 0)} | ${[...new Set(of('mnist', n).map((r) => `${f(r.testAccuracy * 100, 2)}%`))].join(', ')} |`;
  }),
  '',
  `Speed-up of ${N} ranks: ${speedup('mnist', 'stepMs')}× on the median step, ${speedup('mnist', 'trainS')}× on the training time, ${speedup('mnist', 'epochS')}× on the epoch.`,
  '',
  '## The step alone',
  '',
  'bench/distributed.ts: the same CNN on one fixed random batch of 64 (no data pipeline), SGD; median of 30 steps per run;' +
    ' averageGradients: the all-reduce of the 20,490 gradients (80 KiB) alone.',
  '',
  '| ranks | step (ms) | averageGradients (ms) |',
  '|---:|---:|---:|',
  ...[1, N].map((n) => `| ${n} | ${f(med('step', n, 'stepMs'))} | ${f(med('step', n, 'averageMs'), 2)} |`),
  '',
  `Speed-up of ${N} ranks: ${speedup('step', 'stepMs')}×.`,
  '',
  '## Every run',
  '',
  '| round | what | ranks | load before | step (ms) | epoch (s) | averageGradients (ms) |',
  '|---:|---|---:|---:|---:|---:|---:|',
  ...runs.map((r) => `| ${r.round + 1} | ${r.what} | ${r.ranks} | ${r.load} | ${f(r.stepMs)} | ${r.epochS ? f(r.epochS) : ''} | ${r.averageMs !== undefined ? f(r.averageMs, 2) : ''} |`),
  '',
];
writeFileSync(opt.out, lines.join('\n'));
console.log(`bench: wrote ${relative(root, opt.out)}`);
