// Run by launch.test.ts: shows what the launcher gives each rank.
import { readFileSync } from 'node:fs';
import { report } from './report.js';

const { MLX_RANK, MLX_WORLD_SIZE, MLX_HOSTFILE, MLX_TAPE_INIT_TIMEOUT_MS } = process.env;
report('env', { rank: MLX_RANK, size: MLX_WORLD_SIZE, timeout: MLX_TAPE_INIT_TIMEOUT_MS, args: process.argv.slice(2) });
report('hostfile', MLX_HOSTFILE ? JSON.parse(readFileSync(MLX_HOSTFILE, 'utf8')) : null);
process.stderr.write(`to stderr from ${MLX_RANK}\n`);
process.stdout.write(`no newline from ${MLX_RANK}`);
