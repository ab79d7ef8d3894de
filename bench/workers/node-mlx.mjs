// node-mlx (@frost-beta/mlx) side of the bench, written as its README does:
// nn layers, nn.valueAndGrad, optimizers.SGD, mx.eval of parameters, state and loss.
// node-mlx frees arrays only through GC finalizers (it has no tidy/dispose).
import { createRequire } from 'node:module';
import { serve, rssMiB, jsHeapMiB } from './serve.mjs';

const require = createRequire(import.meta.url);
const pkg = process.env.NODE_MLX_DIR; // bench/.peers/node-mlx/node_modules/@frost-beta/mlx
const { core: mx, nn, optimizers } = require(pkg);
const version = require(`${pkg}/package.json`).version;
const LR = 0.01;

class Mlp extends nn.Module {
  constructor() {
    super();
    this.l1 = new nn.Linear(784, 512);
    this.l2 = new nn.Linear(512, 512);
    this.l3 = new nn.Linear(512, 10);
  }
  forward(x) {
    return this.l3.forward(nn.relu(this.l2.forward(nn.relu(this.l1.forward(x)))));
  }
}

class Cnn extends nn.Module {
  constructor() {
    super();
    this.c1 = new nn.Conv2d(1, 32, 3, 1, 1);
    this.c2 = new nn.Conv2d(32, 64, 3, 1, 1);
    this.pool = new nn.MaxPool2d(2);
    this.fc = new nn.Linear(64 * 7 * 7, 10);
  }
  forward(x) {
    let h = this.pool.forward(nn.relu(this.c1.forward(x)));
    h = this.pool.forward(nn.relu(this.c2.forward(h)));
    return this.fc.forward(mx.reshape(h, [h.shape[0], -1]));
  }
}

const lossFn = (m, x, y) => nn.losses.crossEntropy(m.forward(x), y, undefined, -1, 0, 'mean');

function trainer(model, xShape) {
  const x = mx.random.normal(xShape);
  const y = mx.random.randint(0, 10, [xShape[0]]);
  mx.eval(x, y);
  const opt = new optimizers.SGD(LR);
  const step = nn.valueAndGrad(model, lossFn);
  return () => {
    const [loss, grads] = step(model, x, y);
    opt.update(model, grads);
    mx.eval(model.parameters(), opt.state, loss);
  };
}

function chain(record) {
  const a = mx.full([16], 0.999), b = mx.full([16], 0.001);
  const x0 = mx.random.normal([16]);
  mx.eval(a, b, x0);
  const f = (x) => {
    let y = x;
    for (let i = 0; i < 5000; i++) y = mx.add(mx.multiply(y, a), b);
    return y;
  };
  const g = mx.grad((x) => mx.sum(f(x)));
  return record ? () => mx.eval(g(x0)) : () => mx.eval(f(x0));
}

mx.random.seed(0);
serve({ name: 'node-mlx', version: `@frost-beta/mlx ${version}` }, {
  W1: () => trainer(new Mlp(), [128, 784]),
  W2: () => trainer(new Cnn(), [64, 28, 28, 1]),
  W3: (variant) => chain(variant === 'grad'),
  W4: () => {
    const model = new Mlp();
    const x = mx.random.normal([1024, 784]);
    mx.eval(x);
    return () => mx.eval(model.forward(x));
  },
}, {
  // Stops early past MEM_CAP_MIB of RSS: node-mlx's arrays wait for the GC.
  // Its MLX 0.25 has no active-memory counter off Metal (mx.metal.getActiveMemory() is 0 on Linux).
  memLoop: (marks) => {
    const step = trainer(new Mlp(), [128, 784]);
    const cap = Number(process.env.MEM_CAP_MIB ?? 3072);
    const out = [];
    for (let i = 1; i <= marks[marks.length - 1]; i++) {
      step();
      const rss = rssMiB();
      if (marks.includes(i) || rss > cap) out.push({ steps: i, rssMiB: rss, activeMiB: null, ...jsHeapMiB() });
      if (rss > cap) { out[out.length - 1].stopped = `RSS over ${cap} MiB`; break; }
    }
    return out;
  },
});
