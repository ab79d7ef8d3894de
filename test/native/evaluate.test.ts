// Evaluation (native/src/evaluate.cc): on the calling thread, and on CPU-only
// Linux builds with MLX's CPU stream thread first put on the caller's CPU;
// streamFollowsCaller switches that, for comparison.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';

const buildDefault = native.streamFollowsCaller(false);
native.streamFollowsCaller(buildDefault);
afterEach(() => native.streamFollowsCaller(buildDefault));

describe.each([true, false])('evaluation, the stream thread following the caller: %s', (follows) => {
  test('values, item and toArray', () => {
    native.streamFollowsCaller(follows);
    const x = mt.arange(0, 6, 'float32');
    const y = mt.reshape(mt.add(mt.multiply(x, x), 1), [2, 3]);
    expect(mt.transpose(y).toArray()).toEqual([[1, 10], [2, 17], [5, 26]]); // not row-contiguous: a second evaluation
    expect(mt.sum(y).item()).toBe(61);
    expect(mt.greater(mt.sum(y), 60).item()).toBe(true);
  });

  test('an eval inside a function MLX traces (its vjp) keeps the graph the gradient needs', () => {
    native.streamFollowsCaller(follows);
    const x = mt.tensor([1, 2, 3]);
    const [[out], [dx]] = native.mlxVjp(([h]) => {
      const square = native.multiply(h!, h!);
      native.eval([square]); // a tracer: MLX's eval keeps its graph
      return [native.multiply(square, h!)];
    }, [x.data], [mt.onesLike(x).data]);
    expectClose(new mt.Tensor(out!), [1, 8, 27]);
    expectClose(new mt.Tensor(dx!), [3, 12, 27]);
  });
});

/** Each thread's allowed CPUs (Cpus_allowed_list, expanded) and scheduling policy (field 41 of its stat), the main thread's first. */
const threads = (): { cpus: number[]; policy: number }[] => [String(process.pid), ...readdirSync('/proc/self/task').filter((t) => t !== String(process.pid))]
  .map((t) => ({
    cpus: /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/self/task/${t}/status`, 'utf8'))![1]!.split(',').flatMap((part) => {
      const [lo, hi = lo] = part.split('-').map(Number);
      return Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i);
    }),
    policy: Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[38]),
  }));
const SCHED_BATCH = 3;
/** The main thread's CPUs, the stream thread's (the one under SCHED_BATCH, while it follows the caller) and the other threads'. */
function placement(): { main: number[]; stream: number[] | undefined; others: number[][] } {
  const [main, ...rest] = threads();
  const stream = rest.filter((t) => t.policy === SCHED_BATCH);
  expect(stream.length).toBeLessThanOrEqual(1);
  return { main: main!.cpus, stream: stream[0]?.cpus, others: rest.filter((t) => t.policy !== SCHED_BATCH).map((t) => t.cpus) };
}
// OpenBLAS starts a worker thread per further core unless told otherwise.
const blasWorkers = native.blasCore() !== '' && !process.env.OPENBLAS_NUM_THREADS && !process.env.OMP_NUM_THREADS;

describe.runIf(process.platform === 'linux' && native.backend() === 'cpu' && availableParallelism() > 1)('thread placement', () => {
  test("MLX's CPU stream thread is kept on one CPU, under SCHED_BATCH, while it follows the caller, OpenBLAS's workers off it; any CPU for all after", () => {
    native.streamFollowsCaller(true);
    mt.tidy(() => mt.add(mt.ones([4]), 1).eval());
    const { main, stream, others } = placement();
    expect(stream).toHaveLength(1);
    if (blasWorkers) expect(others).toContainEqual(main.filter((cpu) => cpu !== stream![0]));
    native.streamFollowsCaller(false);
    mt.tidy(() => mt.add(mt.ones([4]), 1).eval());
    const after = placement();
    expect(after.stream).toBeUndefined();
    expect(after.others.every((cpus) => cpus.join() === main.join())).toBe(true);
  });

  test("the kernels' helper thread keeps off the stream thread's CPU", () => {
    native.streamFollowsCaller(true);
    // relu's gradient over 4 MiB: the maskedBy kernel splits its loop with the helper.
    const x = mt.random.normal([1 << 20]).eval();
    mt.tidy(() => mt.grad((v: mt.Tensor) => mt.sum(mt.relu(v)))(x).eval());
    const { main, stream, others } = placement();
    expect(stream).toHaveLength(1);
    expect(others).toContainEqual(main.filter((cpu) => cpu !== stream![0]));
  });
});

test('a JS worker thread and the main thread evaluate at the same time, each getting its own values', async () => {
  const { Worker } = await import('node:worker_threads');
  const addon = fileURLToPath(new URL('../../build/Release/mlx_tape.node', import.meta.url));
  const code = `const { parentPort, workerData: { addon } } = require('node:worker_threads');
    const native = require(addon);
    let sum = 0;
    for (let i = 0; i < 300; i++) {
      const a = native.full([64], i, 'float32');
      const b = native.sum(native.multiply(a, a), null, false);
      native.eval([b]);
      sum += native.item(b);
      native.dispose(a), native.dispose(b);
    }
    parentPort.postMessage(sum);`;
  const worker = new Worker(code, { eval: true, workerData: { addon } });
  const reply = new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  let sum = 0;
  for (let i = 0; i < 300; i++) sum += mt.tidy(() => mt.sum(mt.full([64], -i)).eval().item() as number);
  expect(sum).toBe(-64 * (299 * 300) / 2);
  expect(await reply).toBe(64 * (299 * 300 * 599) / 6);
  await worker.terminate();
});

test('graphOps lists the unevaluated ops behind arrays, each once, with its device', () => {
  const x = mt.tensor([1, 2, 3]).eval();
  const y = mt.multiply(x, x);
  const z = mt.add(y, mt.exp(y));
  const ops = native.graphOps([z.data, y.data]);
  expect(ops.map((op) => op.split('@')[0]).sort()).toEqual(['Add', 'Exp', 'Multiply']);
  expect(new Set(ops.map((op) => op.split('@')[1])).size).toBe(1); // the default device's, 'cpu' or 'gpu'
  expect(['cpu', 'gpu']).toContain(ops[0]!.split('@')[1]);
  y.eval();
  expect(native.graphOps([z.data]).map((op) => op.split('@')[0]).sort()).toEqual(['Add', 'Exp']);
  expect(native.graphOps([x.data])).toEqual([]);
});
