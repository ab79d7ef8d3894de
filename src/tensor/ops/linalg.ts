// Products and contractions. matmul, addmm, linear, tensordot and einsum are
// primitives (rules in src/autograd/grads/linalg.ts); outer and inner are
// written with them, as MLX writes them, and need no rule of their own.
import { apply } from '../../autograd/tape.js';
import { native } from '../native.js';
import type { Tensor } from '../tensor.js';
import { multiply } from './elementwise.js';
import { reshape } from './shape.js';

/**
 * Matrix product with NumPy semantics: the last two axes are matrices and
 * the leading axes broadcast; a 1-d first operand is a row vector and a 1-d
 * second operand a column vector, whose axis the result drops.
 *
 * @param a - Left operand, at least 1-d.
 * @param b - Right operand, at least 1-d; `b.shape[-2]` must equal `a.shape[-1]`.
 * @returns The product, of shape `[...batch, a.shape[-2], b.shape[-1]]` (less the 1-d axes).
 * @example
 * ```ts
 * mt.matmul(mt.tensor([[1, 2], [3, 4]]), mt.tensor([[1], [1]])).toArray(); // [[3], [7]]
 * ```
 * @group Linalg
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return apply('matmul', [a, b], native.matmul(a.data, b.data));
}

/**
 * `beta * c + alpha * (a @ b)` in one op; `c` broadcasts to the product's shape.
 *
 * @param c - The added tensor.
 * @param a - Left factor (as in {@link matmul}).
 * @param b - Right factor.
 * @param alpha - Scale of the product (default 1).
 * @param beta - Scale of `c` (default 1).
 * @returns `beta * c + alpha * (a @ b)`.
 * @example
 * ```ts
 * mt.addmm(mt.tensor([1, 1]), mt.tensor([[1, 2]]), mt.tensor([[1, 0], [0, 1]]), 2).toArray(); // [[3, 5]]
 * ```
 * @group Linalg
 */
export function addmm(c: Tensor, a: Tensor, b: Tensor, alpha = 1, beta = 1): Tensor {
  return apply('addmm', [c, a, b], native.addmm(c.data, a.data, b.data, alpha, beta), { alpha, beta });
}

/**
 * `x · weightᵀ + bias` over the last axis of `x`, with `weight` stored
 * `[outputs, inputs]`: PyTorch's `functional.linear`, what {@link nn.Linear}
 * computes. One recorded op, whose gradient needs no transpose of `weight`
 * (`dx = dy · weight`, `dweight = dyᵀ · x`, `dbias = dy` summed over the
 * leading axes); the same product through {@link addmm} and {@link transpose}
 * records two ops and transposes three times more on the way back.
 *
 * @param x - Input, at least 1-d; its last axis has `weight.shape[1]` elements.
 * @param weight - `[outputs, inputs]`.
 * @param bias - `[outputs]`, added to every row (optional).
 * @returns A tensor of shape `[...x.shape.slice(0, -1), outputs]`.
 * @example
 * ```ts
 * const w = mt.tensor([[1, 0], [1, 1]]);
 * mt.linear(mt.tensor([[1, 2]]), w, mt.tensor([0, 10])).toArray(); // [[1, 13]]
 * ```
 * @group Linalg
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [outputs, inputs] = weight.shape;
  if (weight.ndim !== 2) throw new TypeError(`[linear] weight must be 2-d [outputs, inputs], got shape [${weight.shape.join(',')}]`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inputs) {
    throw new TypeError(`[linear] x's last axis must have weight's ${inputs} inputs, got x of shape [${x.shape.join(',')}]`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outputs)) {
    throw new TypeError(`[linear] bias must have shape [${outputs}], got [${bias.shape.join(',')}]`);
  }
  const out = native.linear(x.data, weight.data, bias ? bias.data : null);
  return apply('linear', bias ? [x, weight, bias] : [x, weight], out);
}

/**
 * Outer product of two tensors, flattened first: `out[i, j] = a[i] * b[j]`.
 *
 * @param a - First operand (any shape; flattened).
 * @param b - Second operand (any shape; flattened).
 * @returns A tensor of shape `[a.size, b.size]`.
 * @example
 * ```ts
 * mt.outer(mt.tensor([1, 2]), mt.tensor([1, 10, 100])).toArray(); // [[1, 10, 100], [2, 20, 200]]
 * ```
 * @group Linalg
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  return multiply(reshape(a, [-1, 1]), reshape(b, [1, -1]));
}

/**
 * Inner product over the last axes: `out[..., ...] = sum(a[..., k] * b[..., k])`
 * (a product when either operand is 0-d).
 *
 * @param a - First operand.
 * @param b - Second operand; its last axis must match `a`'s.
 * @returns A tensor of shape `[...a.shape[:-1], ...b.shape[:-1]]`.
 * @example
 * ```ts
 * mt.inner(mt.tensor([1, 2, 3]), mt.tensor([4, 5, 6])).item(); // 32
 * ```
 * @group Linalg
 */
