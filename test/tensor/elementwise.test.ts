import { describe, expect, test } from 'vitest';
import { test as propTest } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { native, shapeOf } from '../../src/tensor/native.js';
import { expectClose } from '../helpers/close.js';

const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 is too coarse for 1e-5; integrate instead (Simpson, 2000 steps).
  const n = 2000, h = x / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
};

const unary: [keyof typeof mt, (x: number) => number, number[]][] = [
  ['abs', Math.abs, [-1.5, 0, 2]],
  ['negative', (x) => -x, [-1.5, 0, 2]],
  ['sign', Math.sign, [-1.5, 0, 2]],
  ['exp', Math.exp, [-1, 0, 1.5]],
  ['expm1', Math.expm1, [-1, 1e-6, 1.5]],
  ['log', Math.log, [0.5, 1, 4]],
  ['log1p', Math.log1p, [-0.5, 1e-6, 4]],
  ['log2', Math.log2, [0.5, 1, 8]],
  ['log10', Math.log10, [0.5, 1, 1000]],
  ['sqrt', Math.sqrt, [0, 2, 9]],
  ['rsqrt', (x) => 1 / Math.sqrt(x), [0.25, 2, 9]],
  ['square', (x) => x * x, [-3, 0.5, 2]],
  ['reciprocal', (x) => 1 / x, [-4, 0.5, 2]],
  ['sin', Math.sin, [-1, 0, 2]],
  ['cos', Math.cos, [-1, 0, 2]],
  ['tan', Math.tan, [-1, 0, 1.2]],
  ['arcsin', Math.asin, [-0.9, 0, 0.5]],
  ['arccos', Math.acos, [-0.9, 0, 0.5]],
  ['arctan', Math.atan, [-3, 0, 1]],
  ['sinh', Math.sinh, [-1, 0, 2]],
  ['cosh', Math.cosh, [-1, 0, 2]],
  ['tanh', Math.tanh, [-1, 0, 2]],
  ['arcsinh', Math.asinh, [-1, 0, 2]],
  ['arccosh', Math.acosh, [1, 2, 5]],
  ['arctanh', Math.atanh, [-0.5, 0, 0.9]],
  ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), [-3, 0, 2]],
  ['erf', erf, [-1, 0, 0.5]],
  ['erfinv', (y) => { let x = 0; for (let i = 0; i < 50; i++) x -= (erf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)); return x; }, [-0.5, 0, 0.9]],
  ['floor', Math.floor, [-1.5, 0, 2.7]],
  ['ceil', Math.ceil, [-1.5, 0, 2.2]],
];

describe.each(unary)('%s', (name, ref, xs) => {
  const op = mt[name] as (x: mt.Tensor) => mt.Tensor;
  test('matches the math', () => {
    expectClose(op(mt.tensor(xs)), xs.map(ref), { rtol: 1e-5, atol: 1e-6 });
  });
  test('keeps shape and dtype', () => {
    const y = op(mt.tensor([[0.5, 0.25]], 'float16'));
    expect(y.shape).toEqual([1, 2]);
    expect(y.dtype).toBe('float16');
  });
  test('rejects a non-tensor argument, naming the op', () => {
    expect(() => op({} as mt.Tensor)).toThrow(TypeError);
    expect(() => op({ data: {} } as unknown as mt.Tensor)).toThrow(new RegExp(`${name}: argument 'a' must be an MLX array`));
  });
});

