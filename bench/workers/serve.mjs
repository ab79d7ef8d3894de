// The worker side of the bench protocol, shared by the Node workers.
// The orchestrator (bench/run.mjs) writes one JSON request per line:
//   {"w": "W1", "variant": "eager", "warmup": 3, "warmupMs": 2000, "settle": 2, "iters": 5}
// and the worker answers one JSON line: {"times": [ms, ...]} or {"error": "..."}.
// A workload's state (model, data, step function) is built on its first request,
// warmed up then (`warmup` steps, then more while the next fits in `warmupMs`
// from the start: a JIT needs hundreds of W1 steps), and kept, so that the
// orchestrator can alternate peers in rounds.
// Every request first runs `settle` untimed steps: a process that sat idle while
// the other peers ran is slow for its first steps (bench/micro/after-idle.ts).
import { createInterface } from 'node:readline';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * @param {Record<string, (variant: string) => (() => void)>} workloads
 *   For each workload, a factory of its synchronous step (forced to completion).
 * @param {{ memLoop?: (steps: number[]) => object[] }} extra
 *   memLoop: W5, run when the worker is started with `mem` as its argument.
 */
export function serve(info, workloads, { memLoop } = {}) {
  if (process.argv.includes('mem')) {
    const steps = (process.argv[process.argv.indexOf('mem') + 1] ?? '200,2000').split(',').map(Number);
    process.stdout.write(JSON.stringify({ info, mem: memLoop(steps) }) + '\n');
    return;
  }
  const states = new Map();
  process.stdout.write(JSON.stringify({ ready: true, info }) + '\n');
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let reply;
    try {
      const { w, variant, warmup, warmupMs = 0, settle = 0, iters } = JSON.parse(line);
      const key = `${w}/${variant}`;
      let step = states.get(key);
      if (!step) {
        const make = workloads[w];
        if (!make) throw new Error(`no workload ${w}`);
        step = make(variant);
        const start = performance.now();
        for (let i = 0; i < warmup; i++) step();
        // Steps while the next one (as long as the last) still fits in warmupMs.
        for (let last = performance.now(), spent = 0; warmup > 0 && last - start + spent < warmupMs;) {
          step();
          const now = performance.now();
          [spent, last] = [now - last, now];
        }
        states.set(key, step);
      }
      for (let i = 0; i < settle; i++) step();
      const times = [];
      for (let i = 0; i < iters; i++) {
        const t0 = performance.now();
        step();
        times.push(performance.now() - t0);
      }
      reply = { times };
    } catch (e) {
      reply = { error: String(e?.stack ?? e) };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  });
}

/** Resident set size in MiB. */
export const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

/**
 * The JS heap in MiB: V8's `heapTotal`, and of it the young generation (both
 * semispaces), which V8 doubles when enough objects have survived its scavenges.
 */
export const jsHeapMiB = () => ({
  heapMiB: process.memoryUsage().heapTotal / 2 ** 20,
  youngMiB: getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20,
});
