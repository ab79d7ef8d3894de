// Where mlx-tape's time goes in one bench workload: runs the mlx-tape worker
// under `node --cpu-prof` and prints the functions with the most self time
// (and their callers' share), per step or per op.
//
//   node bench/profile.mjs W3 grad [steps]      (W1 | W2 | W3 plain|grad | W4)
// The raw profile stays in bench/.peers/prof/ (open it in Chrome DevTools).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [w = 'W3', variant = w === 'W3' ? 'plain' : 'eager', stepsArg] = process.argv.slice(2);
const steps = Number(stepsArg ?? (w === 'W2' ? 10 : 30));
const perOp = w === 'W3' ? 10000 : 1;
const dir = join(root, 'bench', '.peers', 'prof');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

// Warm-up first (JIT), then only the timed steps matter; the profile covers both,
// so warm up briefly and time many steps.
const input = JSON.stringify({ w, variant, warmup: 3, iters: steps }) + '\n';
const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', '--import', 'tsx', 'bench/workers/mlx-tape.ts'],
  { cwd: root, input, encoding: 'utf8' });
const reply = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))[1];
if (!reply?.times) throw new Error(`worker failed: ${reply?.error ?? r.stderr}`);
const times = reply.times.sort((a, b) => a - b);
const median = times[times.length >> 1];
console.log(`${w}/${variant}: median ${(median * 1e3 / perOp).toFixed(2)} ${perOp > 1 ? 'µs/op' : 'µs/step'} over ${steps} steps (under the profiler)`);

const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));

// Only samples taken while a step ran: those under the worker's request handler.
const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${relative(root, f.url.replace('file://', ''))}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const inStep = (id) => {
  for (let p = id; p !== undefined; p = parent.get(p)) if (/bench\/workers\/serve\.mjs/.test(byId.get(p).callFrame.url)) return true;
  return false;
};
const selfBy = new Map(), totalBy = new Map();
let all = 0;
for (const [id, us] of self) {
  if (!inStep(id)) continue;
  all += us;
  const key = name(byId.get(id));
  selfBy.set(key, (selfBy.get(key) ?? 0) + us);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const k = name(byId.get(p));
    if (!seen.has(k)) totalBy.set(k, (totalBy.get(k) ?? 0) + us), seen.add(k);
  }
}
const denom = (steps + 3) * perOp; // the profile includes the warm-up steps
const show = (title, map, n) => {
  console.log(`\n${title} (µs per ${perOp > 1 ? 'op' : 'step'}, share of step time)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / denom).toFixed(3).padStart(10)}  ${(100 * us / all).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show('self time', selfBy, 25);
show('inclusive time', totalBy, 30);
console.log(`\nprofile: ${relative(root, file)}`);
