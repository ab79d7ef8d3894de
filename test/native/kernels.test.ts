// The CPU kernels of native/src/kernels.cc, against references written here.
// The ops that use them are tested through the public API too (pool.test.ts,
// the conv and maxPool gradient specs), and on the GPU, where they keep the
// composition of MLX ops but for the CUDA kernels of max pooling, maskedBy,
// axpby and adamStep (npm run test:gpu, test:gpu-sim).
import { describe, expect, test, vi } from 'vitest';
import { test as prop } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { native, type NativeArray } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { cpuOnly, matmulTol, onGpu, widestFloat } from '../helpers/device.js';
import { expectMlxError } from '../helpers/errors.js';

const CPU_ONLY = 'the kernels of native/src/kernels.cc run on the CPU only';
/** The kernels of max pooling, maskedBy, axpby and adamStep run on the CPU and a CUDA GPU; Metal keeps the composition. */
const noMetalKernel = (op: string): void => {
  if (mt.backend() === 'metal') cpuOnly(`${op} has no Metal kernel`);
};
const noMetalPool = (): void => noMetalKernel('max pooling');
/** The float dtypes the kernels take: a CUDA GPU's take these three. */
const floatDtypes = onGpu ? ['float32', 'float16', 'bfloat16'] : ['float32', 'float64', 'float16', 'bfloat16'];

/** Row-major values of an [N, H, W, C] grid in -2..2: many ties. */
function tieGrid(n: number, h: number, w: number, c: number, seed: number): number[] {
  return Array.from({ length: n * h * w * c }, (_, i) => ((i * 7919 + seed) % 5) - 2);
}

describe('maxPoolTiled and maxPoolTiledGrad', () => {
  // Each window's max, and the gradient at the first of its elements equal to it, by loops.
  function reference(x: number[], [n, h, w, c]: number[], [kh, kw]: number[], dy: number[]): { out: number[]; dx: number[] } {
    const [oh, ow] = [Math.floor(h / kh), Math.floor(w / kw)];
    const out: number[] = [], dx = new Array<number>(x.length).fill(0);
    for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let ch = 0; ch < c; ch++) {
      let best = -1;
      for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
        const at = ((b * h + i * kh + a) * w + j * kw + e) * c + ch;
        if (best < 0 || x[at]! > x[best]!) best = at;
      }
      const o = ((b * oh + i) * ow + j) * c + ch;
      out[o] = x[best]!;
      dx[best] = dy[o]!;
    }
    return { out, dx };
  }

  const geometry = fc.record({
    n: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }),
    c: fc.integer({ min: 1, max: 5 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  }).filter((g) => g.kh <= g.h && g.kw <= g.w);
  // The CUDA kernel takes the float dtypes the GPU has.
  const dtypes = onGpu ? floatDtypes : [...floatDtypes, 'int32', 'int8', 'uint8', 'int64'];
  prop.prop([geometry, fc.constantFrom(...dtypes)], { numRuns: 40 })(
    'every real dtype (the float ones on a CUDA GPU), remainders past the last whole window, ties to the first', ({ n, h, w, c, kh, kw, seed }, dtype) => {
      noMetalPool();
      mt.tidy(() => {
        const values = tieGrid(n, h, w, c, seed).map((v) => (dtype === 'uint8' ? v + 2 : v));
        const x = mt.astype(mt.reshape(mt.tensor(values), [n, h, w, c]), dtype as mt.DType);
        const [oh, ow] = [Math.floor(h / kh), Math.floor(w / kw)];
        const dyValues = Array.from({ length: n * oh * ow * c }, (_, i) => i + 1);
        const { out, dx } = reference(values, [n, h, w, c], [kh, kw], dyValues);
        const pooled = new mt.Tensor(native.maxPoolTiled(x.data, [kh, kw]));
        expect(pooled.dtype).toBe(dtype);
        expect(pooled.shape).toEqual([n, oh, ow, c]);
        expectClose(mt.astype(pooled, widestFloat), mt.reshape(mt.tensor(out), [n, oh, ow, c]));
        if (!mt.isFloating(dtype as mt.DType)) return;
        // dy values up to 2 * 7 * 3 * 5 = 210 are exact in every float dtype but bfloat16 (8 bits).
        const dy = mt.astype(mt.reshape(mt.tensor(dyValues), [n, oh, ow, c]), dtype as mt.DType);
        const grad = new mt.Tensor(native.maxPoolTiledGrad(x.data, pooled.data, dy.data, [kh, kw]));
        expectClose(mt.astype(grad, widestFloat), mt.astype(mt.astype(mt.reshape(mt.tensor(dx), [n, h, w, c]), dtype as mt.DType), widestFloat));
      });
    });

  test('NaN wins the forward and passes no gradient; -0 and 0 tie', () => {
    noMetalPool();
    // Windows (1, NaN, 2, 3) and (-0, -1, 0, -2).
    const x = mt.reshape(mt.tensor([1, NaN, -0, -1, 2, 3, 0, -2]), [1, 2, 4, 1]);
    const [[y], [dx]] = mt.vjp((t: mt.Tensor) => mt.maxPool2d(t, 2), [x], [mt.reshape(mt.tensor([10, 20]), [1, 1, 2, 1])]);
    expect(y!.toArray()).toEqual([[[[NaN], [-0]]]]);
    expectClose(dx!, mt.reshape(mt.tensor([0, 0, 20, 0, 0, 0, 0, 0]), [1, 2, 4, 1]));
  });

  test('maxPool2d and its gradient call them over tiled windows', () => {
    noMetalPool();
    const forward = vi.spyOn(native, 'maxPoolTiled'), backward = vi.spyOn(native, 'maxPoolTiledGrad');
    try {
      mt.tidy(() => mt.grad((t: mt.Tensor) => mt.sum(mt.maxPool2d(t, 2)))(mt.random.normal([2, 4, 6, 3])).eval());
      expect([forward.mock.calls.length, backward.mock.calls.length]).toEqual([1, 1]);
    } finally {
      forward.mockRestore();
      backward.mockRestore();
    }
  });

  test('over W2-sized windows, with ties and a remainder, the kernels give the values of the composition to the bit', () => {
    noMetalPool();
    mt.tidy(() => {
      // Values in tenths: many ties. 29 rows: one left past the last whole window. No -0 (+ 0 makes
      // it 0): which of a tied -0 and 0 a GPU max reduction returns depends on its order (seen on an H200).
      const x = mt.add(mt.divide(mt.round(mt.multiply(mt.random.normal([16, 29, 28, 32]), 10)), 10), 0);
      const dy = mt.random.normal([16, 14, 14, 32]);
      const run = (): mt.Tensor[] => mt.vjp((t: mt.Tensor) => mt.maxPool2d(t, 2), [x], [dy]).flat();
      const [y, dx] = run();
      // The composition of MLX ops that Metal and complex inputs take, on this same device.
      const cuda = vi.spyOn(native, 'backend').mockReturnValue('metal');
      const cpu = vi.spyOn(native, 'defaultDevice').mockReturnValue('gpu');
      try {
        const [yRef, dxRef] = run();
        expect(y!.toTypedArray()).toEqual(yRef!.toTypedArray());
        expect(dx!.toTypedArray()).toEqual(dxRef!.toTypedArray());
      } finally {
        cuda.mockRestore();
        cpu.mockRestore();
      }
    });
  });

  test('bad arguments get errors naming the op and the values', () => {
    noMetalPool();
    const x = mt.zeros([1, 4, 4, 2]);
    expectMlxError(() => native.maxPoolTiled(x.data, [2]), /\[maxPoolTiled\] input of shape \[1,4,4,2\] must have 3 axes for a kernel of 1/);
    expectMlxError(() => native.maxPoolTiled(x.data, [2, 5]), /\[maxPoolTiled\] kernel size 5 does not fit axis 2 of shape \[1,4,4,2\]/);
    expectMlxError(() => native.maxPoolTiled(x.data, [0, 2]), /\[maxPoolTiled\] kernel size 0 does not fit axis 1/);
    expectMlxError(() => native.maxPoolTiled(mt.zeros([1, 2, 2, 1], 'complex64').data, [2, 2]), /\[maxPoolTiled\] no kernel for dtype complex64/);
    const out = mt.zeros([1, 2, 2, 2]);
    expectMlxError(() => native.maxPoolTiledGrad(x.data, out.data, mt.zeros([1, 2, 2, 1]).data, [2, 2]),
      /\[maxPoolTiledGrad\] out and dy must be \[1,2,2,2\] float32, got \[1,2,2,2\] float32 and \[1,2,2,1\] float32/);
    expectMlxError(() => native.maxPoolTiledGrad(x.data, out.data, mt.zeros([1, 2, 2, 2], 'float16').data, [2, 2]), /and \[1,2,2,2\] float16/);
  });
});

