// W2's step as it runs (max pooling over relu's output pools relu's input,
// src/tensor/ops/pool.ts) or, with RELU=plain, with relu written as
// maximum(x, 0), which max pooling does not look through: relu's full-size
// passes forward and back. Median and p25 of 200 steps (BENCH_DEVICE=gpu: on
// the GPU). Alternate processes, as the machines drift:
//   for i in 1 2 3; do RELU=plain node --import tsx bench/micro/relu-pool.ts; node --import tsx bench/micro/relu-pool.ts; done
import * as mt from '../../src/index.js';
import { Cnn, sortedStepMs, trainer } from '../models.js';

class PlainReluCnn extends Cnn {
  override forward(x: mt.Tensor): mt.Tensor {
    let h = this.pool.forward(mt.maximum(this.c1.forward(x), 0));
    h = this.pool.forward(mt.maximum(this.c2.forward(h), 0));
    return this.fc.forward(mt.reshape(h, [h.shape[0]!, -1]));
  }
}

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
mt.random.seed(0);
const plain = process.env.RELU === 'plain';
const ts = sortedStepMs(trainer(plain ? new PlainReluCnn() : new Cnn(), [64, 28, 28, 1]), 200, 50);
console.log(`W2 on the ${mt.defaultDevice()} (${plain ? 'maximum(x, 0), then pooling' : 'relu pooled through'}): median ${ts[100]!.toFixed(2)} ms, p25 ${ts[50]!.toFixed(2)} ms`);
