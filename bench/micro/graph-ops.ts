// The ops of one W1/W2 train step's graph, as MLX evaluates it: each
// unevaluated node behind the optimizer's one eval, counted by primitive and
// device. bench/micro/graph_ops.py counts MLX-Python's (mx.export_to_dot).
// BENCH_DEVICE=gpu runs it on the GPU.
//   node --import tsx bench/micro/graph-ops.ts
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { Cnn, Mlp, trainer } from '../models.js';

mt.setDefaultDevice(process.env.BENCH_DEVICE === 'gpu' ? 'gpu' : 'cpu');
mt.random.seed(0);
for (const [name, model, shape] of [['W1', new Mlp(), [128, 784]], ['W2', new Cnn(), [64, 28, 28, 1]]] as const) {
  const step = trainer(model, [...shape]);
  step();
  // The step's one eval sees the whole graph: list it there.
  const evaluate = native.eval;
  let ops: string[] = [];
  native.eval = (arrays) => {
    ops = native.graphOps(arrays);
    evaluate(arrays);
  };
  try {
    step();
  } finally {
    native.eval = evaluate;
  }
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ');
  console.log(`mlx-tape ${name}: ${ops.length} ops: ${list}`);
}