describe('im2col and col2im', () => {
  // Calls visit(flat position in x or -1, flat position in cols) for every
  // element of the im2col matrix, by loops: x[n, o*s + t - lo, c] goes to
  // cols[n, o, t, c] over outputs o and taps t.
  function eachWindowElement(shape: number[], window: number[], stride: number[], lo: number[], out: number[], visit: (x: number, col: number) => void): void {
    const d = window.length, C = shape[d + 1]!;
    const outputs = out.reduce((a, b) => a * b, 1), taps = window.reduce((a, b) => a * b, 1);
    const unflat = (i: number, dims: number[]): number[] => dims.map((_, a) => Math.floor(i / dims.slice(a + 1).reduce((p, q) => p * q, 1)) % dims[a]!);
    for (let n = 0; n < shape[0]!; n++) for (let o = 0; o < outputs; o++) for (let t = 0; t < taps; t++) {
      const [oi, ti] = [unflat(o, out), unflat(t, window)];
      const at = oi.map((v, a) => v * stride[a]! + ti[a]! - lo[a]!);
      const inside = at.every((v, a) => v >= 0 && v < shape[a + 1]!);
      const flat = at.reduce((f, v, a) => f * shape[a + 1]! + v, n);
      for (let c = 0; c < C; c++) visit(inside ? flat * C + c : -1, ((n * outputs + o) * taps + t) * C + c);
    }
  }

  const geometry = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({
    n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
    axes: fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), window: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }),
      lo: fc.integer({ min: 0, max: 2 }), hi: fc.integer({ min: 0, max: 2 }) }), { minLength: d, maxLength: d }),
  })).filter((g) => g.axes.every((a) => a.size + a.lo + a.hi >= a.window));
  const layout = ({ n, c, axes }: { n: number; c: number; axes: { size: number; window: number; stride: number; lo: number; hi: number }[] }) => {
    const out = axes.map((a) => Math.floor((a.size + a.lo + a.hi - a.window) / a.stride) + 1);
    return {
      shape: [n, ...axes.map((a) => a.size), c], out, window: axes.map((a) => a.window), stride: axes.map((a) => a.stride),
      lo: axes.map((a) => a.lo), hi: axes.map((a) => a.hi),
      rows: n * out.reduce((p, q) => p * q, 1), width: c * axes.reduce((p, a) => p * a.window, 1),
    };
  };
  prop.prop([geometry, fc.constantFrom('float32', 'float64')], { numRuns: 40 })('col2im: overlapping windows add up; taps in the padding are dropped', (g, dtype) => {
    cpuOnly(CPU_ONLY);
    mt.tidy(() => {
      const { shape, out, window, stride, lo, hi, rows, width } = layout(g);
      const cols = Array.from({ length: rows * width }, (_, i) => (i % 7) - 3 + i / 64);
      const got = new mt.Tensor(native.col2im(mt.reshape(mt.tensor(cols, dtype as mt.DType), [rows, width]).data, shape, window, stride, lo, hi));
      expect(got.dtype).toBe(dtype);
      const want = new Array<number>(shape.reduce((p, q) => p * q, 1)).fill(0);
      eachWindowElement(shape, window, stride, lo, out, (x, col) => { if (x >= 0) want[x] += cols[col]!; });
      expectClose(got, mt.reshape(mt.tensor(want, 'float64'), shape), { rtol: 1e-5, atol: 1e-5 });
    });
  });
  prop.prop([geometry, fc.constantFrom('float32', 'float16', 'int32', 'uint8', 'bool', 'float64')], { numRuns: 40 })(
    'im2col: each window\'s taps in rows, zeros in the padding, any real dtype', (g, dtype) => {
      cpuOnly(CPU_ONLY);
      mt.tidy(() => {
        const { shape, out, window, stride, lo, hi, rows, width } = layout(g);
        const values = Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => (dtype === 'bool' ? Number(i % 3 === 0) : (i % 11) + 1));
        const x = mt.astype(mt.reshape(mt.tensor(values), shape), dtype as mt.DType);
        const got = new mt.Tensor(native.im2col(x.data, window, stride, lo, hi));
        expect(got.dtype).toBe(dtype);
        expect(got.shape).toEqual([rows, width]);
        const want = new Array<number>(rows * width).fill(0);
        eachWindowElement(shape, window, stride, lo, out, (at, col) => { want[col] = at >= 0 ? values[at]! : 0; });
        expectClose(mt.astype(got, 'float64'), mt.reshape(mt.tensor(want, 'float64'), [rows, width]));
      });
    });

  test('bad arguments get errors naming the op and the values', () => {
    cpuOnly(CPU_ONLY);
    const cols = mt.zeros([9, 4]).data;
    expectMlxError(() => native.col2im(cols, [1, 3, 3, 1], [2, 2], [1, 1], [0, 0], [0, 0]),
      /\[col2im\] cols must have shape \[4,4\] for shape \[1,3,3,1\], got \[9,4\]/);
    expectMlxError(() => native.col2im(cols, [1, 3, 3, 1], [2], [1], [0], [0]), /\[col2im\] shape \[1,3,3,1\] needs 3 axes/);
    expectMlxError(() => native.col2im(cols, [1, 3, 3, 1], [4, 2], [1, 1], [0, 0], [0, 0]), /\[col2im\] window 4, stride 1 and padding 0\/0 do not fit axis 1/);
    expectMlxError(() => native.col2im(cols, [1, 3, 3, 1], [2, 2], [0, 1], [0, 0], [0, 0]), /stride 0/);
    expectMlxError(() => native.col2im(mt.zeros([4, 4], 'int32').data, [1, 3, 3, 1], [2, 2], [1, 1], [0, 0], [0, 0]),
      /\[col2im\] cols must be float32 or float64, got int32/);
    const x = mt.zeros([1, 3, 3, 1]).data;
    expectMlxError(() => native.im2col(x, [4, 2], [1, 1], [0, 0], [0, 0]), /\[im2col\] window 4, stride 1 and padding 0\/0 do not fit axis 1 of shape \[1,3,3,1\]/);
    expectMlxError(() => native.im2col(x, [2], [1], [0], [0]), /\[im2col\] shape \[1,3,3,1\] needs 3 axes/);
    expectMlxError(() => native.im2col(mt.zeros([1, 3, 3, 1], 'complex64').data, [2, 2], [1, 1], [0, 0], [0, 0]), /\[im2col\] no kernel for dtype complex64/);
  });
});

