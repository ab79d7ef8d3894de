// W2's step with native.matmulNarrow (the default: a one-channel conv's
// forward and weight gradient, native/src/kernels.cc) or, with NARROW=0,
// the same products through OpenBLAS's sgemm; median and p25 of 60 steps.
// Alternate processes, as the VM drifts:
//   for i in 1 2 3 4; do NARROW=0 node --import tsx bench/micro/w2-narrow.ts; node --import tsx bench/micro/w2-narrow.ts; done
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { Cnn, trainer } from '../models.js';

const narrow = process.env.NARROW !== '0';
if (!narrow) {
  native.matmulNarrow = (a: NativeArray, b: NativeArray, transposeA: boolean): NativeArray => {
    if (!transposeA) return native.matmul(a, b);
    const aT = native.transpose(a, [1, 0]);
    const out = native.matmul(aT, b);
    native.dispose(aT);
    return out;
  };
}
mt.random.seed(0);
const step = trainer(new Cnn(), [64, 28, 28, 1]);
for (let i = 0; i < 5; i++) step();
const ts: number[] = [];
for (let i = 0; i < 60; i++) {
  const t = performance.now();
  step();
  ts.push(performance.now() - t);
}
ts.sort((a, b) => a - b);
console.log(`W2 ${narrow ? 'with matmulNarrow' : 'with sgemm      '}: median ${ts[30]!.toFixed(2)} ms, p25 ${ts[15]!.toFixed(2)} ms`);
