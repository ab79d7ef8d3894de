import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { gc } from '../helpers/gc.js';
import { onGpu } from '../helpers/device.js';

const data = new Float32Array(256).fill(1);

/** MLX's active bytes once garbage is collected, the device done with what evals used and MLX's buffer cache emptied. */
function active(): number {
  gc();
  mt.synchronize();
  mt.clearCache();
  return mt.memoryStats().active;
}

// Each cycle evaluates: on a GPU that is a device synchronisation, ~10x the CPU's cost.
const CYCLES = onGpu ? 10_000 : 100_000;

test(`${CYCLES} create/dispose cycles leave MLX active memory where it started`, () => {
  // Warm up once so lazily made process-wide buffers are not counted as a leak.
  for (let i = 0; i < 100; i++) {
    const t = mt.tensor(data);
    const u = mt.add(t, 1).eval();
    t.dispose();
    u.dispose();
  }
  const before = active();
  let peak = 0;
  for (let i = 0; i < CYCLES; i++) {
    const t = mt.tensor(data); // copied into an MLX buffer at once
    const u = mt.add(t, 1).eval(); // and one more buffer made by an op
    if (i === CYCLES / 2) peak = mt.memoryStats().active;
    t.dispose();
    u.dispose();
  }
  expect(peak).toBeGreaterThan(before); // the loop did hold arrays
  expect(active()).toBe(before);
}, 30_000);

test('tidy frees what a step made: 10k steps leave active memory where it started', () => {
  const w = mt.tensor(data);
  const before = active();
  for (let i = 0; i < 10_000; i++) {
    mt.tidy(() => {
      mt.sum(mt.multiply(mt.add(w, i), w)).eval();
    });
  }
  expect(active()).toBe(before);
  w.dispose();
});

test('a disposed array gives its bytes back at once', () => {
  const before = active();
  const t = mt.zeros([1024, 1024]).eval();
  expect(mt.memoryStats().active - before).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  t.dispose();
  expect(active()).toBe(before);
});

test('finalizers run during GC itself: a synchronous loop leaves no backlog of handles or memory', () => {
  const x = mt.tensor(data);
  const handles = () => (gc(), native.handleCount());
  const before = active(), beforeHandles = handles();
  // Never yields to the event loop, as a plain training loop doesn't: finalizers
  // queued for the event loop would hold every handle below until it did.
  for (let i = 0; i < 20_000; i++) mt.add(x, i).eval().dispose(); // disposed: only the handles are left to the GC
  for (let i = 0; i < 2_000; i++) mt.add(x, i).eval(); // never disposed: the finalizer is all that frees them
  // Made inside tidy, which gives them no finalizer, but outliving it: kept, or returned.
  for (let i = 0; i < 2_000; i++) mt.tidy(() => void mt.keep(mt.add(x, i)).eval());
  for (let i = 0; i < 2_000; i++) mt.tidy(() => mt.tidy(() => mt.add(x, i)).eval());
  expect(handles()).toBeLessThanOrEqual(beforeHandles);
  expect(active()).toBe(before);
  x.dispose();
});

test('finalizers of many large undisposed arrays, run during GC, never call back into V8 (no abort)', () => {
  const script = fileURLToPath(new URL('./gc-stress.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
  expect(run.stderr).not.toMatch(/Fatal error/);
  expect(run.stdout.trim()).toBe('ok');
}, 60_000);

test('recording and backward make no native calls per op beyond the ops, one dtype and one shape comparison', () => {
  const a = mt.tensor([0.5, 2, 3]);
  const calls = (n: number): { shape: number; dtype: number; multiply: number } => {
    const shape = vi.spyOn(native, 'shape'), dtype = vi.spyOn(native, 'dtypeIndex'), mul = vi.spyOn(native, 'multiply');
    mt.tidy(() => {
      const x = mt.tensor([1, 2, 3]).requireGrad();
      let y = x;
      for (let i = 0; i < n; i++) y = mt.add(mt.multiply(y, a), 1);
      mt.sum(y).backward();
      x.grad!.eval();
    });
    const counts = { shape: shape.mock.calls.length, dtype: dtype.mock.calls.length, multiply: mul.mock.calls.length };
    for (const spy of [shape, dtype, mul]) spy.mockRestore();
    return counts;
  };
  const short = calls(10), long = calls(110);
  // One multiply forward and one backward: `a` takes no gradient, so its cotangent is never built.
  expect(long.multiply - short.multiply).toBe(2 * 100);
  expect(long.shape).toBe(short.shape); // none per op: backward compares shapes natively
  expect(long.dtype - short.dtype).toBeLessThanOrEqual(2 * 100); // at most apply's float check, once per recorded op
});

test('arrays that tidy frees are not reported to V8 as external memory; ones that outlive it are', async () => {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  // Major GCs while `fn` makes 40 lazy 64 MiB arrays (V8 collects every ~64 MiB of reported bytes).
  const majorGcs = async (fn: () => void): Promise<number> => {
    let n = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) n++;
    });
    obs.observe({ entryTypes: ['gc'] });
    fn();
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    return n;
  };
  const big = (): mt.Tensor => mt.zeros([16 * 2 ** 20]);
  // The fewest of three tries: a major GC that other work had already made due
  // can land in any one window (it did once on the GPU machine).
  const tidyGcs: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) tidyGcs.push(await majorGcs(() => mt.tidy(() => { for (let i = 0; i < 40; i++) big(); })));
  expect(Math.min(...tidyGcs)).toBe(0);
  const kept: mt.Tensor[] = [];
  expect(await majorGcs(() => mt.tidy(() => { for (let i = 0; i < 40; i++) kept.push(mt.keep(big())); }))).toBeGreaterThan(0);
  const outside: mt.Tensor[] = [];
  expect(await majorGcs(() => { for (let i = 0; i < 40; i++) outside.push(big()); })).toBeGreaterThan(0);
  mt.dispose([kept, outside]);
});

