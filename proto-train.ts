// THROWAWAY prototype (not part of the project): tune hyperparameters with raw native ops + MLX vjp.
import { native as a } from './src/tensor/native.js';
import * as mt from './src/index.js';
import { randomShift } from './examples/mnist/augment.js';
const shift = +(process.env.SHIFT ?? 0);
type A = ReturnType<typeof a.add>;
const [model, epochs, lr0, c1, c2, bs, hidden] = [process.argv[2] ?? 'cnn', +(process.argv[3] ?? 5), +(process.argv[4] ?? 2e-3), +(process.argv[5] ?? 16), +(process.argv[6] ?? 32), +(process.argv[7] ?? 64), +(process.argv[8] ?? 256)];
const { train, test } = mt.data.mnistDigitsSplit();
const rand = mt.data.rng(0);
const uni = (shape: number[], fanIn: number): A => { const n = shape.reduce((x, y) => x * y, 1); const d = new Float32Array(n); const b = 1 / Math.sqrt(fanIn); for (let i = 0; i < n; i++) d[i] = (rand() / 2 ** 32 * 2 - 1) * b; return a.fromTypedArray(d, shape, 'float32'); };
let params: A[];
let fwd: (p: A[], x: A) => A;
const pool = (h: A): A => { const [B, H, W, C] = a.shape(h) as number[]; return a.max(a.reshape(h, [B!, H! / 2, 2, W! / 2, 2, C!]), [2, 4], false); };
if (model === 'cnn') {
  params = [uni([c1, 3, 3, 1], 9), uni([c1], 9), uni([c2, 3, 3, c1], 9 * c1), uni([c2], 9 * c1), uni([c2 * 49, 10], c2 * 49), uni([10], c2 * 49)];
  fwd = ([w1, b1, w2, b2, w3, b3], x) => {
    let h = pool(a.maximum(a.add(a.conv2d(x, w1!, [1, 1] as never, [1, 1] as never, [1, 1] as never, 1), b1!), 0));
    h = pool(a.maximum(a.add(a.conv2d(h, w2!, [1, 1] as never, [1, 1] as never, [1, 1] as never, 1), b2!), 0));
    const B = (a.shape(h) as number[])[0]!;
    return a.add(a.matmul(a.reshape(h, [B, -1]), w3!), b3!);
  };
} else {
  params = [uni([784, hidden], 784), uni([hidden], 784), uni([hidden, hidden], hidden), uni([hidden], hidden), uni([hidden, 10], hidden), uni([10], hidden)];
  fwd = ([w1, b1, w2, b2, w3, b3], x) => {
    const B = (a.shape(x) as number[])[0]!;
    let h = a.maximum(a.add(a.matmul(a.reshape(x, [B, 784]), w1!), b1!), 0);
    h = a.maximum(a.add(a.matmul(h, w2!), b2!), 0);
    return a.add(a.matmul(h, w3!), b3!);
  };
}
const ce = (logits: A, y: A): A => a.mean(a.subtract(a.logsumexp(logits, -1, false), a.squeeze(a.takeAlongAxis(logits, a.expandDims(y, -1), -1), -1)), null, false);
let m = params.map((p) => a.zerosLike(p)), v = params.map((p) => a.zerosLike(p));
const loader = new mt.data.DataLoader(train, { batchSize: bs, seed: 0, transform: shift ? randomShift(shift) : undefined });
const T = epochs * loader.length; let t = 0;
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now(); let tl = 0, n = 0;
  for (const b of loader.epoch(e)) {
    const [[loss], grads] = a.mlxVjp((xs) => [ce(fwd(xs.slice(0, params.length), b.x.data), b.y.data)], params, [a.full([], 1, 'float32')]);
    t++;
    const lr = lr0 * 0.5 * (1 + Math.cos(Math.PI * (t - 1) / T));
    const b1 = 0.9, b2 = 0.999;
    const np: A[] = [];
    params.forEach((p, i) => {
      m[i] = a.add(a.multiply(m[i]!, b1), a.multiply(grads[i]!, 1 - b1));
      v[i] = a.add(a.multiply(v[i]!, b2), a.multiply(a.square(grads[i]!), 1 - b2));
      const mh = a.divide(m[i]!, 1 - b1 ** t), vh = a.divide(v[i]!, 1 - b2 ** t);
      np.push(a.subtract(p, a.multiply(a.divide(mh, a.add(a.sqrt(vh), 1e-8)), lr)));
    });
    params = np; a.eval([...params, ...m, ...v, loss!]);
    tl += (a.item(loss!) as number) * b.size; n += b.size; mt.dispose(b);
  }
  let correct = 0, tloss = 0;
  for (const b of new mt.data.DataLoader(test, { batchSize: 500, shuffle: false }).epoch(0)) {
    const lg = fwd(params, b.x.data);
    tloss += (a.item(ce(lg, b.y.data)) as number) * b.size;
    correct += a.item(a.sum(a.equal(a.argmax(lg, -1, false), b.y.data), null, false)) as number; mt.dispose(b);
  }
  console.log(`${model} e${e + 1} train ${(tl / n).toFixed(4)} test ${(tloss / 2000).toFixed(4)} acc ${(correct / 20).toFixed(2)}% ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}