const binary: [keyof typeof mt, (a: number, b: number) => number | boolean][] = [
  ['add', (a, b) => a + b],
  ['subtract', (a, b) => a - b],
  ['multiply', (a, b) => a * b],
  ['divide', (a, b) => a / b],
  ['power', (a, b) => a ** b],
  ['remainder', (a, b) => a - b * Math.floor(a / b)],
  ['maximum', Math.max],
  ['minimum', Math.min],
  ['arctan2', Math.atan2],
  ['logaddexp', (a, b) => Math.log(Math.exp(a) + Math.exp(b))],
  ['floorDivide', (a, b) => Math.floor(a / b)],
  ['equal', (a, b) => a === b],
  ['notEqual', (a, b) => a !== b],
  ['less', (a, b) => a < b],
  ['lessEqual', (a, b) => a <= b],
  ['greater', (a, b) => a > b],
  ['greaterEqual', (a, b) => a >= b],
  ['logicalAnd', (a, b) => a !== 0 && b !== 0],
  ['logicalOr', (a, b) => a !== 0 || b !== 0],
];

describe.each(binary)('%s', (name, ref) => {
  const op = mt[name] as (a: mt.Tensor | number, b: mt.Tensor | number) => mt.Tensor;
  const a = [[1.5, -2, 3], [0, 4, 2]];
  const b = [2, 0.5, 3];
  test('matches the math, with broadcasting', () => {
    const want = a.map((row) => row.map((x, j) => Number(ref(x, b[j]!))));
    expectClose(op(mt.tensor(a), mt.tensor(b)), want, { rtol: 1e-5 });
  });
  test('takes a number on either side', () => {
    expectClose(op(mt.tensor([3]), 2), [Number(ref(3, 2))], { rtol: 1e-6 });
    expectClose(op(3, mt.tensor([2])), [Number(ref(3, 2))], { rtol: 1e-6 });
  });
  test('rejects shapes that do not broadcast, naming them', () => {
    expect(() => op(mt.zeros([2, 3]), mt.zeros([4]))).toThrow(mt.MlxError);
    expect(() => op(mt.zeros([2, 3]), mt.zeros([4]))).toThrow(/\(2,3\) and \(4\) cannot be broadcast/);
  });
  test('rejects a string operand', () => {
    expect(() => op(mt.zeros([2]), 'x' as never)).toThrow(new RegExp(`${name}: argument 'b' must be an MLX array or a number, got 'x'`));
  });
});

describe('weak scalars', () => {
  test('take the tensor dtype unless that would drop a fraction', () => {
    expect(mt.add(mt.tensor([1], 'int32'), 2).dtype).toBe('int32');
    expect(mt.add(mt.tensor([1], 'int32'), 0.5).dtype).toBe('float32');
    expect(mt.multiply(mt.tensor([1], 'float16'), 2.5).dtype).toBe('float16');
    expect(mt.withDevice('cpu', () => mt.add(mt.tensor([1], 'float64'), 2)).dtype).toBe('float64'); // float64 is CPU-only in MLX
  });
});

