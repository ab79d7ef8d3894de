// The GPU kernels of one eager W1 (or W2) train step, mlx-tape's and
// MLX-Python's, counted by name: each side runs 3 and then 8 steps under
// Nsight Compute (ncu), and the difference over 5 is one step's. Needs ncu and a
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

/** Kernel name → launches, from ncu's CSV (a row per metric, the launch's ID first). */
function launches(side, steps) {
  const log = join(dir, `${side}-${steps}.csv`);
  const r = spawnSync('ncu', ['--metrics', 'gpu__time_duration.sum', '--csv', '--log-file', log, ...sides[side]],
    { env: { ...process.env, W: w, STEPS: String(steps) }, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`ncu on ${side} exited with ${r.status ?? r.error}`);
  const rows = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('"')).map((l) => JSON.parse(`[${l}]`));
  const [head, ...body] = rows;
  const id = head.indexOf('ID'), name = head.indexOf('Kernel Name');
  const byId = new Map(body.map((r) => [r[id], r[name]]));
  const counts = new Map();
  for (const k of byId.values()) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

for (const side of Object.keys(sides)) {
  const [few, more] = [launches(side, 3), launches(side, 8)];
  const perStep = [...more].map(([k, n]) => [k, (n - (few.get(k) ?? 0)) / 5]).filter(([, n]) => n !== 0).sort((a, b) => b[1] - a[1]);
  console.log(`${side} ${w}: ${perStep.reduce((s, [, n]) => s + n, 0)} kernels per step`);
  for (const [k, n] of perStep) console.log(`  ${String(n).padStart(4)}  ${k.slice(0, 140)}`);
}
