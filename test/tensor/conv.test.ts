import { describe, expect, test, vi } from 'vitest';
import { test as prop } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';
import { matmulTol } from '../helpers/device.js';

/** A [1, L, 1] signal or [1, K, 1] kernel from values. */
const line = (v: number[]): mt.Tensor => mt.reshape(mt.tensor(v), [1, v.length, 1]);
const x = line([1, 2, 3, 4, 5]);
const w = line([1, 0, -1]);
const grid = (n: number): mt.Tensor => mt.reshape(mt.arange(1, n * n + 1, 'float32'), [1, n, n, 1]);
/** Random float32 data of a shape. */
const rand = (shape: number[]): mt.Tensor => mt.random.normal(shape);

describe('conv1d', () => {
  test('cross-correlation with stride, padding and dilation', () => {
    expectClose(mt.conv1d(x, w), [[[-2], [-2], [-2]]]);
    expectClose(mt.conv1d(x, w, { stride: 2 }), [[[-2], [-2]]]);
    expectClose(mt.conv1d(x, w, { padding: 1 }), [[[-2], [-2], [-2], [-2], [4]]]);
    expectClose(mt.conv1d(x, w, { dilation: 2 }), [[[-4]]]);
  });
  test('channels and groups', () => {
    const xc = mt.tensor([[[1, 10], [2, 20], [3, 30]]]); // [1, 3, 2]
    expectClose(mt.conv1d(xc, mt.tensor([[[1, 2]]])), [[[21], [42], [63]]]); // x0 + 2 x1
    // groups 2: output channel 0 sees input channel 0, channel 1 sees channel 1.
    expectClose(mt.conv1d(xc, mt.tensor([[[1], [1]], [[1], [-1]]]), { groups: 2 }), [[[3, -10], [5, -10]]]);
  });
  test('gradients: dw[t] sums the inputs each tap read; dx spreads the kernel', () => {
    const [gx, gw] = mt.grad((a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.conv1d(a, b)), [0, 1])(x, w) as mt.Tensor[];
    expectClose(gw!, [[[6], [9], [12]]]);
    expectClose(gx!, [[[1], [1], [0], [-1], [-1]]]);
  });
  test('wrong channels, ranks, strides and sizes', () => {
    expect(() => mt.conv1d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2]))).toThrow(mt.MlxError);
    expect(() => mt.conv1d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2]))).toThrow(/\[conv\] Expect the input channels in the input and weight array to match but got shapes - input: \(1,5,3\) and weight: \(2,2,2\)/);
    expect(() => mt.conv1d(mt.zeros([5, 3]), mt.zeros([2, 2, 3]))).toThrow(/\[conv1d\] input must have 3 axes \[N, L, C\], got shape \[5,3\]/);
    expect(() => mt.conv1d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2, 3]))).toThrow(/\[conv1d\] weight must have 3 axes/);
    expect(() => mt.conv1d(x, w, { stride: 0 })).toThrow(/\[conv\] Stride sizes must be positive/);
    expect(() => mt.conv1d(x, w, { stride: 1.5 })).toThrow(/\[conv1d\] stride must be integers, got 1.5/);
    expect(() => mt.conv1d(x, w, { dilation: 0 })).toThrow(/\[conv\] Kernel dilation sizes must be positive/);
    expect(() => mt.conv1d(line([1, 2]), w)).toThrow(/\[conv\] Spatial dimensions of input after padding cannot be smaller than weight/);
    expect(() => mt.conv1d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 1]), { groups: 2 })).toThrow(/\[conv\] The input channels must be divisible by the number of groups/);
    expect(() => mt.conv1d(mt.zeros([1, 5, 1], 'int32'), mt.zeros([1, 2, 1], 'int32'))).toThrow(/\[conv\] Invalid input array with type int32/);
  });
});

test('gradients of conv1d gradients match finite differences', () => {
  // float64 inputs are made on the CPU (MLX's float64 is CPU-only); gradcheck runs there.
  // Seeded: MLX's float64 conv has float32 precision, so rare draws land past the tolerance.
  mt.random.seed(7);
  const [a, k] = mt.withDevice('cpu', () => [mt.random.normal([2, 5, 2], { dtype: 'float64' }), mt.random.normal([3, 2, 2], { dtype: 'float64' })]);
  const f = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.tanh(mt.conv1d(p, q, { padding: 1 })));
  // MLX's CPU convolution computes float64 at float32 precision: looser tolerances.
  const dw = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.square((mt.grad(f, [0, 1])(p, q) as mt.Tensor[])[1]!));
  expect(mt.gradcheck(dw, [a, k], { rtol: 1e-2, atol: 1e-3 })).toBe(true);
});