describe('shapes and dtypes passed on in JS', () => {
  // Binary arithmetic ops hand their output a shape and dtype worked out in JS
  // (ops/elementwise.ts, shapeSource); checked here against what MLX says.
  const ops = ['add', 'subtract', 'multiply', 'divide', 'power', 'maximum', 'minimum'] as const;
  const dtypes = ['float32', 'float16', 'bfloat16', 'int32'] as const;
  const shapes: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[2, 3], [1, 3]], [[2, 1], [1, 3]], [[3], [2, 3]], [[], [2]]];
  const operand = fc.oneof(
    fc.record({ dtype: fc.constantFrom(...dtypes), shapeOf: fc.constantFrom(0, 1) }),
    fc.constantFrom(2, 0.5),
  );
  const dtypeNames = native.dtypeNames();
  // Where shapes are passed on: under noGrad (as in backward's rules) and in
  // ops that record; 'plain' (grad mode on, nothing requires grad) skips it.
  const modes = ['noGrad', 'recording', 'plain'] as const;
  propTest.prop([fc.constantFrom(...ops), fc.constantFrom(...shapes), operand, operand, fc.boolean(), fc.constantFrom(...modes)], { numRuns: 1000 })(
    'match MLX\'s own for every operand mix',
    (op, pair, a, b, known, mode) => mt.tidy(() => {
      const make = (o: typeof a, i: number): mt.Tensor | number => {
        if (typeof o === 'number') return o;
        const t = mt.ones(pair[o.shapeOf === 0 ? i : 1 - i]!, o.dtype).requireGrad(mode === 'recording');
        if (known) void t.shape; // the source's shape already known, or asked for by the op
        return t;
      };
      const run = (): mt.Tensor => (mt[op] as (x: mt.Tensor | number, y: mt.Tensor | number) => mt.Tensor)(make(a, 0), make(b, 1));
      const out = mode === 'noGrad' ? mt.noGrad(run) : run();
      expect(out.shape).toEqual(shapeOf(out.data));
      expect(out.dtype).toBe(dtypeNames[native.dtypeIndex(out.data)]);
    }),
  );

  test('a broadcast or a promotion passes on no operand\'s shape or dtype', () => mt.tidy(() => {
    const x = mt.ones([2, 3]).requireGrad();
    for (const [y, shape, dtype] of [
      [mt.ones([3]), [2, 3], 'float32'], [mt.ones([1, 3]), [2, 3], 'float32'], [mt.ones([2, 1, 3]), [2, 2, 3], 'float32'],
      [mt.ones([2, 3], 'float16'), [2, 3], 'float32'],
    ] as const) {
      void y.shape;
      for (const op of ops) {
        const out = mt[op](x, y);
        expect([op, out.shape, out.dtype]).toEqual([op, shape, dtype]);
      }
    }
    const n = mt.ones([2, 3], 'int32').requireGrad();
    expect(mt.noGrad(() => mt.multiply(n, 0.5)).dtype).toBe('float32');
  }));

  test('gradients of broadcast operands are summed back when every shape is known in JS', () => {
    const x = mt.ones([3, 4]).requireGrad(), w = mt.tensor([[1, 2, 3, 4]]).requireGrad(), v = mt.tensor([1, 2, 3, 4]).requireGrad();
    for (const t of [x, w, v]) void t.shape;
    const y = mt.add(mt.multiply(mt.add(x, 1), w), v); // [3,4] * [1,4] + [4]
    mt.sum(y).backward();
    expect(w.grad!.toArray()).toEqual([[6, 6, 6, 6]]); // x + 1 = 2, summed over 3 rows
    expect(v.grad!.toArray()).toEqual([3, 3, 3, 3]);
    expect(x.grad!.toArray()).toEqual([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]);
  });
});

