// W1's (or with `W2`, W2's) eager train step in one continuous loop of 5 s
// after 4,000 steps (V8's warm-up, bench/micro/jit-warmup.ts), the mean ms per
// step with the CPU time and the context switches of all the process's threads
// per step: the steady state, where bench/gpu.ts takes the median of 50
// individually timed steps.
// bench/micro/steady_step.py is MLX-Python's side. BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/steady-step.ts [W2]
import { readdirSync, readFileSync } from 'node:fs';
import * as mt from '../../src/index.js';
import { Cnn, JIT_WARMUP_STEPS, Mlp, trainer } from '../models.js';

/** Voluntary and involuntary context switches, summed over the process's threads. */
const switches = (): [number, number] => readdirSync('/proc/self/task').reduce<[number, number]>((sum, task) => {
  const status = readFileSync(`/proc/self/task/${task}/status`, 'utf8');
  const count = (kind: string): number => Number(new RegExp(`^${kind}_ctxt_switches:\\s+(\\d+)`, 'm').exec(status)![1]);
  return [sum[0] + count('voluntary'), sum[1] + count('nonvoluntary')];
}, [0, 0]);

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
mt.random.seed(0);
const w = process.argv.includes('W2') ? 'W2' : 'W1';
const step = w === 'W2' ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
for (let i = 0; i < JIT_WARMUP_STEPS; i++) step();
const [s0, cpu0, t0] = [switches(), process.cpuUsage(), performance.now()];
let n = 0;
while (performance.now() - t0 < 5000) {
  step();
  n++;
}
const [ms, s1, cpu] = [(performance.now() - t0) / n, switches(), process.cpuUsage(cpu0)];
console.log(`mlx-tape ${w}: ${ms.toFixed(3)} ms/step over ${n} steps; per step CPU ${((cpu.user + cpu.system) / 1e3 / n).toFixed(3)} ms, ` +
  `${((s1[0] - s0[0]) / n).toFixed(1)} voluntary and ${((s1[1] - s0[1]) / n).toFixed(2)} involuntary context switches; ${readdirSync('/proc/self/task').length} threads`);