/**
 * Each value's bits (of its float64 form, exact for every float dtype): -0 and 0
 * differ. Every NaN is 'NaN': its sign and payload are not values, and which NaN
 * operand an add passes on depends on the order of its operands.
 */
const bitsOf = (t: mt.Tensor): string[] => Array.from(t.toTypedArray() as Float32Array, (v) => {
  if (Number.isNaN(v)) return 'NaN';
  const word = new DataView(new ArrayBuffer(8));
  word.setFloat64(0, v);
  return word.getBigUint64(0).toString(16);
});

describe('maskedBy', () => {
  const special = fc.constantFrom(0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity);
  prop.prop([fc.array(fc.tuple(special, special), { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 0.5, -1, 0.1),
    fc.constantFrom('greater', 'less'), fc.constantFrom(...floatDtypes)], { numRuns: 40 })(
    'gives what multiply(dy, greater(x, value)) gives, NaN for 0 · inf included (on the CPU and a CUDA GPU)', (pairs, value, comparison, dtype) => {
      noMetalKernel('maskedBy');
      mt.tidy(() => {
        const dy = mt.tensor(pairs.map(([d]) => d), dtype as mt.DType), x = mt.tensor(pairs.map(([, v]) => v), dtype as mt.DType);
        const got = new mt.Tensor(native.maskedBy(dy.data, x.data, comparison as 'greater' | 'less', value));
        const mask = comparison === 'greater' ? mt.greater(x, value) : mt.less(x, value);
        expect(got.dtype).toBe(dtype);
        expect(bitsOf(got)).toEqual(bitsOf(mt.multiply(dy, mask)));
      });
    });

  test('is relu\'s backward: one call per relu, on the CPU and a CUDA GPU', () => {
    noMetalKernel('maskedBy');
    const masked = vi.spyOn(native, 'maskedBy');
    try {
      const x = mt.random.normal([4, 5]);
      const [dx] = mt.tidy(() => mt.vjp((t: mt.Tensor) => mt.nn.relu(t), [x], [mt.onesLike(x)]).flat().slice(1));
      expect(masked).toHaveBeenCalledTimes(1);
      expect(dx!.toArray()).toEqual(mt.astype(mt.greater(x, 0), 'float32').toArray());
    } finally {
      masked.mockRestore();
    }
  });

  test('bad arguments get errors naming the op and the values', () => {
    const [a, b] = [mt.zeros([2, 3]).data, mt.zeros([3]).data];
    expectMlxError(() => native.maskedBy(a, b, 'greater', 0), /\[maskedBy\] dy and x must have one shape and dtype, got \[2,3\] float32 and \[3\] float32/);
    expectMlxError(() => native.maskedBy(a, mt.zeros([2, 3], 'float16').data, 'less', 0), /got \[2,3\] float32 and \[2,3\] float16/);
    expectMlxError(() => native.maskedBy(a, a, 'equal' as 'less', 0), /\[maskedBy\] comparison must be 'greater' or 'less', got 'equal'/);
    const ints = mt.zeros([2], 'int32').data;
    expectMlxError(() => native.maskedBy(ints, ints, 'less', 0), /\[maskedBy\] needs a float dtype, got int32/);
  });
});

describe('axpby', () => {
  const special = fc.constantFrom(0, -0, 1, -1, 0.1, 3e38, -3e38, 1e-40, NaN, Infinity, -Infinity);
  const value = fc.oneof(special, fc.float({ noNaN: true }));
  prop.prop([fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 12 }), fc.constantFrom(1, -0.01, 0.9, 2.5, 0),
    fc.constantFrom(1, -0.001, 0.1, -3), fc.constantFrom(...floatDtypes)], { numRuns: 60 })(
    'gives what add(multiply(x, alpha), multiply(y, beta)) gives, to the bit (any NaN for a NaN; on the CPU and a CUDA GPU)', (pairs, alpha, beta, dtype) => {
      noMetalKernel('axpby');
      mt.tidy(() => {
        const x = mt.tensor(pairs.map(([a]) => a), dtype as mt.DType), y = mt.tensor(pairs.map(([, b]) => b), dtype as mt.DType);
        const got = new mt.Tensor(native.axpby(x.data, y.data, alpha, beta));
        expect(got.dtype).toBe(dtype);
        expect(bitsOf(got)).toEqual(bitsOf(mt.add(mt.multiply(x, alpha), mt.multiply(y, beta))));
      });
    });

  test('bad arguments get errors naming the op and the values', () => {
    noMetalKernel('axpby');
    const [a, b] = [mt.zeros([2, 3]).data, mt.zeros([3]).data];
    expectMlxError(() => native.axpby(a, b, 1, 1), /\[axpby\] x and y must have one shape and dtype, got \[2,3\] float32 and \[3\] float32/);
    expectMlxError(() => native.axpby(a, mt.zeros([2, 3], 'float16').data, 1, 1), /got \[2,3\] float32 and \[2,3\] float16/);
    const ints = mt.zeros([2], 'int32').data;
    expectMlxError(() => native.axpby(ints, ints, 1, 1), /\[axpby\] needs a float dtype, got int32/);
  });
});

