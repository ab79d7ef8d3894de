// Every gradient rule against central finite differences (float64) and, where
// the spec gives the same op on raw handles, against MLX's own C++ vjp.
import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import * as mt from '../../src/index.js';
import { gradRules } from '../../src/autograd/grads/index.js';
import { native } from '../../src/tensor/native.js';
import { expectClose, flat } from '../helpers/close.js';
import { onGpu } from '../helpers/device.js';
import { convSpecs } from './specs/conv.js';
import { specs } from './specs/index.js';
import { linalgSpecs } from './specs/linalg.js';

/**
 * Our rule against MLX's vjp: 1e-4 relative. On the GPU, MLX's float32 matmul and
 * convolutions round their inputs to TF32 (10-bit mantissa), and our rule and
 * MLX's may take different products, so there they agree to ~1e-3 of the values' scale.
 */
function oracleTol(op: string, theirs: mt.Tensor): { rtol: number; atol: number } {
  if (!(onGpu && (op in linalgSpecs || op in convSpecs))) return { rtol: 1e-4, atol: 1e-5 };
  return { rtol: 2e-3, atol: 2e-3 * Math.max(1, ...flat(theirs).map(Math.abs)) };
}

describe('gradient rules', () => {
  test('every gradient rule has a gradcheck spec', () => {
    expect(Object.keys(specs).sort()).toEqual(Object.keys(gradRules).sort());
  });
  test('the table is frozen: backward reads it once, so a rule changed later would be ignored', () => {
    expect(Object.isFrozen(gradRules)).toBe(true);
    expect(() => { (gradRules as Record<string, unknown>).exp = () => []; }).toThrow(TypeError);
  });
});

describe.each(Object.entries(specs))('%s', (op, spec) => {
  test.prop([spec!.cases], { numRuns: 30 })('backward matches central differences', (c) => {
    mt.tidy(() => {
      mt.gradcheck(spec!.fn(c), spec!.inputs(c, 'float64'), { eps: spec!.eps, rtol: spec!.tol?.rtol ?? 1e-3, atol: spec!.tol?.atol ?? 1e-4 });
    });
  });
  if (spec!.oracle) {
    test.prop([spec!.cases, fc.integer()], { numRuns: 15 })('backward matches MLX vjp', (c, seed) => {
      mt.tidy(() => {
        const xs = spec!.inputs(c, 'float32');
        const out = mt.noGrad(() => spec!.fn(c)(...xs));
        let s = seed;
        const ct = mt.tensor(Float32Array.from({ length: out.size }, () => ((s = (s * 16807 + 1) % 2147483647) / 2147483647) * 2 - 1), 'float32', [...out.shape]);
        const [, ours] = mt.vjp(spec!.fn(c), xs, [ct]);
        const [, theirs] = native.mlxVjp((hs) => [spec!.oracle!(c)(...hs)], xs.map((x) => x.data), [ct.data]);
        ours.forEach((g, i) => {
          const want = new mt.Tensor(theirs[i]!);
          expectClose(g, want, oracleTol(op, want));
        });
      });
    });
  }
});
