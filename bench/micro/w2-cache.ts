// W2's train step with MLX's buffer cache limited to CACHE_MIB (default:
// mlx-tape's own limit, up to 1 GiB); MLX's CPU default is 32 MiB. Median ms
// of 40 steps after 5; perf counts the page faults of buffers that went back
// to the system and came again:
//   CACHE_MIB=32 perf stat -e page-faults node --import tsx bench/micro/w2-cache.ts
//   perf stat -e page-faults node --import tsx bench/micro/w2-cache.ts
import * as mt from '../../src/index.js';
import { Cnn, sortedStepMs, trainer } from '../models.js';

if (process.env.CACHE_MIB) mt.setCacheLimit(Number(process.env.CACHE_MIB) * 2 ** 20);
mt.random.seed(0);
const ms = sortedStepMs(trainer(new Cnn(), [64, 28, 28, 1]), 40);
console.log(`W2, cache limit ${process.env.CACHE_MIB ?? 'default'} MiB: ${ms[20]!.toFixed(1)} ms per step`);