describe('inputs of any layout', () => {
  // The kernels read each input row-major: in place when it lies so, else
  // from a copy made in their task (RowMajor in native/src/kernels.cc), with
  // no mx::contiguous node in the graph.
  const layouts = ['transposed', 'broadcast', 'every other element', 'flipped', 'offset rows'] as const;
  /** Random values of `shape` in `dtype`, spread wide enough to differ after a cast to an integer dtype. */
  const randomIn = (shape: number[], dtype: mt.DType): mt.Tensor => mt.astype(mt.multiply(mt.random.normal(shape), 8), dtype);
  /** A view of `layout` and `shape` (2 or more axes), evaluated or not, of random values in `dtype`. */
  const viewOf = (layout: (typeof layouts)[number], shape: number[], dtype: mt.DType, evaluated: boolean): mt.Tensor => {
    const values = (dims: number[]) => randomIn(dims, dtype);
    const last = shape.length - 1, head = shape.slice(0, last);
    let v: mt.Tensor;
    switch (layout) {
      case 'transposed': v = mt.transpose(values([...shape].reverse())); break;
      case 'broadcast': v = mt.broadcastTo(values([1, ...shape.slice(1)]), shape); break;
      case 'every other element': v = mt.slice(values([...head, 2 * shape[last]!]), shape.map(() => 0), [...head, 2 * shape[last]!], [...head.map(() => 1), 2]); break;
      case 'flipped': v = mt.flip(values(shape), last); break;
      case 'offset rows': v = mt.slice(values([shape[0]! + 1, ...shape.slice(1)]), shape.map((_, i) => (i === 0 ? 1 : 0)), [shape[0]! + 1, ...shape.slice(1)]); break;
    }
    return evaluated ? v.eval() : v;
  };
  /** The same values in a fresh row-major buffer. */
  const rowMajor = (t: mt.Tensor): mt.Tensor => mt.reshape(mt.tensor(Array.from(t.toTypedArray() as Float32Array), t.dtype), [...t.shape]);
  const expectSame = (got: NativeArray, want: NativeArray): void => expect(bitsOf(new mt.Tensor(got))).toEqual(bitsOf(new mt.Tensor(want)));

  test.each(layouts)('%s views give what their row-major copies give, with no Contiguous node', (layout) => {
    noMetalKernel('the kernels');
    mt.tidy(() => {
      const cases: [string, (...xs: NativeArray[]) => NativeArray | NativeArray[], number[][], mt.DType[]][] = [
        ['maskedBy', (dy, x) => native.maskedBy(dy!, x!, 'greater', 0), [[6, 5], [6, 5]], floatDtypes as mt.DType[]],
        ['axpby', (x, y) => native.axpby(x!, y!, 0.9, -0.1), [[6, 5], [6, 5]], floatDtypes as mt.DType[]],
        ['adamStep', (p, g, m, v) => native.adamStep(p!, g!, m!, v!, 0.9, 0.999, 0.5, 0.5, 1e-8, 0.1, 1), [[6, 5], [6, 5], [6, 5], [6, 5]], ['float32']],
        // A CUDA GPU's max pooling takes the float dtypes of floatDtypes only.
        ['maxPoolTiled', (x) => native.maxPoolTiled(x!, [2, 2]), [[2, 4, 6, 3]], onGpu ? floatDtypes as mt.DType[] : ['int8', 'float16', 'int32', 'float64']],
        ['maxPoolTiledGrad', (x, y, dy) => native.maxPoolTiledGrad(x!, y!, dy!, [2, 2]), [[2, 4, 6, 3], [2, 2, 3, 3], [2, 2, 3, 3]], floatDtypes as mt.DType[]],
      ];
      if (!onGpu) {
        cases.push(
          ['im2col', (x) => native.im2col(x!, [3, 3], [1, 1], [1, 1], [1, 1]), [[2, 4, 6, 3]], ['int8', 'float16', 'int32', 'float64']],
          ['col2im', (cols) => native.col2im(cols!, [2, 4, 6, 3], [3, 3], [1, 1], [1, 1], [1, 1]), [[48, 27]], ['float32', 'float64']],
          ['matmulNarrow', (a, b, bias) => native.matmulNarrow(a!, b!, false, bias), [[7, 9], [9, 12], [12]], ['float32']],
          ['matmulNarrow aᵀ · b', (a, b) => native.matmulNarrow(a!, b!, true), [[7, 9], [7, 12]], ['float32']],
          ['BlasMatmul (linear)', (x, w, bias) => native.linear(x!, w!, bias!), [[7, 9], [12, 9], [12]], ['float32']],
        );
      }
      for (const [name, kernel, shapes, dtypes] of cases) {
        for (const dtype of dtypes) {
          // Each input in turn is the view (1-d inputs keep their layout), evaluated first or not.
          shapes.forEach((shape, i) => {
            if (shape.length < 2) return;
            const inputs = shapes.map((s) => randomIn(s, dtype).eval());
            inputs[i] = viewOf(layout, shape, dtype, i % 2 === 0);
            const out = kernel(...inputs.map((t) => t.data));
            const outs = Array.isArray(out) ? out : [out];
            expect(native.graphOps(outs).filter((op) => op.startsWith('Contiguous')), `${name} ${dtype} input ${i}`).toEqual([]);
            const want = kernel(...inputs.map((t) => rowMajor(t).data));
            outs.forEach((o, j) => expectSame(o, (Array.isArray(want) ? want : [want])[j]!));
          });
        }
      }
    });
  });
});

