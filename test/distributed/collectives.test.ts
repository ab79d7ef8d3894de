// Collectives over 2 local processes (the launcher, loopback ring), and the
// single-process group every script gets without a launcher.
import { beforeAll, describe, expect, test } from 'vitest';
import * as mt from '../../src/index.js';
import { launch, results, worker } from './run.js';

const { distributed: dist } = mt;

describe('two ranks over loopback', () => {
  let r: Record<number, Record<string, any>>;
  beforeAll(async () => {
    const out = await launch(['-n', '2', worker('collectives.ts')]);
    expect(out.code, out.stderr).toBe(0);
    r = results(out.stdout);
    expect(r[0]!.done && r[1]!.done).toBe(true);
  });
  const both = (name: string, expected: unknown) => {
    expect(r[0]![name]).toEqual(expected);
    expect(r[1]![name]).toEqual(expected);
  };

  test('init: rank and size', () => {
    expect(r[0]!.group).toEqual({ rank: 0, size: 2, text: 'Group(rank 0 of 2)' });
    expect(r[1]!.group).toEqual({ rank: 1, size: 2, text: 'Group(rank 1 of 2)' });
  });
  test('allSum is exact, in every dtype', () => {
    both('allSum', [3, 30, -1]);
    both('allSumInt', [[1, 2], [6, 8]]);
    both('allSumFloat64', [0.1 + 0.2]);
  });
  test('allGather concatenates in rank order', () => {
    both('allGather', [1, 10, 0, 2, 20, -1]);
    both('allGather2d', [[0, 0], [10, 10], [1, 1], [11, 11]]);
    both('allGatherScalar', [5, 6]);
  });
  test('allMax and allMin', () => {
    both('allMax', [2, 20, 0]);
    both('allMin', [1, 10, -1]);
  });
  test('send and recv between neighbours', () => {
    expect(r[1]!.recv).toEqual([1, 2, 3]);
    expect(r[0]!.recv).toEqual([7, 8]);
  });
  test('allSum gradient is allSum of the cotangents', () => {
    both('gradAllSum', [3, 4, 3]); // w on rank 0 [1, 2, 0] + rank 1 [2, 2, 3]
  });
  test('allGather gradient: the rank’s block of the summed cotangents', () => {
    expect(r[0]!.gradAllGather).toEqual([1 + 2, 2 + 4, 3 + 6]);
    expect(r[1]!.gradAllGather).toEqual([4 + 8, 5 + 10, 6 + 12]);
  });
  test('allMax/allMin gradients go to the extreme, ties split', () => {
    // x: rank 0 [0, 5, 2], rank 1 [1, 5, 1]; summed w [3, 4, 3]
    expect(r[0]!.gradAllMax).toEqual([0, 2, 3]);
    expect(r[1]!.gradAllMax).toEqual([3, 2, 0]);
    expect(r[0]!.gradAllMin).toEqual([3, 2, 0]);
    expect(r[1]!.gradAllMin).toEqual([0, 2, 3]);
  });
  test('averageGradients: fused and per gradient, dtypes kept', () => {
    const expected = [[[0.5, 1], [2, 3]], [2], [0.5, 0.5, 0.5], 'float16'];
    both('average', expected);
    both('averageEach', expected);
  });
  test('sumScatter and split on the ring backend fail with MLX’s message', () => {
    both('sumScatter', { name: 'MlxError', code: 'MLX_RUNTIME', message: '[ring] sum_scatter not supported.' });
    both('split', '[ring] Group split not supported.');
  });
});

describe('one process (no launcher): a group of size 1', () => {
  const world = dist.init();
  test('init gives rank 0 of 1; isAvailable', () => {
    expect([world.rank, world.size]).toEqual([0, 1]);
    expect(dist.isAvailable('ring')).toBe(true);
    expect(dist.isAvailable()).toBe(true);
  });
  test('collectives are the identity', () => {
    const x = mt.tensor([[1, 2], [3, 4]]);
    for (const op of [dist.allSum, dist.allGather, dist.allMax, dist.allMin, dist.sumScatter]) {
      expect(op(x, world).toArray()).toEqual([[1, 2], [3, 4]]);
      expect(op(x).toArray()).toEqual([[1, 2], [3, 4]]);
    }
  });
  test('collectives are differentiable', () => {
    const x = mt.tensor([1, 2, 3]);
    for (const op of [dist.allSum, dist.allGather, dist.allMax, dist.allMin, dist.sumScatter]) {
      expect(mt.grad((t: mt.Tensor) => mt.sum(mt.square(op(t))))(x).toArray()).toEqual([2, 4, 6]);
    }
  });
  test('averageGradients returns the gradients as they are', () => {
    const g = { w: mt.tensor([1, 2]) };
    expect(dist.averageGradients(g)).toBe(g);
  });
  test('send/recv need a peer', () => {
    expect(() => dist.send(mt.tensor([1]), 0)).toThrow(/\[send\] Cannot send to a singleton group/);
    expect(() => dist.recv([1], 'float32', 0)).toThrow(/\[recv\] Cannot recv from a singleton group/);
    expect(() => dist.recvLike(mt.tensor([1]), 0)).toThrow(mt.MlxError);
  });
  test('bad arguments name the op', () => {
    expect(() => dist.allSum([1, 2] as unknown as mt.Tensor)).toThrow(/\[allSum\] x must be a Tensor/);
    expect(() => dist.allGather(mt.tensor([1]), {} as mt.distributed.Group)).toThrow(/\[allGather\] group must be a distributed.Group/);
    expect(() => dist.init({ timeoutMs: -1 })).toThrow(RangeError);
    expect(() => dist.averageGradients({}, { allReduceSize: -1 })).toThrow(/\[averageGradients\] allReduceSize/);
    expect(() => dist.recv([1], 'float32', 0.5)).toThrow(/recv: argument 'src'/);
  });
  test('strict init without any backend configured, or an unknown backend, is an MlxError', () => {
    expect(() => dist.init({ backend: 'ring', strict: true })).toThrow(/MLX_RANK.*MLX_HOSTFILE/);
    expect(() => dist.init({ backend: 'any', strict: true })).toThrow(mt.MlxError);
    expect(() => dist.init({ backend: 'bogus' as never })).toThrow(/\[distributed\] The only valid values for backend/);
    expect(dist.isAvailable('bogus' as never)).toBe(false);
  });
});
