// STEPS (default 3) eager W1 (or W=W2) train steps on the GPU and nothing
// else: what bench/micro/gpu-kernels.mjs runs under Nsight Compute to count
// the kernels of a step. bench/micro/kernel_steps.py is MLX-Python's side.
// KERNELS=compose: the compositions of MLX ops instead of the addon's CUDA kernels.
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, trainer } from '../models.js';

// hasOwnKernel (src/tensor/native.ts) takes the kernels on a CUDA build only.
if (process.env.KERNELS === 'compose') native.backend = () => 'metal';

mt.setDefaultDevice('gpu');
mt.random.seed(0);
const step = process.env.W === 'W2' ? trainer(new Cnn(), [64, 28, 28, 1]) : trainer(new Mlp(), [128, 784]);
for (let i = 0; i < Number(process.env.STEPS ?? 3); i++) step();
