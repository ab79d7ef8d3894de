// TensorFlow.js side of the bench: the pure-JS CPU backend ('cpu'), tf.layers
// for the model, optimizer.minimize for the step, tf.tidy for memory.
import { createRequire } from 'node:module';
import { serve, rssMiB } from './serve.mjs';

const require = createRequire(import.meta.url);
const tf = require(process.env.TFJS_DIR); // bench/.peers/tfjs/node_modules/@tensorflow/tfjs
await tf.setBackend('cpu');
const LR = 0.01;
const SEED = 0;

const mlp = () => tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
  tf.layers.dense({ units: 512, activation: 'relu' }),
  tf.layers.dense({ units: 10 }),
] });

const cnn = () => tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
  tf.layers.maxPooling2d({ poolSize: 2 }),
  tf.layers.flatten(),
  tf.layers.dense({ units: 10 }),
] });

function trainer(model, xShape) {
  const x = tf.randomNormal(xShape, 0, 1, 'float32', SEED);
  const y = tf.oneHot(tf.randomUniform([xShape[0]], 0, 10, 'int32', SEED), 10);
  const opt = tf.train.sgd(LR);
  return () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
    loss.dataSync();
    loss.dispose();
  };
}

function chain(record) {
  const a = tf.fill([16], 0.999), b = tf.fill([16], 0.001);
  const x0 = tf.randomNormal([16], 0, 1, 'float32', SEED);
  const f = (x) => {
    let y = x;
    for (let i = 0; i < 5000; i++) y = tf.add(tf.mul(y, a), b);
    return y;
  };
  const g = tf.grad((x) => tf.sum(f(x)));
  return record
    ? () => tf.tidy(() => g(x0).dataSync())
    : () => tf.tidy(() => f(x0).dataSync());
}

serve({ name: 'TF.js', version: `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}` }, {
  W1: () => trainer(mlp(), [128, 784]),
  W2: () => trainer(cnn(), [64, 28, 28, 1]),
  W3: (variant) => chain(variant === 'grad'),
  W4: () => {
    const model = mlp();
    const x = tf.randomNormal([1024, 784], 0, 1, 'float32', SEED);
    return () => tf.tidy(() => model.apply(x).dataSync());
  },
}, {
  memLoop: (marks) => {
    const step = trainer(mlp(), [128, 784]);
    const out = [];
    for (let i = 1; i <= marks[marks.length - 1]; i++) {
      step();
      if (marks.includes(i)) out.push({ steps: i, rssMiB: rssMiB(), activeMiB: tf.memory().numBytes / 2 ** 20 });
    }
    return out;
  },
});