export function inner(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) return multiply(a, b);
  const [ka, kb] = [a.shape[a.ndim - 1], b.shape[b.ndim - 1]];
  if (ka !== kb) {
    throw new RangeError(`[inner] the last axes must match, got shapes [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
  }
  return tensordot(a, b, [[-1], [-1]]);
}

/**
 * Contracts axes of `a` with axes of `b`: with a number `n`, the last `n`
 * axes of `a` with the first `n` of `b`; with `[axesA, axesB]`, each listed
 * axis of `a` with the one at the same place in `axesB`.
 *
 * @param a - First operand.
 * @param b - Second operand.
 * @param axes - A count (default 2), or a pair of axis lists of equal length.
 * @returns The free axes of `a` followed by the free axes of `b`.
 * @example
 * ```ts
 * const a = mt.tensor([[1, 2], [3, 4]]);
 * mt.tensordot(a, a, 1).toArray();            // [[7, 10], [15, 22]] (matmul)
 * mt.tensordot(a, a, [[0, 1], [0, 1]]).item(); // 30
 * ```
 * @group Linalg
 */
export function tensordot(a: Tensor, b: Tensor, axes: number | [number[], number[]] = 2): Tensor {
  if (typeof axes !== 'number') {
    // MLX does not range-check listed axes (it fails with "SmallVector out of range").
    [[a, axes[0], 'a'], [b, axes[1], 'b']].forEach(([x, list, name]) => {
      const t = x as Tensor, bad = (list as number[]).find((ax) => ax < -t.ndim || ax >= t.ndim);
      if (bad !== undefined) throw new RangeError(`[tensordot] axis ${bad} is out of range for ${name} of shape [${t.shape.join(',')}]`);
    });
  }
  const out = typeof axes === 'number' ? native.tensordot(a.data, b.data, axes, null) : native.tensordot(a.data, b.data, axes[0], axes[1]);
  // MLX has checked the axes; record them as non-negative lists for the rule.
  const norm = (x: number, nd: number): number => (x < 0 ? x + nd : x);
  const [axesA, axesB] = typeof axes === 'number'
    ? [Array.from({ length: axes }, (_, i) => a.ndim - axes + i), Array.from({ length: axes }, (_, i) => i)]
    : [axes[0].map((x) => norm(x, a.ndim)), axes[1].map((x) => norm(x, b.ndim))];
  return apply('tensordot', [a, b], out, { axesA, axesB });
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The explicit letters of each operand and of the output, as MLX reads
 * `subscripts`: implicit output (letters used once, sorted, after the
 * ellipsis) and each ellipsis spelled out with unused letters, right-aligned
 * so that shorter ones broadcast. Assumes well-formed input; MLX reports the rest.
 */
function parseEinsum(subscripts: string, ndims: number[]): { inputs: string[]; output: string } {
  const s = subscripts.replace(/ /g, '');
  const arrow = s.indexOf('->');
  const lhs = arrow >= 0 ? s.slice(0, arrow) : s;
  let rhs = arrow >= 0 ? s.slice(arrow + 2) : '';
  if (arrow < 0) {
    const letters = lhs.replace(/[,.]/g, '');
    const once = [...new Set(letters)].filter((c) => letters.indexOf(c) === letters.lastIndexOf(c)).sort();
    rhs = (lhs.includes('...') ? '...' : '') + once.join('');
  }
  const spare = [...LETTERS].filter((c) => !s.includes(c)).join('');
  let longest = 0;
  const expand = (sub: string, ndim?: number): string => {
    const at = sub.indexOf('...');
    if (at < 0) return sub;
    const n = ndim === undefined ? longest : Math.max(0, ndim - (sub.length - 3));
    longest = Math.max(longest, n);
    return sub.slice(0, at) + spare.slice(spare.length - n) + sub.slice(at + 3);
  };
  const inputs = lhs.split(',').map((sub, i) => expand(sub, ndims[i] ?? 0));
  return { inputs, output: expand(rhs) };
}

/**
 * Einstein summation: each operand's axes are named by letters; letters
 * missing from the output are summed over. `...` stands for leading axes that
 * broadcast; without `->`, the output is the letters used once, in order.
 *
 * @param subscripts - For example `'ij,jk->ik'` (matmul), `'ii->'` (trace), `'...ij->...ji'`.
 * @param operands - One tensor per comma-separated input subscript.
 * @returns The contraction.
 * @example
 * ```ts
 * const a = mt.tensor([[1, 2], [3, 4]]);
 * mt.einsum('ii->', a).item();          // 5
 * mt.einsum('ij,j->i', a, mt.tensor([1, 1])).toArray(); // [3, 7]
 * ```
 * @group Linalg
 */
export function einsum(subscripts: string, ...operands: Tensor[]): Tensor {
  const { inputs, output } = parseEinsum(subscripts, operands.map((x) => x.ndim));
  // MLX does not check this itself and fails later in a transpose.
  for (const c of output) {
    if (LETTERS.includes(c) && !inputs.some((sub) => sub.includes(c))) {
      throw new RangeError(`[einsum] output subscript '${c}' does not appear in any input of '${subscripts}'`);
    }
  }
  return apply('einsum', operands, native.einsum(subscripts, operands.map((x) => x.data)), { inputs, output });
}
