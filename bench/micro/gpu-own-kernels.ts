// W1's and W2's eager train steps on the GPU with the addon's own CUDA kernels
// (native/src/cuda_kernels.cc: max pooling, relu's backward, the optimizers'
// updates) against the compositions of MLX ops that other GPUs run, in
// alternating rounds of one process (the host drifts between processes); also
// the first maxPool2d call, which compiles the forward kernel. Per round the
// median of 50 steps after 50; printed: the median round.
//   node --import tsx bench/micro/gpu-own-kernels.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, sortedStepMs, trainer } from '../models.js';

const cuda = native.backend;
// hasOwnKernel (src/tensor/native.ts) takes the kernels on a CUDA build only.
const use = (own: boolean): void => { native.backend = own ? cuda : () => 'metal'; };
mt.setDefaultDevice('gpu');
mt.random.seed(0);
const t0 = performance.now();
mt.tidy(() => void mt.maxPool2d(mt.random.normal([2, 4, 4, 3]), 2).eval());
const first = performance.now() - t0;
const steps = { W1: trainer(new Mlp(), [128, 784]), W2: trainer(new Cnn(), [64, 28, 28, 1]) };
for (const step of Object.values(steps)) for (const own of [true, false]) { use(own); sortedStepMs(step, 1, 200); }
const rounds: Record<string, number[]> = {};
for (let r = 0; r < 8; r++) {
  for (const [w, step] of Object.entries(steps)) {
    for (const own of r % 2 ? [false, true] : [true, false]) {
      use(own);
      (rounds[`${w} ${own ? 'own kernels' : 'composed'}`] ??= []).push(sortedStepMs(step, 50, 50)[25]!);
    }
  }
}
const median = (a: number[]): string => a.sort((p, q) => p - q)[a.length >> 1]!.toFixed(3);
console.log(`${Object.entries(rounds).map(([k, ms]) => `${k} ${median(ms)} ms`).join('; ')}; first maxPool2d ${first.toFixed(0)} ms`);
