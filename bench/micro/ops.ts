// Single ops that W2/W4 spend their time in, mlx-tape side; bench/micro/ops.py is
// the MLX-Python side. Median ms of 30 evaluations after 5 warm-ups.
//   node --import tsx bench/micro/ops.ts
//   LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libopenblas.so.0 bench/.peers/venv/bin/python bench/micro/ops.py
import * as mt from '../../src/index.js';

function median(f: () => void, n = 30): number {
  const ts: number[] = [];
  for (let i = 0; i < n + 5; i++) {
    const t0 = performance.now();
    mt.tidy(f);
    if (i >= 5) ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[n >> 1]!;
}
/** Evaluates the gradients of sum(f(...xs)) with respect to every input. */
function fwdBwd(f: (...xs: mt.Tensor[]) => mt.Tensor, ...xs: mt.Tensor[]): () => void {
  return () => {
    const vs = xs.map((x) => x.detach().requireGrad());
    mt.sum(f(...vs)).backward();
    mt.evaluate(...vs.map((v) => v.grad!));
  };
}

const a = mt.random.normal([1024, 512]).eval();
const x = mt.random.normal([64, 28, 28, 32]).eval();
const h = mt.random.normal([64, 14, 14, 32]).eval();
const w = mt.random.normal([64, 3, 3, 32]).eval();
const x1 = mt.random.normal([64, 28, 28, 1]).eval();
const w1 = mt.random.normal([32, 3, 3, 1]).eval();
const rows: [string, () => void][] = [
  ['relu [1024,512]', () => void mt.relu(a).eval()],
  ['maximum(x, 0) [1024,512]', () => void mt.maximum(a, 0).eval()],
  ['relu fwd+bwd [64,28,28,32]', fwdBwd(mt.relu, x)],
  ['maxPool2d(2) [64,28,28,32]', () => void mt.maxPool2d(x, 2).eval()],
  ['maxPool2d(2) fwd+bwd [64,28,28,32]', fwdBwd((v) => mt.maxPool2d(v, 2), x)],
  ['conv2d pad 1 [64,14,14,32]*[64,3,3,32]', () => void mt.conv2d(h, w, { padding: 1 }).eval()],
  ['conv2d fwd+bwd (dx, dw)', fwdBwd((u, v) => mt.conv2d(u, v, { padding: 1 }), h, w)],
  ['conv2d fwd+bwd (dx, dw) [64,28,28,1]*[32,3,3,1]', fwdBwd((u, v) => mt.conv2d(u, v, { padding: 1 }), x1, w1)],
];
for (const [name, f] of rows) console.log(`${median(f).toFixed(2).padStart(8)} ms  ${name}`);