test('maskedBy, axpby, adamStep and max pooling take arrays with no elements', () => {
  noMetalKernel('the element-wise kernels');
  mt.tidy(() => {
    // Evaluated: the shape and no values.
    const empty = (h: NativeArray, shape: number[]): void => {
      const t = new mt.Tensor(h);
      expect([t.shape, t.toTypedArray().length]).toEqual([shape, 0]);
    };
    const e = mt.zeros([0, 3]).data;
    empty(native.maskedBy(e, e, 'greater', 0), [0, 3]);
    empty(native.axpby(e, e, 1, 2), [0, 3]);
    native.adamStep(e, e, e, e, 0.9, 0.999, 1, 1, 1e-8, 0.1, 1).forEach((h) => empty(h, [0, 3]));
    const x = mt.zeros([0, 4, 4, 3]).data, pooled = native.maxPoolTiled(x, [2, 2]);
    empty(pooled, [0, 2, 2, 3]);
    empty(native.maxPoolTiledGrad(x, pooled, pooled, [2, 2]), [0, 4, 4, 3]);
  });
});

describe('adamStep', () => {
  // Adam's update by the composed ops, in src/optim/adam.ts's order.
  function composed(p: mt.Tensor, g: mt.Tensor, m: mt.Tensor, v: mt.Tensor, [b1, b2, c1, c2, eps, lr, decay]: number[]): mt.Tensor[] {
    const m1 = mt.add(mt.multiply(m, b1!), mt.multiply(g, 1 - b1!));
    const v1 = mt.add(mt.multiply(v, b2!), mt.multiply(mt.square(g), 1 - b2!));
    const step = mt.divide(mt.divide(m1, c1!), mt.add(mt.sqrt(mt.divide(v1, c2!)), eps!));
    return [mt.add(mt.multiply(p, decay!), mt.multiply(step, -lr!)), m1, v1];
  }
  const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, 1e-30, 3e38, NaN, Infinity, -Infinity), fc.float({ noNaN: true }));
  prop.prop([fc.array(fc.tuple(value, value, value, fc.float({ min: 0, noNaN: true })), { minLength: 1, maxLength: 10 }),
    fc.tuple(fc.constantFrom(0.9, 0.5, 0), fc.constantFrom(0.999, 0.95), fc.double({ min: 0.01, max: 1 }), fc.double({ min: 1e-4, max: 1 }),
      fc.constantFrom(1e-8, 1e-6, 0), fc.constantFrom(1e-3, 0.1, 3), fc.constantFrom(1, 0.999))], { numRuns: 60 })(
    'gives what the composed ops give, to the bit (any NaN for a NaN; on the CPU and a CUDA GPU)', (rows, scalars) => {
      noMetalKernel('adamStep');
      mt.tidy(() => {
        const [p, g, m, v] = [0, 1, 2, 3].map((j) => mt.tensor(rows.map((r) => r[j]!)));
        const got = native.adamStep(p!.data, g!.data, m!.data, v!.data, ...(scalars as [number, number, number, number, number, number, number]));
        const want = composed(p!, g!, m!, v!, scalars);
        got.forEach((h, i) => expect(bitsOf(new mt.Tensor(h))).toEqual(bitsOf(want[i]!)));
      });
    });

  test('bad arguments get errors naming the op and the values', () => {
    noMetalKernel('adamStep');
    const [a, b] = [mt.zeros([2, 3]).data, mt.zeros([3]).data];
    expectMlxError(() => native.adamStep(a, b, a, a, 0.9, 0.999, 1, 1, 1e-8, 0.1, 1), /\[adamStep\] p, g, m and v must be float32 of one shape, got \[2,3\] float32 and \[3\] float32/);
    const f16 = mt.zeros([2, 3], 'float16').data;
    expectMlxError(() => native.adamStep(a, a, a, f16, 0.9, 0.999, 1, 1, 1e-8, 0.1, 1), /got \[2,3\] float32 and \[2,3\] float16/);
  });
});

