// W2's step as it runs (a one-channel conv's forward and weight gradient
// through native.matmulNarrow, native/src/kernels.cc; each conv's bias added
// inside its product), or with NARROW=0 those narrow products through
// OpenBLAS's sgemm, or with BIAS=add the bias added by a pass of its own after
// the conv; median and p25 of 60 steps. Alternate processes, as the VM drifts:
//   for i in 1 2 3 4; do NARROW=0 node --import tsx bench/micro/w2-products.ts; node --import tsx bench/micro/w2-products.ts; done
//   for i in 1 2 3 4; do BIAS=add node --import tsx bench/micro/w2-products.ts; node --import tsx bench/micro/w2-products.ts; done
// (The products' own kernel, BlasMatmul, against MLX's Matmul and AddMM: bench/micro/ab.sh
// of the commits before and after it with bench/micro/linear-steps.ts.)
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { Cnn, sortedStepMs, trainer } from '../models.js';

const narrow = process.env.NARROW !== '0', biasAdd = process.env.BIAS === 'add';
if (!narrow) {
  native.matmulNarrow = (a: NativeArray, b: NativeArray, transposeA: boolean, bias?: NativeArray | null): NativeArray => {
    const aT = transposeA ? native.transpose(a, [1, 0]) : a;
    const out = bias ? native.addmm(bias, aT, b, 1, 1) : native.matmul(aT, b);
    if (transposeA) native.dispose(aT);
    return out;
  };
}
mt.random.seed(0);
const model = new Cnn();
if (biasAdd) {
  // The layers' conv without its bias option, then an add: what nn.Conv2d did before.
  // (The optimizer replaces the parameters each step: read them at each call.)
  for (const layer of [model.c1, model.c2]) {
    layer.forward = (x: mt.Tensor): mt.Tensor => mt.add(mt.conv2d(x, layer.weight, { padding: 1 }), layer.bias!);
  }
}
const ts = sortedStepMs(trainer(model, [64, 28, 28, 1]), 60);
const form = `${narrow ? 'matmulNarrow' : 'sgemm'}, ${biasAdd ? 'bias by add' : 'bias in the product'}`;
console.log(`W2 (${form}): median ${ts[30]!.toFixed(2)} ms, p25 ${ts[15]!.toFixed(2)} ms`);