test('outlive and alias refuse what is not an MLX array', () => {
  expect(() => native.outlive({} as never, {})).toThrow(/outlive: expected an MLX array, got/);
  expect(() => native.alias(1 as never)).toThrow(/alias: argument 'a' must be an MLX array/);
  // Handles made in tidy are BigInts; others are not handles, nor scalars.
  expect(() => native.alias(12345n as never)).toThrow(/alias: argument 'a' must be an MLX array/);
  expect(() => native.add(2n ** 70n as never, 1)).toThrow(/add: argument 'a' must be an MLX array/);
  mt.tidy(() => {
    const t = mt.ones([2]);
    expect(() => native.outlive(t.data, 1 as never)).toThrow(/outlive: argument 'owner' must be the object holding the handle, got 1/);
  });
});

test('a handle is refused by another worker thread, whose array table is its own', async () => {
  const { Worker } = await import('node:worker_threads');
  const addon = fileURLToPath(new URL('../../build/Release/mlx_tape.node', import.meta.url));
  const handle = mt.tidy(() => mt.keep(mt.ones([2])));
  // The worker fills its own table up to the handle's slot and generation, so
  // only the thread tag in the key tells the two apart.
  const code = `const { parentPort, workerData: { addon, handle } } = require('node:worker_threads');
    const native = require(addon);
    native.inScope(true);
    const slot = Number(handle & 0xffffffn), generation = Number((handle >> 24n) & 0xffffffn);
    let last;
    for (let i = 0; i <= slot; i++) last = native.full([1], i, 'float32');
    for (let g = 0; g < generation; g++) { native.dispose(last); last = native.full([1], g, 'float32'); }
    try { native.negative(handle); parentPort.postMessage('accepted'); }
    catch (e) { parentPort.postMessage(e.message); }`;
  const worker = new Worker(code, { eval: true, workerData: { addon, handle: handle.data } });
  const reply = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  await worker.terminate();
  expect(reply).toMatch(/^negative: argument 'a' must be an MLX array, got/);
  handle.dispose();
});

test('a disposed handle stays disposed when its slot in the array table is reused', () => {
  const a = mt.tensor([1, 2]);
  const stale = a.data;
  a.dispose();
  const b = mt.tensor([3, 4]); // takes the slot a freed
  expect(() => native.add(stale, 1)).toThrow(/argument 'a' is an array that was already disposed/);
  expect(native.dispose(stale)).toBe(false);
  expect(native.isArray(stale)).toBe(true);
  expect(b.toArray()).toEqual([3, 4]);
  b.dispose();
  // The same for a handle made inside tidy (a BigInt, not an External).
  mt.tidy(() => {
    const c = mt.tensor([1, 2]);
    const staleInScope = c.data;
    c.dispose();
    const d = mt.tensor([5, 6]);
    expect(() => native.add(staleInScope, 1)).toThrow(/argument 'a' is an array that was already disposed/);
    expect(d.toArray()).toEqual([5, 6]);
  });
});

test('shapes read through the shared buffer match MLX, from rank 0 to past the buffer', () => {
  for (const shape of [[], [3], [2, 0, 4], Array.from({ length: 40 }, () => 1)]) {
    const t = mt.zeros(shape);
    expect(t.shape).toEqual(shape);
    expect(native.shapeInto(t.data)).toBe(shape.length > 32 ? -1 : shape.length);
    t.dispose();
  }
  expect(() => native.setShapeBuffer(new Float32Array(4) as never)).toThrow(/setShapeBuffer: argument 'buffer' must be an Int32Array/);
});

test('setCacheLimit: mlx-tape keeps up to 1 GiB of freed buffers by default, the setter returns the limit before', () => {
  const start = mt.setCacheLimit(0);
  try {
    // A quarter of MLX's memory limit, at most 1 GiB; never below MLX's own default (32 MiB on the CPU).
    const memoryLimit = native.setMemoryLimit(0);
    native.setMemoryLimit(memoryLimit);
    const ours = Math.min(Math.floor(memoryLimit / 4), 2 ** 30);
    if (onGpu) expect(start).toBeGreaterThanOrEqual(ours);
    else expect(start).toBe(Math.max(ours, 32 * 2 ** 20));
    mt.tidy(() => void mt.add(mt.ones([1 << 20]), 1).eval()); // 4 MiB freed at the scope's end
    expect(mt.memoryStats().cache).toBe(0); // nothing kept at limit 0
    expect(mt.setCacheLimit(64 * 2 ** 20)).toBe(0);
    mt.tidy(() => void mt.add(mt.ones([1 << 20]), 1).eval());
    // On the GPU a buffer reaches the cache only once its stream's work is done.
    if (!onGpu) expect(mt.memoryStats().cache).toBeGreaterThanOrEqual(4 * 2 ** 20);
  } finally {
    mt.setCacheLimit(start);
  }
  expect(() => mt.setCacheLimit(-1)).toThrow(/\[setCacheLimit\] bytes must be a non-negative integer, got -1/);
  expect(() => mt.setCacheLimit(1.5)).toThrow(RangeError);
});