// Where the addon links OpenBLAS, the CPU's float32 matrix products (matmul,
// linear, a convolution's) run the BlasMatmul primitive: the output filled
// with the bias rows or zeros, then added into by sgemm, each operand as it
// lies in memory.
describe('float32 matrix products on the CPU (BlasMatmul)', () => {
  const viaBlas = !onGpu && mt.blasCore() !== null;
  /** A [rows, cols] operand laid out in memory as `layout` says. */
  function operand(rows: number, cols: number, layout: string): mt.Tensor {
    switch (layout) {
      case 'row-major': return mt.random.normal([rows, cols]);
      case 'transposed view': return mt.transpose(mt.random.normal([cols, rows]));
      case 'wider rows': return mt.slice(mt.random.normal([rows, cols + 3]), [0, 1], [rows, cols + 1]);
      case 'every other column': return mt.slice(mt.random.normal([rows, 2 * cols]), [0, 0], [rows, 2 * cols], [1, 2]);
      case 'broadcast row': return mt.broadcastTo(mt.random.normal([1, cols]), [rows, cols]);
      default: return mt.flip(mt.random.normal([rows, cols]), 0);
    }
  }
  const layouts = ['row-major', 'transposed view', 'wider rows', 'every other column', 'broadcast row', 'flipped rows'];
  const wide = (t: mt.Tensor): mt.Tensor => mt.astype(t, widestFloat);

  prop.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 }),
    fc.constantFrom(...layouts), fc.constantFrom(...layouts), fc.boolean()], { numRuns: 40 })(
    'give a · b (+ bias) for operands of any layout, in an output that held other values before', (m, k, n, layoutA, layoutB, withBias) => {
      mt.tidy(() => {
        // A freed buffer of the output's size goes back to MLX's cache, full: the kernel must overwrite it.
        mt.full([m, n], 7).eval().dispose();
        const a = operand(m, k, layoutA), b = operand(k, n, layoutB), bias = withBias ? mt.random.normal([n]) : null;
        const got = bias ? mt.linear(a, mt.transpose(b), bias) : mt.matmul(a, b);
        if (viaBlas) expect(native.graphOps([got.data])).toContain('BlasMatmul@cpu');
        const product = mt.matmul(wide(a), wide(b));
        expectClose(got, bias ? mt.add(product, wide(bias)) : product, matmulTol({ rtol: 1e-4, atol: 1e-4 }));
      });
    });

  test("past 1 MiB the output is filled on two threads; linear's leading axes are its rows", () => {
    mt.tidy(() => {
      const x = mt.random.normal([3, 1000, 16]), w = mt.random.normal([96, 16]), bias = mt.random.normal([96]);
      mt.full([3000, 96], 7).eval().dispose();
      const got = mt.linear(x, w, bias);
      expect(got.shape).toEqual([3, 1000, 96]);
      expectClose(got, mt.add(mt.matmul(wide(x), mt.transpose(wide(w))), wide(bias)), matmulTol({ rtol: 1e-4, atol: 1e-4 }));
      expectClose(mt.matmul(mt.transpose(mt.reshape(x, [-1, 16])), mt.reshape(got, [-1, 96])),
        mt.matmul(mt.transpose(mt.reshape(wide(x), [-1, 16])), mt.reshape(wide(got), [-1, 96])), matmulTol({ rtol: 1e-4, atol: 1e-3 }));
    });
  });

  test("gradients: the engine's rules and MLX's vjp of the same native products agree", () => {
    mt.tidy(() => {
      const a = mt.random.normal([5, 4]), w = mt.random.normal([3, 4]), bias = mt.random.normal([3]), ct = mt.random.normal([5, 3]);
      const [, ours] = mt.vjp((x: mt.Tensor, v: mt.Tensor, c: mt.Tensor) => mt.linear(x, v, c), [a, w, bias], [ct]);
      // MLX differentiates the primitive itself (BlasMatmul's vjp where it runs).
      const [[out], theirs] = native.mlxVjp(([x, v, c]) => [native.linear(x!, v!, c!)], [a.data, w.data, bias.data], [ct.data]);
      if (viaBlas) expect(native.graphOps([out!])).toContain('BlasMatmul@cpu');
      theirs.forEach((g, i) => expectClose(ours[i]!, new mt.Tensor(g), matmulTol({ rtol: 1e-5, atol: 1e-5 })));
      const [, [da, db]] = native.mlxVjp(([x, v]) => [native.matmul(x!, v!)], [a.data, mt.transpose(w).data], [ct.data]);
      expectClose(new mt.Tensor(da!), mt.matmul(ct, w), matmulTol({ rtol: 1e-5, atol: 1e-5 }));
      expectClose(new mt.Tensor(db!), mt.matmul(mt.transpose(a), ct), matmulTol({ rtol: 1e-5, atol: 1e-5 }));
    });
  });

  test("what it does not take goes to MLX: other dtypes, batches, empty sides, and MLX's errors for bad shapes", () => {
    mt.tidy(() => {
      const ops = (t: mt.Tensor): string[] => native.graphOps([t.data]);
      expect(ops(mt.matmul(mt.ones([2, 3], 'float16'), mt.ones([3, 2], 'float16')))).not.toContain('BlasMatmul@cpu');
      expect(ops(mt.matmul(mt.ones([2, 2, 3]), mt.ones([3, 2])))).not.toContain('BlasMatmul@cpu');
      expect(mt.matmul(mt.ones([4, 0]), mt.ones([0, 5])).toArray()).toEqual(Array.from({ length: 4 }, () => [0, 0, 0, 0, 0]));
      expect(mt.linear(mt.ones([0, 3]), mt.ones([2, 3]), mt.ones([2])).shape).toEqual([0, 2]);
      expect(() => mt.matmul(mt.ones([4, 3]), mt.ones([2, 5]))).toThrow(/\[matmul\].*\(4,3\).*\(2,5\)/);
    });
  });
});

