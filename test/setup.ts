// MLX_TAPE_DEVICE=gpu (npm run test:gpu) runs the suite with the GPU as the default device;
// MLX_TAPE_DEVICE=gpu-sim (npm run test:gpu-sim) does the same on a CPU-only build, with
// MLX's GPU float64 rule simulated (test/helpers/gpu-sim.ts).
import * as mt from '../src/index.js';
import { simulateGpu } from './helpers/gpu-sim.js';

const device = process.env.MLX_TAPE_DEVICE;
if (device === 'gpu-sim') simulateGpu();
if (device === 'gpu' || device === 'gpu-sim') mt.setDefaultDevice('gpu');
