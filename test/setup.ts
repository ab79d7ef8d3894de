// MLX_TAPE_DEVICE=gpu (npm run test:gpu) runs the suite with the GPU as the default device.
import * as mt from '../src/index.js';

if (process.env.MLX_TAPE_DEVICE === 'gpu') mt.setDefaultDevice('gpu');