test('float32 weight gradients (im2col + matmul) differentiate twice like float64 ones (MLX conv)', () => {
  const a = rand([2, 5, 2]), k = rand([3, 3, 2]);
  const f = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.tanh(mt.conv1d(p, q, { padding: 1 })));
  const dw = (p: mt.Tensor, q: mt.Tensor): mt.Tensor => mt.sum(mt.square((mt.grad(f, [0, 1])(p, q) as mt.Tensor[])[1]!));
  const g32 = mt.grad(dw, [0, 1])(a, k) as mt.Tensor[];
  const g64 = mt.withDevice('cpu', () => mt.grad(dw, [0, 1])(mt.astype(a, 'float64'), mt.astype(k, 'float64')) as mt.Tensor[]);
  g32.forEach((g, i) => expectClose(g, mt.withDevice('cpu', () => mt.astype(g64[i]!, 'float32')), matmulTol({ rtol: 1e-3, atol: 1e-4 })));
});

describe('conv2d and conv3d', () => {
  test('2-d: stride, padding, per-axis dilation', () => {
    const ones = mt.ones([1, 2, 2, 1]);
    expectClose(mt.conv2d(grid(3), ones), [[[[12], [16]], [[24], [28]]]]);
    expectClose(mt.conv2d(grid(3), ones, { stride: 2, padding: 1 }), [[[[1], [5]], [[11], [28]]]]);
    expectClose(mt.conv2d(grid(3), ones, { dilation: [1, 2] }), [[[[14]], [[26]]]]);
  });
  test('3-d sums a cube', () => {
    const cube = mt.reshape(mt.arange(1, 9, 'float32'), [1, 2, 2, 2, 1]);
    expectClose(mt.conv3d(cube, mt.ones([1, 2, 2, 2, 1])), [[[[[36]]]]]);
  });
  test('bad arguments', () => {
    expect(() => mt.conv2d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2, 3]))).toThrow(/\[conv2d\] input must have 4 axes \[N, H, W, C\]/);
    expect(() => mt.conv2d(grid(3), mt.ones([1, 2, 2, 1]), { stride: [1, -1] })).toThrow(/\[conv\] Stride sizes must be positive. Got strides \(1,-1\)/);
    expect(() => mt.conv2d(grid(3), mt.ones([1, 2, 2, 1]), { stride: [1, 1, 1] })).toThrow(/\[conv\] Invalid strides \(1,1,1\) for 2D convolution/);
    expect(() => mt.conv2d(mt.zeros([1, 4, 4, 4]), mt.zeros([3, 1, 1, 2]), { groups: 2 })).toThrow(/\[conv\] If groups > 1, the output channels must be divisible/);
    expect(() => mt.conv3d(mt.zeros([1, 2, 2, 2, 2]), mt.zeros([2, 1, 1, 1, 1]), { groups: 2 })).toThrow(/\[conv\] Can only handle groups != 1 in 1D or 2D/);
  });
});

