// MLX's peak memory over the weights and input during one W4 forward (MLP,
// batch 1024), evaluated inside the tidy scope that built it (which holds
// every intermediate) and outside it, where MLX can write each ReLU into its
// input's buffer. bench/micro/w4_peak.py is MLX-Python's side.
//   node --import tsx bench/micro/w4-peak.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Mlp } from '../models.js';

mt.random.seed(0);
const model = new Mlp();
const x = mt.random.normal([1024, 784]).eval();
mt.evaluate(...mt.treeFlatten(model.parameters()));
const base = mt.memoryStats().active;
const peakMiB = (forward: () => void): string => {
  native.resetPeakMemory();
  forward();
  return ((mt.memoryStats().peak - base) / 2 ** 20).toFixed(2);
};
console.log(`inside tidy:  ${peakMiB(() => mt.tidy(() => void mt.noGrad(() => model.forward(x)).eval()))} MiB`);
console.log(`outside tidy: ${peakMiB(() => {
  const y = mt.tidy(() => mt.noGrad(() => model.forward(x)));
  y.eval();
  y.dispose();
})} MiB`);
