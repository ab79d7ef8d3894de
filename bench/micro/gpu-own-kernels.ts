// W1's and W2's eager train steps on the GPU with the addon's own CUDA kernels
// (native/src/cuda_kernels.cc: max pooling, relu's backward, the optimizers'
// updates), or with KERNELS=compose through the compositions of MLX ops that
// other GPUs run; also the first maxPool2d call, which compiles the forward
// kernel. Median and p25 of 50 steps after 200 warm-up steps.
// Alternate processes, as the host drifts:
//   for i in 1 2 3; do node --import tsx bench/micro/gpu-own-kernels.ts; KERNELS=compose node --import tsx bench/micro/gpu-own-kernels.ts; done
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, sortedStepMs, trainer } from '../models.js';

const composed = process.env.KERNELS === 'compose';
// hasOwnKernel (src/tensor/native.ts) takes the kernels on a CUDA build only.
if (composed) native.backend = () => 'metal';
mt.setDefaultDevice('gpu');
mt.random.seed(0);
const t0 = performance.now();
mt.tidy(() => void mt.maxPool2d(mt.random.normal([2, 4, 4, 3]), 2).eval());
const first = performance.now() - t0;
const steps = { W1: trainer(new Mlp(), [128, 784]), W2: trainer(new Cnn(), [64, 28, 28, 1]) };
const row = Object.entries(steps).map(([w, step]) => {
  const ts = sortedStepMs(step, 50, 200);
  return `${w} median ${ts[25]!.toFixed(3)} ms, p25 ${ts[12]!.toFixed(3)}`;
});
console.log(`${composed ? 'composed' : 'own kernels'}: ${row.join('; ')}; first maxPool2d ${first.toFixed(0)} ms`);
