// W1's eight matrix products alone, as its train step runs them (forward
// `linear` ×3; input gradients of layers 2-3; weight gradients ×3, dyᵀ·x),
// evaluated together in a loop through mlx-tape, against the same eight shapes
// through cblas_sgemm alone (bench/gemm.c, best of repeated runs, hot caches):
// how much of W1's distance to its GEMM limit is the GEMMs' own.
// Needs `npm run bench` once (it builds bench/.peers/gemm).
//   node --import tsx bench/micro/w1-gemms.ts
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as mt from '../../src/index.js';

mt.random.seed(0);
const normal = (...shape: number[]): mt.Tensor => mt.random.normal(shape);
const x = normal(128, 784), w1 = normal(512, 784), w2 = normal(512, 512), w3 = normal(10, 512);
const h1 = normal(128, 512), h2 = normal(128, 512), dy3 = normal(128, 10), dy2 = normal(128, 512), dy1 = normal(128, 512);
mt.evaluate(x, w1, w2, w3, h1, h2, dy3, dy2, dy1);
// [M, K, N] of each product, in the order below.
const shapes = [[128, 784, 512], [128, 512, 512], [128, 512, 10], [128, 10, 512], [128, 512, 512],
  [10, 128, 512], [512, 128, 512], [512, 128, 784]];
const products = (): void => mt.tidy(() => mt.evaluate(
  mt.linear(x, w1), mt.linear(h1, w2), mt.linear(h2, w3),
  mt.matmul(dy3, w3), mt.matmul(dy2, w2),
  mt.matmul(mt.transpose(dy3), h2), mt.matmul(mt.transpose(dy2), h1), mt.matmul(mt.transpose(dy1), x),
));

for (let i = 0; i < 300; i++) products();
const runs: number[] = [];
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  for (let i = 0; i < 300; i++) products();
  runs.push((performance.now() - t) / 300);
}
const mlxMs = runs.sort((a, b) => a - b)[2];
console.log(`W1's eight GEMMs through mlx-tape: ${mlxMs.toFixed(3)} ms (median of 5 loops of 300; ${runs.map((ms) => ms.toFixed(3)).join(' ')})`);

const gemm = 'bench/.peers/gemm', OPENBLAS = '/usr/lib/x86_64-linux-gnu/libopenblas.so.0'; // as bench/setup.mjs
if (!existsSync(gemm) || !existsSync(OPENBLAS)) {
  console.log(`no ${gemm} or ${OPENBLAS}: run \`npm run bench\` once for the cblas_sgemm comparison`);
} else {
  // The threads and kernels mlx-tape's OpenBLAS runs (importing mlx-tape set OPENBLAS_CORETYPE and the spin).
  const lines = execFileSync(gemm, [OPENBLAS, '2', ...shapes.flat().map(String)], { encoding: 'utf8' }).trim().split('\n');
  const blasMs = lines.reduce((sum, line) => sum + JSON.parse(line).ms, 0);
  console.log(`the same shapes through cblas_sgemm alone, 2 threads: ${blasMs.toFixed(3)} ms; mlx-tape ÷ cblas: ${(mlxMs / blasMs).toFixed(2)}×`);
}
