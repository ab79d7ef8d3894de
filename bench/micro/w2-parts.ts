// W2's parts on the CPU, each alone on evaluated inputs: its five GEMM shapes
// (GFLOP/s; the first conv's two run as matmulNarrow in W2 itself) and its memory-bound kernels (GB/s, against a plain copy), to
// tell how far the step is from what its pieces need. Median of 30 after 10.
//   node --import tsx bench/micro/w2-parts.ts
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';

const r = (shape: number[]): mt.Tensor => mt.random.normal(shape).eval();
function median(f: () => NativeArray): number {
  const ts: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    const h = f();
    native.eval([h]);
    if (i >= 10) ts.push(performance.now() - t);
    native.dispose(h);
  }
  return ts.sort((a, b) => a - b)[ts.length >> 1]!;
}

const cols2 = r([12544, 288]), w2T = r([288, 64]), dy2 = r([12544, 64]), w2 = r([64, 288]);
const cols1 = r([50176, 9]), w1T = r([9, 32]), dy1 = r([50176, 32]);
const dy2T = mt.transpose(dy2).eval(), cols1T = mt.transpose(cols1).eval();
const gemms: [string, () => NativeArray, number][] = [
  ['conv2 forward  cols[12544,288] · wᵀ[288,64]', () => native.matmul(cols2.data, w2T.data), 12544 * 288 * 64],
  ['conv2 dw       dyᵀ[64,12544] · cols[12544,288]', () => native.matmul(dy2T.data, cols2.data), 12544 * 288 * 64],
  ['conv2 dx cols  dy[12544,64] · w[64,288]', () => native.matmul(dy2.data, w2.data), 12544 * 288 * 64],
  ['conv1 forward  cols[50176,9] · wᵀ[9,32]', () => native.matmul(cols1.data, w1T.data), 50176 * 9 * 32],
  ['conv1 dw       colsᵀ[9,50176] · dy[50176,32]', () => native.matmul(cols1T.data, dy1.data), 50176 * 9 * 32],
];
// What W2 runs for its first conv instead (native/src/kernels.cc, CPU only).
const narrow: [string, () => NativeArray, number][] = [
  ['conv1 forward, matmulNarrow', () => native.matmulNarrow(cols1.data, w1T.data, false), 50176 * 9 * 32],
  ['conv1 dw, matmulNarrow (colsᵀ · dy)', () => native.matmulNarrow(cols1.data, dy1.data, true), 50176 * 9 * 32],
];
let total = 0;
for (const [name, f, macs] of gemms) {
  const ms = median(f);
  total += ms;
  console.log(`${name.padEnd(50)} ${ms.toFixed(2).padStart(6)} ms  ${((2 * macs) / ms / 1e6).toFixed(0).padStart(4)} GFLOP/s`);
}
console.log(`${'the five GEMMs'.padEnd(50)} ${total.toFixed(2).padStart(6)} ms`);
for (const [name, f, macs] of narrow) {
  const ms = median(f);
  console.log(`${name.padEnd(50)} ${ms.toFixed(2).padStart(6)} ms  ${((2 * macs) / ms / 1e6).toFixed(0).padStart(4)} GFLOP/s`);
}

const x = r([64, 28, 28, 32]), dx = r([64, 28, 28, 32]), dyPool = r([64, 14, 14, 32]);
const pooled = new mt.Tensor(native.maxPoolTiled(x.data, [2, 2])).eval();
const MB = x.nbytes;
const kernels: [string, () => NativeArray, number][] = [
  ['copy (x + 0) [64,28,28,32]', () => native.add(x.data, 0), 2 * MB],
  ['relu forward, maximum(x, 0)', () => native.maximum(x.data, 0), 2 * MB],
  ['relu backward, maskedBy', () => native.maskedBy(dx.data, x.data, 'greater', 0), 3 * MB],
  ['max-pool 2 forward', () => native.maxPoolTiled(x.data, [2, 2]), 1.25 * MB],
  ['max-pool 2 backward', () => native.maxPoolTiledGrad(x.data, pooled.data, dyPool.data, [2, 2]), 2.5 * MB],
];
for (const [name, f, bytes] of kernels) {
  const ms = median(f);
  console.log(`${name.padEnd(50)} ${ms.toFixed(2).padStart(6)} ms  ${(bytes / ms / 1e6).toFixed(1).padStart(5)} GB/s`);
}