describe('matmulNarrow', () => {
  // Products by loops in float64: the reference both forms are checked against.
  const product = (a: number[][], b: number[][]): number[][] =>
    a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, t) => s + v * b[t]![j]!, 0)));
  const transposed = (a: number[][]): number[][] => a[0]!.map((_, j) => a.map((row) => row[j]!));
  const matrix = (rows: number, cols: number, seed: number): number[][] =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (((i * 31 + j * 17 + seed) % 13) - 6) / 4));

  prop.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 256 })], { numRuns: 30 })(
    'a · b (with and without a bias) and aᵀ · b match the products by loops, for every narrow width', (m, k, n) => {
      cpuOnly(CPU_ONLY);
      mt.tidy(() => {
        const a = matrix(m, k, 1), b = matrix(k, n, 2), d = matrix(m, n, 3);
        const bias = matrix(1, n, 4)[0]!;
        const ab = new mt.Tensor(native.matmulNarrow(mt.tensor(a).data, mt.tensor(b).data, false));
        const abBias = new mt.Tensor(native.matmulNarrow(mt.tensor(a).data, mt.tensor(b).data, false, mt.tensor(bias).data));
        const atd = new mt.Tensor(native.matmulNarrow(mt.tensor(a).data, mt.tensor(d).data, true));
        expect(ab.shape).toEqual([m, n]);
        expect(atd.shape).toEqual([k, n]);
        expectClose(ab, product(a, b), { rtol: 1e-6, atol: 1e-6 });
        expectClose(abBias, product(a, b).map((row) => row.map((v, j) => v + bias[j]!)), { rtol: 1e-6, atol: 1e-6 });
        expectClose(atd, product(transposed(a), d), { rtol: 1e-6, atol: 1e-5 });
      });
    });

  test('bad arguments get errors naming the op and the values', () => {
    cpuOnly(CPU_ONLY);
    const m = (shape: number[], dtype: mt.DType = 'float32') => mt.zeros(shape, dtype).data;
    expectMlxError(() => native.matmulNarrow(m([4, 3], 'float64'), m([3, 2]), false), /\[matmulNarrow\] a and b must be float32 matrices, got \[4,3\] float64 and \[3,2\] float32/);
    expectMlxError(() => native.matmulNarrow(m([4, 3, 1]), m([3, 2]), false), /float32 matrices, got \[4,3,1\] float32/);
    expectMlxError(() => native.matmulNarrow(m([4, 3]), m([4, 2]), false), /\[matmulNarrow\] a · b needs b with 3 rows, got \[4,3\] and \[4,2\]/);
    expectMlxError(() => native.matmulNarrow(m([4, 3]), m([3, 2]), true), /\[matmulNarrow\] aᵀ · b needs b with 4 rows/);
    expectMlxError(() => native.matmulNarrow(m([4, 17]), m([17, 2]), false), /\[matmulNarrow\] a must have 1 to 16 columns and b 1 to 256, got \[4,17\] and \[17,2\]/);
    expectMlxError(() => native.matmulNarrow(m([4, 3]), m([4, 257]), true), /got \[4,3\] and \[4,257\]/);
    expectMlxError(() => native.matmulNarrow(m([4, 3]), m([3, 2]), false, m([3])), /\[matmulNarrow\] bias must be a float32 \[2\] of a · b, got \[3\] float32/);
    expectMlxError(() => native.matmulNarrow(m([4, 3]), m([4, 2]), true, m([2])), /bias must be a float32 \[2\] of a · b, and aᵀ · b takes none, got \[2\] float32/);
  });
});

test.runIf(onGpu)('on the GPU the kernels refuse with a clear error (max pooling: dtypes the CUDA kernel lacks)', () => {
  const x = mt.zeros([1, 4, 4, 1]);
  // A real CUDA GPU: test:gpu-sim runs max pooling's CPU loops, which take every real dtype.
  if (mt.backend() === 'cuda' && process.env.MLX_TAPE_DEVICE === 'gpu') {
    expectMlxError(() => native.maxPoolTiled(mt.zeros([1, 4, 4, 1], 'int32').data, [2, 2]),
      /\[maxPoolTiled\] the GPU kernel takes float32, float16 or bfloat16, got int32/);
  }
  expectMlxError(() => native.col2im(mt.zeros([4, 4]).data, [1, 3, 3, 1], [2, 2], [1, 1], [0, 0], [0, 0]), /\[col2im\] runs on the CPU only/);
  expectMlxError(() => native.matmulNarrow(mt.zeros([4, 3]).data, mt.zeros([3, 2]).data, false), /\[matmulNarrow\] runs on the CPU only/);
});

