// The GPU kernels of one eager W1 (or W2) train step, mlx-tape's and
// MLX-Python's, counted by name with their GPU time: each side runs 3 and then
// 8 steps under Nsight Compute (ncu), and the difference over 5 is one step's.
// ncu runs kernels one at a time with cold caches, so the times are longer
// than in a real step; they compare the two sides' kernels. Needs ncu and a
// CUDA build; PYTHONPATH must find MLX-Python with the CUDA backend.
//   node bench/micro/gpu-kernels.mjs [W2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const w = process.argv.includes('W2') ? 'W2' : 'W1';
const dir = mkdtempSync(join(tmpdir(), 'gpu-kernels-'));
const sides = {
  'mlx-tape': [process.execPath, '--import', 'tsx', 'bench/micro/kernel-steps.ts'],
  'MLX-Python': ['python3', 'bench/micro/kernel_steps.py'],
};

/** Kernel name → { n: launches, us: GPU µs }, from ncu's CSV (a row per metric, the launch's ID first). */
function launches(side, steps) {
  const log = join(dir, `${side}-${steps}.csv`);
  const r = spawnSync('ncu', ['--metrics', 'gpu__time_duration.sum', '--csv', '--log-file', log, ...sides[side]],
    { env: { ...process.env, W: w, STEPS: String(steps) }, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`ncu on ${side} exited with ${r.status ?? r.error}`);
  const rows = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('"')).map((l) => JSON.parse(`[${l}]`));
  const [head, ...body] = rows;
  const [id, name, unit, value] = ['ID', 'Kernel Name', 'Metric Unit', 'Metric Value'].map((c) => head.indexOf(c));
  const scale = { ns: 1e-3, nsecond: 1e-3, us: 1, usecond: 1, ms: 1e3, msecond: 1e3 };
  const byId = new Map(body.map((r) => [r[id], { name: r[name], us: Number(r[value].replace(/,/g, '')) * (scale[r[unit]] ?? NaN) }]));
  const kernels = new Map();
  for (const { name: k, us } of byId.values()) {
    const seen = kernels.get(k) ?? { n: 0, us: 0 };
    kernels.set(k, { n: seen.n + 1, us: seen.us + us });
  }
  return kernels;
}

for (const side of Object.keys(sides)) {
  const [few, more] = [launches(side, 3), launches(side, 8)];
  const perStep = [...more].map(([k, { n, us }]) => [k, (n - (few.get(k)?.n ?? 0)) / 5, (us - (few.get(k)?.us ?? 0)) / 5])
    .filter(([, n]) => n !== 0).sort((a, b) => b[2] - a[2]);
  const total = (i) => perStep.reduce((s, row) => s + row[i], 0);
  console.log(`${side} ${w}: ${total(1)} kernels per step, ${total(2).toFixed(1)} µs of GPU time`);
  for (const [k, n, us] of perStep) console.log(`  ${String(n).padStart(4)}  ${us.toFixed(1).padStart(8)} µs  ${k.slice(0, 130)}`);
}
