// W1 or W2 eager train steps in rounds after a pause, as the bench's rotation
// leaves each peer idle while the others run: each step's wall time, the
// process's CPU time and its involuntary context switches. A step whose CPU
// time is not well above its wall time ran on one core: OpenBLAS's worker
// beside the GEMM's caller, the two taking turns (native/src/evaluate.cc,
// KeepBlasThreadsOff). The last line ends with the median step, for
// bench/micro/ab.sh.
//   node --import tsx bench/micro/blas-placement.ts [W1|W2]   (PAUSE ms, default 150)
import * as mt from '../../src/index.js';
import { Cnn, Mlp, trainer } from '../models.js';

mt.random.seed(0);
const w2 = process.argv[2] === 'W2';
const step = w2 ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
for (const start = performance.now(); performance.now() - start < 2000;) step(); // V8's JIT
const pause = Number(process.env.PAUSE ?? 150);
const walls: number[] = [];
let oneCore = 0;
for (let round = 0; round < 8; round++) {
  await new Promise((resolve) => setTimeout(resolve, pause));
  step(); // the bench's settle steps
  step();
  const cells: string[] = [];
  for (let i = 0; i < 5; i++) {
    const u0 = process.resourceUsage(), t0 = performance.now();
    step();
    const wall = performance.now() - t0, u1 = process.resourceUsage();
    const cpu = (u1.userCPUTime - u0.userCPUTime + u1.systemCPUTime - u0.systemCPUTime) / 1e3;
    walls.push(wall);
    // Whole-core ticks make a step's CPU time coarse; the switches tell the two modes apart.
    const switches = u1.involuntaryContextSwitches - u0.involuntaryContextSwitches;
    if (cpu < 1.3 * wall && switches > 15) oneCore++;
    cells.push(`${wall.toFixed(1)} ms (cpu ${cpu.toFixed(1)}, ${switches} preempted)`);
  }
  console.log(cells.join('  '));
}
walls.sort((a, b) => a - b);
const q = (p: number): string => walls[Math.round(p * (walls.length - 1))]!.toFixed(2);
console.log(`${w2 ? 'W2' : 'W1'} after ${pause} ms pauses: ${oneCore} of ${walls.length} steps on one core; p25 ${q(0.25)}, p75 ${q(0.75)}, median ms ${q(0.5)}`);
