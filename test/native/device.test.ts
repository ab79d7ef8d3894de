import { expect, test } from 'vitest';
import * as mt from '../../src/index.js';

test('the build reports MLX 0.32.4 on the CPU backend', () => {
  expect(mt.mlxVersion()).toBe('0.32.4');
  expect(mt.backend()).toBe('cpu');
});

test('cpu is the default device and the only one available', () => {
  expect(mt.defaultDevice()).toBe('cpu');
  expect(mt.isAvailable('cpu')).toBe(true);
  expect(mt.isAvailable('gpu')).toBe(false);
  mt.setDefaultDevice('cpu');
  expect(mt.defaultDevice()).toBe('cpu');
});

test("setDefaultDevice('gpu') on a CPU-only build is a clear error and changes nothing", () => {
  expect(() => mt.setDefaultDevice('gpu')).toThrow(/\[setDefaultDevice\] no GPU in this build \(backend 'cpu'\); use 'cpu'/);
  expect(mt.defaultDevice()).toBe('cpu');
  expect(mt.add(mt.ones([2]), 1).toArray()).toEqual([2, 2]);
});

test('an unknown device name is an MlxError naming it', () => {
  expect(() => mt.setDefaultDevice('tpu' as mt.Device)).toThrow(mt.MlxError);
  expect(() => mt.setDefaultDevice('tpu' as mt.Device)).toThrow(/device must be 'cpu' or 'gpu', got 'tpu'/);
  expect(() => mt.isAvailable('tpu' as mt.Device)).toThrow(/got 'tpu'/);
});