describe('over a large buffer', () => {
  // Past 1 MiB a kernel splits its range over two threads (InTwo in
  // native/src/kernels.cc). Each batch item alone stays below that, so the
  // items one by one are the single-threaded result to match exactly.
  const items = (t: mt.Tensor, n0: number, n1: number): mt.Tensor =>
    mt.slice(t, [n0, ...t.shape.slice(1).map(() => 0)], [n1, ...t.shape.slice(1)]);
  const sameAsItemByItem = (n: number, inputBytes: number, kernel: (n0: number, n1: number) => mt.Tensor): void => {
    const whole = kernel(0, n);
    expect(inputBytes + whole.nbytes).toBeGreaterThan(2 ** 20);
    expect((inputBytes + whole.nbytes) / n).toBeLessThan(2 ** 20);
    const one = mt.concatenate(Array.from({ length: n }, (_, i) => kernel(i, i + 1)), 0);
    expect(mt.all(mt.equal(whole, one)).item()).toBe(true);
  };
  const grid = (shape: number[]): mt.Tensor => mt.reshape(mt.tensor(tieGrid(shape[0]!, shape[1]!, shape[2]!, shape[3]!, 7)), shape);

  test('max pooling and its gradient, with remainders past the last whole window', () => {
    cpuOnly(CPU_ONLY);
    mt.tidy(() => {
      const x = grid([3, 66, 64, 24]); // 405 KB an item; 64 = 21 windows of 3 and one column left
      const out = new mt.Tensor(native.maxPoolTiled(x.data, [2, 3]));
      const dy = mt.add(out, mt.random.normal([...out.shape]));
      sameAsItemByItem(3, x.nbytes, (n0, n1) => new mt.Tensor(native.maxPoolTiled(items(x, n0, n1).data, [2, 3])));
      sameAsItemByItem(3, x.nbytes, (n0, n1) =>
        new mt.Tensor(native.maxPoolTiledGrad(items(x, n0, n1).data, items(out, n0, n1).data, items(dy, n0, n1).data, [2, 3])));
    });
  });

  test('im2col, col2im, maskedBy, axpby and adamStep', () => {
    cpuOnly(CPU_ONLY);
    mt.tidy(() => {
      const x = grid([3, 40, 40, 8]); // window rows of 460 KB an item
      const rows = (t: mt.Tensor): mt.Tensor => new mt.Tensor(native.im2col(t.data, [3, 3], [1, 1], [1, 1], [1, 1]));
      sameAsItemByItem(3, x.nbytes, (n0, n1) => rows(items(x, n0, n1)));
      const cols = rows(x), perItem = cols.shape[0]! / 3;
      sameAsItemByItem(3, cols.nbytes, (n0, n1) => new mt.Tensor(native.col2im(
        mt.slice(cols, [n0 * perItem, 0], [n1 * perItem, cols.shape[1]!]).data, [n1 - n0, 40, 40, 8], [3, 3], [1, 1], [1, 1], [1, 1])));
      // An odd size: the two threads' parts differ by one element.
      const v = mt.random.normal([3 * 2 ** 17 + 1]), dy = mt.random.normal([3 * 2 ** 17 + 1]);
      const masked = new mt.Tensor(native.maskedBy(dy.data, v.data, 'greater', 0));
      expect(mt.all(mt.equal(masked, mt.multiply(dy, mt.greater(v, 0)))).item()).toBe(true);
      const sum = new mt.Tensor(native.axpby(v.data, dy.data, 0.9, -0.1));
      expect(mt.all(mt.equal(sum, mt.add(mt.multiply(v, 0.9), mt.multiply(dy, -0.1)))).item()).toBe(true);
      // adamStep: p, g, m, v and three outputs of this size; m, v from the same draws.
      const [p1, m1, v1] = native.adamStep(v.data, dy.data, dy.data, mt.square(v).data, 0.9, 0.999, 0.5, 0.25, 1e-8, 0.1, 1).map((h) => new mt.Tensor(h));
      const m2 = mt.add(mt.multiply(dy, 0.9), mt.multiply(dy, 1 - 0.9));
      const v2 = mt.add(mt.multiply(mt.square(v), 0.999), mt.multiply(mt.square(dy), 1 - 0.999));
      const p2 = mt.add(mt.multiply(v, 1), mt.multiply(mt.divide(mt.divide(m2, 0.5), mt.add(mt.sqrt(mt.divide(v2, 0.25)), 1e-8)), -0.1));
      for (const [a, b] of [[p1, p2], [m1, m2], [v1, v2]] as const) expect(mt.all(mt.equal(a!, b)).item()).toBe(true);
    });
  });

  test('matmulNarrow, a · b row by row and aᵀ · b as the sum of its halves', () => {
    cpuOnly(CPU_ONLY);
    mt.tidy(() => {
      // An odd number of rows past 1 MiB: the threads' parts differ by one row.
      const m = 2 * 4097 + 1, a = mt.random.normal([m, 9]), b = mt.random.normal([9, 32]), d = mt.random.normal([m, 32]);
      const ab = (rows: mt.Tensor): mt.Tensor => new mt.Tensor(native.matmulNarrow(rows.data, b.data, false));
      const split = Math.floor(m / 2), part = (t: mt.Tensor, r0: number, r1: number) => mt.slice(t, [r0, 0], [r1, t.shape[1]!]);
      const whole = ab(a);
      expect(a.nbytes + whole.nbytes).toBeGreaterThan(2 ** 20);
      expect(mt.all(mt.equal(whole, mt.concatenate([ab(part(a, 0, split)), ab(part(a, split, m))], 0))).item()).toBe(true);
      // Each half alone (below 1 MiB, one thread) is what each thread sums.
      expect((a.nbytes + d.nbytes) / 2).toBeLessThan(2 ** 20);
      const atd = (r0: number, r1: number): mt.Tensor => new mt.Tensor(native.matmulNarrow(part(a, r0, r1).data, part(d, r0, r1).data, true));
      expect(a.nbytes + d.nbytes).toBeGreaterThan(2 ** 20);
      expect(mt.all(mt.equal(atd(0, m), mt.add(atd(0, split), atd(split, m)))).item()).toBe(true);
    });
  });
});
