// mlx-tape side of the bench: the same workloads as the peers, written the way
// a user of mlx-tape would (nn layers, nn.valueAndGrad, optim.SGD, tidy/dispose).
import * as mt from '../../src/index.js';
import { Cnn, Mlp, trainer } from '../models.js';
import { serve, rssMiB, jsHeapMiB } from './serve.mjs';

function chain(record: boolean): () => void {
  const a = mt.full([16], 0.999), b = mt.full([16], 0.001);
  const x0 = mt.random.normal([16]);
  mt.evaluate(a, b, x0);
  // Built in tidy, evaluated outside it (as tidy's doc advises): the scope's
  // intermediates are freed first, so MLX's eval can reuse their buffers.
  return () => {
    const out = mt.tidy(() => {
      const x = record ? x0.detach().requireGrad() : x0;
      let y = x;
      for (let i = 0; i < 5000; i++) y = mt.add(mt.multiply(y, a), b);
      if (!record) return y;
      mt.sum(y).backward();
      return x.grad!;
    });
    out.eval();
    out.dispose();
  };
}

mt.random.seed(0);
serve({ name: 'mlx-tape', version: `mlx ${mt.mlxVersion()}` }, {
  W1: (variant) => trainer(new Mlp(), [128, 784], variant === 'compiled'),
  W2: (variant) => trainer(new Cnn(), [64, 28, 28, 1], variant === 'compiled'),
  W3: (variant) => chain(variant === 'grad'),
  W4: (variant) => {
    const model = new Mlp();
    const x = mt.random.normal([1024, 784]).eval();
    const forward = (input: mt.Tensor) => model.forward(input);
    const run = variant === 'compiled' ? mt.compile(forward, { state: [model] }) : forward;
    // Evaluated outside the scope, as for W3: MLX may then write each ReLU
    // into its input's buffer, as in MLX-Python's forward (peak 4.04 MiB over
    // the weights and input in both, 8.04 evaluated inside: bench/micro/w4-peak.ts).
    return () => {
      const y = mt.tidy(() => mt.noGrad(() => run(x)));
      y.eval();
      y.dispose();
    };
  },
}, {
  // Stops early past MEM_CAP_MIB of RSS, so that a leak can't take the machine down.
  memLoop: (marks) => {
    const step = trainer(new Mlp(), [128, 784]);
    const cap = Number(process.env.MEM_CAP_MIB ?? 3072);
    const out: { steps: number; rssMiB: number; activeMiB: number; cacheMiB: number; heapMiB: number; youngMiB: number; stopped?: string }[] = [];
    for (let i = 1; i <= marks[marks.length - 1]!; i++) {
      step();
      const rss = rssMiB();
      if (marks.includes(i) || rss > cap) {
        const { active, cache } = mt.memoryStats();
        out.push({ steps: i, rssMiB: rss, activeMiB: active / 2 ** 20, cacheMiB: cache / 2 ** 20, ...jsHeapMiB() });
      }
      if (rss > cap) { out[out.length - 1]!.stopped = `RSS over ${cap} MiB`; break; }
    }
    return out;
  },
});