describe('where, clip, nanToNum, round, astype, logicalNot, isnan/isinf/isfinite', () => {
  test('where picks by condition and broadcasts', () => {
    expectClose(mt.where(mt.tensor([true, false, true]), mt.tensor([1, 2, 3]), 0), [1, 0, 3]);
    expect(() => mt.where(mt.tensor([true, false]), mt.zeros([3]), 0)).toThrow(/cannot be broadcast/);
  });
  test('clip with one or two bounds', () => {
    expectClose(mt.clip(mt.tensor([-2, 0.5, 3]), 0, 1), [0, 0.5, 1]);
    expectClose(mt.clip(mt.tensor([-2, 0.5, 3]), null, 1), [-2, 0.5, 1]);
    expectClose(mt.clip(mt.tensor([-2, 0.5, 3]), mt.tensor([-1, 1, 1]), null), [-1, 1, 3]);
    expect(() => mt.clip(mt.tensor([1]), null, null)).toThrow(/\[clip\] min and max are both null/);
  });
  test('nanToNum replaces NaN and infinities', () => {
    expectClose(mt.nanToNum(mt.tensor([NaN, Infinity, -Infinity, 1]), { nan: -1, posinf: 9, neginf: -9 }), [-1, 9, -9, 1]);
    const big = mt.nanToNum(mt.tensor([Infinity])).item() as number;
    expect(big).toBeCloseTo(3.4028234663852886e38, -30);
  });
  test('round to decimals, half to even', () => {
    expectClose(mt.round(mt.tensor([1.26, 2.5, -0.5])), [1, 2, -0]);
    expectClose(mt.round(mt.tensor([1.26]), 1), [1.3], { rtol: 1e-6 });
    expect(() => mt.round(mt.tensor([1]), 1.5)).toThrow(/round: argument 'decimals' must be an integer, got 1.5/);
  });
  test('astype converts and names a bad dtype', () => {
    expect(mt.astype(mt.tensor([1.7, -1.7]), 'int32').toArray()).toEqual([1, -1]);
    expect(() => mt.astype(mt.tensor([1]), 'float128' as never)).toThrow(/astype: argument 'dtype' must be a dtype name/);
  });
  test('logical and float predicates', () => {
    expect(mt.logicalNot(mt.tensor([true, false])).toArray()).toEqual([false, true]);
    expect(mt.isnan(mt.tensor([1, NaN])).toArray()).toEqual([false, true]);
    expect(mt.isinf(mt.tensor([1, -Infinity])).toArray()).toEqual([false, true]);
    expect(mt.isfinite(mt.tensor([1, NaN])).toArray()).toEqual([true, false]);
  });
  test('relu is zero below and identity above, with zero gradient at 0', () => {
    expectClose(mt.relu(mt.tensor([-1, 0, 2])), [0, 0, 2]);
    expectClose(mt.grad((x: mt.Tensor) => mt.sum(mt.relu(x)))(mt.tensor([-1, 0, 2])), [0, 0, 1]);
  });
  test('relu gives maximum(x, 0) for every dtype (NaN kept, a bool input gives int32), through one compiled kernel for floats', () => {
    const same = (x: mt.Tensor): void => {
      const [r, m] = [mt.relu(x), mt.maximum(x, 0)];
      expect([r.dtype, r.shape]).toEqual([m.dtype, m.shape]);
      expect(r.toArray()).toEqual(m.toArray());
    };
    for (const dtype of ['float32', 'float16', 'bfloat16'] as const) same(mt.tensor([[-1.5, 0, NaN], [2, -Infinity, Infinity]], dtype));
    same(mt.tensor([-3, 0, 4], 'int32'));
    same(mt.tensor([true, false]));
    expect(mt.relu(mt.tensor([true, false])).dtype).toBe('int32');
    // A strided input (a transpose) too: the compiled kernel's non-contiguous variant.
    same(mt.transpose(mt.reshape(mt.arange(-6, 6), [3, 4])));
    expect(native.graphOps([mt.relu(mt.tensor([-1, 1])).data])).toEqual([expect.stringMatching(/^Compiled\w*Maximum@/)]);
  });
  test('maximum and minimum send a tied gradient to b, as MLX does', () => {
    const [ga, gb] = mt.grad((a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.maximum(a, b)), [0, 1])(mt.tensor([1, 2]), mt.tensor([1, 0]));
    expectClose(ga, [0, 1]);
    expectClose(gb, [1, 0]);
    const [ma, mb] = mt.grad((a: mt.Tensor, b: mt.Tensor) => mt.sum(mt.minimum(a, b)), [0, 1])(mt.tensor([1, 2]), mt.tensor([1, 3]));
    expectClose(ma, [0, 1]);
    expectClose(mb, [1, 0]);
  });
  test.each(['maximum', 'minimum'] as const)('%s ties agree with MLX vjp', (op) => {
    const a = mt.tensor([1, 2, 3]), b = mt.tensor([1, 0, 3]);
    const ours = mt.grad((x: mt.Tensor, y: mt.Tensor) => mt.sum(mt[op](x, y)), [0, 1])(a, b);
    const [, theirs] = native.mlxVjp((hs) => [native[op](hs[0]!, hs[1]!)], [a.data, b.data], [mt.ones([3]).data]);
    ours.forEach((g: mt.Tensor, i: number) => expectClose(g, new mt.Tensor(theirs[i]!)));
  });
});
