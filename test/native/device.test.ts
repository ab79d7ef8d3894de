import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { cpuOnly, GPU_FLOAT64, onGpu } from '../helpers/device.js';
import { expectMlxError } from '../helpers/errors.js';

test('the build reports MLX 0.32.4 on the CPU backend', () => {
  cpuOnly('a fact of the CPU build (mlx-cpu wheel)');
  expect(mt.mlxVersion()).toBe('0.32.4');
  expect(mt.backend()).toBe('cpu');
});

test('cpu is the default device and the only one available', () => {
  cpuOnly('a fact of the CPU build (mlx-cpu wheel)');
  expect(mt.defaultDevice()).toBe('cpu');
  expect(mt.isAvailable('cpu')).toBe(true);
  expect(mt.isAvailable('gpu')).toBe(false);
  mt.setDefaultDevice('cpu');
  expect(mt.defaultDevice()).toBe('cpu');
});

test("setDefaultDevice('gpu') on a CPU-only build is a clear error and changes nothing", () => {
  cpuOnly('a fact of the CPU build (mlx-cpu wheel)');
  expect(() => mt.setDefaultDevice('gpu')).toThrow(/\[setDefaultDevice\] no GPU in this build \(backend 'cpu'\); use 'cpu'/);
  expect(mt.defaultDevice()).toBe('cpu');
  expect(mt.add(mt.ones([2]), 1).toArray()).toEqual([2, 2]);
});

test('an unknown device name is an MlxError naming it', () => {
  expect(() => mt.setDefaultDevice('tpu' as mt.Device)).toThrow(mt.MlxError);
  expect(() => mt.setDefaultDevice('tpu' as mt.Device)).toThrow(/device must be 'cpu' or 'gpu', got 'tpu'/);
  expect(() => mt.isAvailable('tpu' as mt.Device)).toThrow(/got 'tpu'/);
});

test.runIf(onGpu)('the GPU build: MLX 0.32.4 on CUDA, the GPU is the default, both devices available', () => {
  expect(mt.mlxVersion()).toBe('0.32.4');
  expect(mt.backend()).toBe('cuda');
  expect(mt.defaultDevice()).toBe('gpu');
  expect(mt.isAvailable('gpu')).toBe(true);
  expect(mt.isAvailable('cpu')).toBe(true);
});

test.runIf(onGpu)('withDevice runs on the CPU and comes back to the GPU, also after a throw', () => {
  const y = mt.withDevice('cpu', () => mt.add(mt.tensor([1, 2], 'float64'), 1));
  expect(mt.defaultDevice()).toBe('gpu');
  expect(mt.withDevice('cpu', () => y.toArray())).toEqual([2, 3]);
  expect(() => mt.withDevice('cpu', () => {
    throw new Error('inside');
  })).toThrow('inside');
  expect(mt.defaultDevice()).toBe('gpu');
  expect(mt.add(mt.ones([2]), 1).toArray()).toEqual([2, 2]);
});

test.runIf(onGpu)('float64 on the GPU is an MlxError (MLX_INVALID_ARGUMENT), and the process carries on', () => {
  const x = mt.tensor([1, 2], 'float64'); // data alone is fine; an op on the GPU is not
  for (const f of [() => mt.add(x, 1), () => mt.astype(mt.ones([2]), 'float64'), () => mt.zeros([2], 'float64'), () => mt.random.normal([2], { dtype: 'float64' })]) {
    expectMlxError(f, GPU_FLOAT64, 'MLX_INVALID_ARGUMENT');
  }
  expect(mt.withDevice('cpu', () => mt.sum(x).item())).toBe(3);
  expect(mt.add(mt.ones([2]), 1).toArray()).toEqual([2, 2]);
});

test.skipIf(mt.blasCore() === null)('OpenBLAS runs the kernels this CPU allows and sleeps its idle threads sooner, unless the variables say otherwise', () => {
  const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
  const { OPENBLAS_CORETYPE: _, OPENBLAS_THREAD_TIMEOUT: __, ...env } = process.env;
  type Seen = { core: string; variable: string; timeout: string };
  const coreIn = (extra: Record<string, string>): Seen => {
    const code = `import(${JSON.stringify(index)}).then((m) => console.log(JSON.stringify({ core: m.blasCore(), variable: process.env.OPENBLAS_CORETYPE, timeout: process.env.OPENBLAS_THREAD_TIMEOUT })))`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...env, ...extra } });
    return JSON.parse(run.stdout.trim().split('\n').pop()!);
  };
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1]?.split(/\s+/) ?? [];
  const picked = coreIn({});
  expect(picked.variable).toBe(picked.core); // named before OpenBLAS loaded, and kept for child processes
  expect(picked.timeout).toBe('20'); // 2^20 cycles of spinning, not OpenBLAS's 2^28 (src/tensor/native.ts)
  // Prescott is OpenBLAS's generic fallback for CPU models it does not know.
  if (flags.includes('avx2') && flags.includes('fma')) expect(picked.core).not.toBe('Prescott');
  if (flags.includes('avx512f')) expect(['SkylakeX', 'Cooperlake']).toContain(picked.core);
  expect(coreIn({ OPENBLAS_CORETYPE: 'Prescott', OPENBLAS_THREAD_TIMEOUT: '28' })).toEqual({ core: 'Prescott', variable: 'Prescott', timeout: '28' });
}, 30_000);
