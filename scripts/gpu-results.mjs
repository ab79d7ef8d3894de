// Folds a device GPU round's outputs (scripts/device-gpu-round.sh) into one JSON:
// medians over rounds of W1/W2 per peer, the steady loops' medians, MNIST epoch times,
// the GPU test summary. Several folders (PART=2 run more than once on one machine)
// pool their rounds and steady loops; epochs and tests come from the first that has them.
//   node scripts/gpu-results.mjs "<card>" <folder with rounds.jsonl, steady.txt, mnist-*.log, gpu-tests.log>...
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { epochOf } from './mnist-epoch.mjs';

const [card, ...dirs] = process.argv.slice(2);
const readAll = (f) => dirs.filter((d) => existsSync(join(d, f))).map((d) => readFileSync(join(d, f), 'utf8'));
const read = (f) => readAll(f)[0] ?? '';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** peer -> workload -> ms[] as peer -> workload -> { medianMs, [listName]: ms[] }. */
const medians = (byPeer, listName) => Object.fromEntries(Object.entries(byPeer).map(([peer, ws]) =>
  [peer, Object.fromEntries(Object.entries(ws).map(([w, xs]) => [w, { medianMs: median(xs), [listName]: xs }]))]));

const samples = {}; // peer -> workload -> ms[]
for (const line of readAll('rounds.jsonl').join('\n').split('\n').filter(Boolean)) {
  for (const [peer, r] of Object.entries(JSON.parse(line))) {
    if (typeof r !== 'object') continue;
    for (const w of ['W1', 'W2']) ((samples[peer] ??= {})[w] ??= []).push(r[w]);
  }
}
const steps = medians(samples, 'rounds');

// The steady loops: "<peer> <W>: <ms> ms/step ..." lines, three of each.
const steadyRuns = {}; // peer -> workload -> ms[]
for (const [, peer, w, ms] of readAll('steady.txt').join('\n').matchAll(/^(mlx-tape|MLX-Python) (W1|W2): ([\d.]+) ms\/step/gm)) {
  ((steadyRuns[peer] ??= {})[w] ??= []).push(Number(ms));
}
const steady = medians(steadyRuns, 'runs');

const tests = /Tests\s+(.*)\(/.exec(read('gpu-tests.log').replace(/\x1b\[[0-9;]*m/g, ''));
console.log(JSON.stringify({
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  card,
  commit: process.env.COMMIT ?? execSync('git rev-parse --short HEAD 2>/dev/null || echo unknown', { encoding: 'utf8' }).trim(),
  steps,
  steady,
  mnistEpoch: {
    digits: epochOf(read('mnist-digits.log')),
    fashion: epochOf(read('mnist-fashion.log')),
    fashionCompiled: epochOf(read('mnist-fashion-compiled.log')),
  },
  testGpu: tests ? tests[1].trim() : null,
}, null, 2));
