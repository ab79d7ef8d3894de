// W2's eager train step on the GPU with max pooling through its CUDA kernels
// (native/src/cuda_kernels.cc), or with POOL=compose through the composition of
// MLX ops that other GPUs run; also the first maxPool2d call, which compiles
// the forward kernel. Median and p25 of 50 steps after 200 warm-up steps.
// Alternate processes, as the host drifts:
//   for i in 1 2 3; do node --import tsx bench/micro/gpu-pool.ts; POOL=compose node --import tsx bench/micro/gpu-pool.ts; done
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, sortedStepMs, trainer } from '../models.js';

const composed = process.env.POOL === 'compose';
// src/tensor/ops/pool.ts takes the kernels on a CUDA build only.
if (composed) native.backend = () => 'metal';
mt.setDefaultDevice('gpu');
mt.random.seed(0);
const t0 = performance.now();
mt.tidy(() => void mt.maxPool2d(mt.random.normal([2, 4, 4, 3]), 2).eval());
const first = performance.now() - t0;
const ts = sortedStepMs(trainer(new Cnn(), [64, 28, 28, 1]), 50, 200);
console.log(`W2 (${composed ? 'composed pooling' : 'pooling kernels'}): median ${ts[25]!.toFixed(3)} ms, p25 ${ts[12]!.toFixed(3)} ms; first maxPool2d ${first.toFixed(0)} ms`);
