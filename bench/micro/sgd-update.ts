// W1's step as it runs (SGD's p - lr · g through native.axpby,
// native/src/kernels.cc: one pass on two threads) or with AXPBY=0 through
// the composed multiply and subtract; median and p25 of 200 steps. Alternate
// processes, as the VM drifts:
//   for i in 1 2 3 4; do AXPBY=0 node --import tsx bench/micro/sgd-update.ts; node --import tsx bench/micro/sgd-update.ts; done
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { Mlp, sortedStepMs, trainer } from '../models.js';

const fused = process.env.AXPBY !== '0';
if (!fused) {
  native.axpby = (x: NativeArray, y: NativeArray, alpha: number, beta: number): NativeArray => {
    const ax = alpha === 1 ? x : native.multiply(x, alpha), by = native.multiply(y, beta);
    const out = native.add(ax, by);
    for (const t of alpha === 1 ? [by] : [ax, by]) native.dispose(t);
    return out;
  };
}
mt.random.seed(0);
const ts = sortedStepMs(trainer(new Mlp(), [128, 784]), 200, 20);
console.log(`W1 (${fused ? 'axpby' : 'multiply + add'}): median ${ts[100]!.toFixed(2)} ms, p25 ${ts[50]!.toFixed(2)} ms`);