describe('the bias option', () => {
  test('adds [C_out] to each output channel, on every path, as conv + bias does', () => {
    // One input channel (the CPU's narrow product), three (im2col and addmm), dilation (MLX's convolution).
    for (const [cin, o] of [[1, { padding: 1 }], [3, { padding: 1, stride: 2 }], [2, { dilation: 2 }]] as const) {
      const x = rand([2, 6, 5, cin]), w = rand([4, 3, 3, cin]), bias = rand([4]);
      expectClose(mt.conv2d(x, w, { ...o, bias }), mt.add(mt.conv2d(x, w, o), bias), matmulTol({ rtol: 1e-5, atol: 1e-5 }));
    }
    const [xt, wt, bt] = [rand([1, 4, 3]), rand([2, 3, 3]), rand([2])];
    expectClose(mt.convTranspose1d(xt, wt, { stride: 2, bias: bt }), mt.add(mt.convTranspose1d(xt, wt, { stride: 2 }), bt), matmulTol({ rtol: 1e-5, atol: 1e-5 }));
  });

  test('on the CPU it goes into the product: no add of its own', () => {
    const calls = (run: () => void): Record<string, number> => {
      const spies = { add: vi.spyOn(native, 'add'), linear: vi.spyOn(native, 'linear'), matmulNarrow: vi.spyOn(native, 'matmulNarrow') };
      run();
      const n = Object.fromEntries(Object.entries(spies).map(([k, s]) => [k, s.mock.calls.length]));
      for (const s of Object.values(spies)) s.mockRestore();
      return n;
    };
    const bias = rand([4]);
    const cpu = mt.defaultDevice() === 'cpu' ? 1 : 0;
    // linear(rows, w, bias): the output starts from the bias rows (BlasMatmul, where the addon links OpenBLAS; else MLX's addmm).
    expect(calls(() => mt.conv2d(rand([1, 5, 5, 1]), rand([4, 3, 3, 1]), { bias }))).toEqual({ add: 1 - cpu, linear: 0, matmulNarrow: cpu });
    expect(calls(() => mt.conv2d(rand([1, 5, 5, 3]), rand([4, 3, 3, 3]), { bias }))).toEqual({ add: 1 - cpu, linear: cpu, matmulNarrow: 0 });
  });

  test('its gradient is dy summed over all but the channels; nn.Conv2d passes its bias', () => {
    const layer = new mt.nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = rand([2, 4, 4, 2]), dy = rand([2, 4, 4, 3]);
    const y = layer.forward(x);
    expectClose(y, mt.add(mt.conv2d(x, layer.weight, { padding: 1 }), layer.bias!), matmulTol({ rtol: 1e-5, atol: 1e-5 }));
    const [, [db]] = mt.vjp((b) => mt.conv2d(x, layer.weight, { padding: 1, bias: b }), [layer.bias!], [dy]);
    expectClose(db!, mt.sum(dy, [0, 1, 2]), { rtol: 1e-5, atol: 1e-5 });
  });

  test('a bias of the wrong shape or dtype is refused, naming both', () => {
    const x = rand([1, 5, 5, 2]), w = rand([4, 3, 3, 2]);
    expect(() => mt.conv2d(x, w, { bias: rand([3]) })).toThrow(/\[convGeneral\] bias must have shape \[4\] and dtype float32 \(the weight's C_out and dtype\), got shape \[3\] and dtype float32/);
    expect(() => mt.conv2d(x, w, { bias: rand([1, 4]) })).toThrow(/got shape \[1,4\]/);
    expect(() => mt.conv2d(x, w, { bias: mt.zeros([4], 'float16') })).toThrow(/got shape \[4\] and dtype float16/);
  });
});

describe('convGeneral', () => {
  const s = line([1, 2, 3]), k = line([1, 10]);
  test('input dilation, kernel flip, low/high padding', () => {
    expectClose(mt.convGeneral(s, k, { inputDilation: 2 }), [[[1], [20], [2], [30]]]);
    expectClose(mt.convGeneral(s, k, { inputDilation: 2, flip: true }), [[[10], [2], [20], [3]]]);
    expectClose(mt.convGeneral(s, k, { padding: [[1], [0]] }), [[[10], [21], [32]]]);
  });
  test('negative padding crops the input before dilation, as MLX does', () => {
    const y = mt.convGeneral(line([1, 2, 3, 4]), line([1]), { padding: [[-1], [0]], inputDilation: 2 });
    expectClose(y, [[[2], [0], [3], [0], [4]]]);
    expectClose(y, new mt.Tensor(native.convGeneral(line([1, 2, 3, 4]).data, line([1]).data, [1], [-1], [0], [1], [2], 1, false)));
  });
  test('bad arguments', () => {
    expect(() => mt.convGeneral(grid(3), mt.ones([1, 2, 2, 1]), { padding: [[1, 1, 1], [0, 0, 0]] })).toThrow(/\[conv\] Invalid padding/);
    expect(() => mt.convGeneral(s, k, { inputDilation: 0 })).toThrow(/\[conv\] Input dilation sizes must be positive/);
    expect(() => mt.convGeneral(s, k, { kernelDilation: [0.5] })).toThrow(/\[convGeneral\] kernelDilation must be integers/);
  });
});

describe('convTranspose', () => {
  test('1-d: stride, padding, outputPadding', () => {
    const s = line([1, 2]), k = mt.ones([1, 2, 1]);
    expectClose(mt.convTranspose1d(s, k, { stride: 2 }), [[[1], [1], [2], [2]]]);
    expectClose(mt.convTranspose1d(s, k, { stride: 2, padding: 1 }), [[[1], [2]]]);
    expectClose(mt.convTranspose1d(s, k, { stride: 2, outputPadding: 1 }), [[[1], [1], [2], [2], [0]]]);
  });
  // On random values: on the GPU, MLX's float32 convolutions may round to TF32 (matmulTol).
  test('equal to MLX conv_transpose1d/2d/3d', () => {
    const a1 = rand([2, 4, 3]), w1 = rand([2, 3, 3]);
    expectClose(mt.convTranspose1d(a1, w1, { stride: 2, padding: 1, dilation: 2, outputPadding: 1 }), new mt.Tensor(native.convTranspose1d(a1.data, w1.data, 2, 1, 2, 1, 1)), matmulTol({ atol: 1e-5 }));
    const a2 = rand([1, 3, 4, 2]), w2 = rand([4, 2, 3, 1]);
    expectClose(mt.convTranspose2d(a2, w2, { stride: [2, 1], padding: [0, 1], groups: 2 }), new mt.Tensor(native.convTranspose2d(a2.data, w2.data, [2, 1], [0, 1], [1, 1], [0, 0], 2)), matmulTol({ atol: 1e-5 }));
    const a3 = rand([1, 2, 3, 2, 2]), w3 = rand([2, 2, 2, 2, 2]);
    expectClose(mt.convTranspose3d(a3, w3, { stride: 2, padding: 1 }), new mt.Tensor(native.convTranspose3d(a3.data, w3.data, [2, 2, 2], [1, 1, 1], [1, 1, 1], [0, 0, 0], 1)), matmulTol({ atol: 1e-5 }));
  });
  // The transposed convolution is the gradient of the convolution with respect to its input.
  prop.prop([fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 4, max: 7 })], { numRuns: 10 })(
    'the input gradient of conv1d is convTranspose1d of the cotangent', (stride, padding, dilation, length) => {
      mt.tidy(() => {
        const a = rand([2, length, 3]), k = rand([4, 2, 3]);
        const f = (t: mt.Tensor): mt.Tensor => mt.conv1d(t, k, { stride, padding, dilation });
        const y = rand([...mt.noGrad(() => f(a)).shape]);
        const [, [dx]] = mt.vjp(f, [a], [y]);
        const kT = mt.swapaxes(k, 0, -1);
        // Several input lengths give one output length under a stride: outputPadding picks ours.
        const outputPadding = length - mt.convTranspose1d(y, kT, { stride, padding, dilation }).shape[1]!;
        expectClose(dx!, mt.convTranspose1d(y, kT, { stride, padding, dilation, outputPadding }), matmulTol({ atol: 1e-5 }));
      });
    });
  // MLX 0.32.4's CUDA backend got flipped kernels and input dilation wrong once
  // convolutions of other shapes had run in the process (MLX-Python too);
  // convGeneral hands it plain convolutions on the GPU. All configurations, twice over, in one process.
  test('input gradients and transposed convolutions of many configurations in a row equal the CPU ones', () => {
    for (let round = 0; round < 2; round++) {
      for (const stride of [1, 2]) for (const padding of [0, 1]) for (const dilation of [1, 2]) for (const length of [4, 5, 6, 7]) {
        mt.tidy(() => {
          const opts = { stride, padding, dilation };
          const [a, k] = mt.withDevice('cpu', () => [mt.random.normal([2, length, 3]), mt.random.normal([4, 2, 3])]);
          const y = mt.withDevice('cpu', () => mt.random.normal([...mt.conv1d(a!, k!, opts).shape]));
          const run = (): mt.Tensor[] => {
            const [, [dx]] = mt.vjp((t: mt.Tensor) => mt.conv1d(t, k!, opts), [a!], [y]);
            return [dx!, mt.convTranspose1d(y, mt.swapaxes(k!, 0, -1), opts)];
          };
          const ours = run();
          const want = mt.withDevice('cpu', run); // float32: MLX has no float64 kernel for flips or dilation
          ours.forEach((t, i) => expectClose(t, want[i]!, matmulTol({ rtol: 1e-4, atol: 1e-4 })));
        });
      }
    }
  });
  test('bad arguments', () => {
    expect(() => mt.convTranspose1d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2]))).toThrow(/\[conv\] Expect the input channels/);
    expect(() => mt.convTranspose2d(mt.zeros([1, 5, 3]), mt.zeros([2, 2, 2, 3]))).toThrow(/\[convTranspose2d\] input must have 4 axes/);
    expect(() => mt.convTranspose1d(line([1, 2]), mt.ones([1, 2, 1]), { outputPadding: 0.5 })).toThrow(/\[convTranspose1d\] outputPadding must be integers/);
  });
});

// MLX 0.32.4's CUDA allocator keeps arrays of up to 8 bytes in 8-byte blocks,
// whose pointers cuDNN refuses when they are not 16-byte aligned; there the addon
// pads such operands with samples and filters and cuts the output back
// (native/src/conv.cc). On the CPU, convPadsTiny(true) pads too: each case, its
// values and its gradients, padded against plain. On a GPU: against the CPU.
describe('convolutions with operands of up to 8 bytes', () => {
  const t = (shape: number[]): mt.Tensor => mt.reshape(mt.multiply(mt.arange(1, shape.reduce((a, b) => a * b, 1) + 1, 'float32'), 0.5), shape);
  const cases: [string, number[], number[], (x: mt.Tensor, w: mt.Tensor) => mt.Tensor][] = [
    // The property test's counterexample that cuDNN refused on an H100.
    ['convTranspose2d, stride and dilation', [1, 2, 1, 1], [2, 1, 1, 1], (x, w) => mt.convTranspose2d(x, w, { stride: [1, 2], dilation: [1, 2] })],
    ['conv1d, 2 groups', [1, 3, 2], [2, 1, 1], (x, w) => mt.conv1d(x, w, { groups: 2 })],
    ['conv1d, 2 groups of 2 filters, tiny input', [1, 1, 2], [4, 1, 1], (x, w) => mt.conv1d(x, w, { groups: 2, padding: 1, dilation: 2 })],
    ['conv2d, kernel dilation, one output', [1, 3, 1, 1], [1, 2, 1, 1], (x, w) => mt.conv2d(x, w, { dilation: [2, 1] })],
    ['conv3d, kernel dilation', [1, 3, 1, 1, 1], [2, 1, 1, 1, 1], (x, w) => mt.conv3d(x, w, { dilation: 2 })],
    ['convGeneral, flip and input dilation', [1, 2, 1], [1, 2, 1], (x, w) => mt.convGeneral(x, w, { flip: true, inputDilation: 2, padding: 1 })],
    ['convTranspose1d, 2 groups of 2 filters, tiny input', [1, 1, 2], [4, 2, 1], (x, w) => mt.convTranspose1d(x, w, { groups: 2, stride: 2 })],
  ];
  const padded = <T>(f: () => T): T => {
    const before = native.convPadsTiny(true);
    try {
      return f();
    } finally {
      native.convPadsTiny(before);
    }
  };
  const plain = <T>(f: () => T): T => mt.withDevice('cpu', f);
  test.each(cases)('%s: the same values and gradients', (_, xs, ws, conv) => {
    mt.tidy(() => {
      const run = (): mt.Tensor[] => {
        const x = t(xs), w = t(ws), out = conv(x, w);
        const ct = mt.reshape(mt.arange(out.size, 'float32'), [...out.shape]);
        return [out, ...(mt.grad((a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.multiply(conv(a, b), ct)), [0, 1])(x, w) as mt.Tensor[])];
      };
      const ours = padded(run), want = plain(run);
      expect(native.graphOps([ours[0]!.data]).some((op) => op.startsWith('Pad'))).toBe(true);
      expect(ours.map((a) => a.shape)).toEqual(want.map((a) => a.shape));
      ours.forEach((a, i) => expectClose(a, want[i]!, matmulTol({ rtol: 1e-5, atol: 1e-5 })));
    });
  });
  test("MLX's own convolutions pad too", () => {
    mt.tidy(() => {
      const [x, w] = [t([1, 2, 1, 1]), t([2, 1, 1, 1])];
      const run = (): mt.Tensor => new mt.Tensor(native.convTranspose2d(x.data, w.data, [1, 2], [0, 0], [1, 2], [0, 0], 1));
      const ours = padded(run);
      expect(native.graphOps([ours.data]).some((op) => op.startsWith('Pad'))).toBe(true);
      expectClose(ours, plain(run));
    });
  });
});
