// MLX/JAX-style transforms: grad, valueAndGrad, vjp over trees of tensors.
import { Tensor } from '../tensor/tensor.js';
import { multiply, sum, zerosLike } from '../tensor/ops/index.js';
import { runBackward } from './backward.js';
import { enableGrad } from './tape.js';
import { treeFlatten, treeUnflatten } from './tree.js';

/**
 * Fresh leaves for the differentiated arguments. An argument that already
 * requires grad (an outer transform is watching it) is used as it is, and the
 * backward pass is recorded so the outer transform can differentiate it.
 */
function watch(args: unknown[], argnums: number[]): { args: unknown[]; leaves: Tensor[]; counts: number[]; nested: boolean } {
  const leaves: Tensor[] = [];
  const counts: number[] = [];
  let nested = false;
  const out = args.map((a, i) => {
    if (!argnums.includes(i)) return a;
    const ts = treeFlatten(a);
    if (ts.length === 0) throw new TypeError(`[grad] argument ${i} holds no tensor to differentiate`);
    const watched = ts.map((t) => {
      if (t.requiresGrad) {
        nested = true;
        return t;
      }
      return t.detach().requireGrad();
    });
    leaves.push(...watched);
    counts[i] = watched.length;
    return treeUnflatten(a, watched);
  });
  return { args: out, leaves, counts, nested };
}

/**
 * Runs `f` recording, and returns its size-1 result with its gradient with
 * respect to each of `leaves` (zeros where it does not depend on one). With
 * `nested`, the backward pass is recorded for an outer transform.
 */
export function valueAndGradOfLeaves(f: () => Tensor, leaves: Tensor[], nested: boolean): [Tensor, Tensor[]] {
  const value = enableGrad(f);
  if (!(value instanceof Tensor)) throw new TypeError('[valueAndGrad] fn must return a Tensor');
  if (value.size !== 1) throw new TypeError(`[valueAndGrad] fn must return a size-1 tensor, got shape [${value.shape.join(',')}]`);
  const grads = value.requiresGrad
    ? runBackward(value, undefined, { createGraph: nested, retainGraph: nested }, leaves)
    : leaves.map(() => null);
  return [nested ? value : value.detach(), grads.map((g, i) => g ?? zerosLike(leaves[i]!))];
}

function normalize(argnums: number | number[] | undefined, nargs: number): number[] {
  const list = argnums === undefined ? [0] : Array.isArray(argnums) ? argnums : [argnums];
  for (const n of list) {
    if (!Number.isInteger(n) || n < 0 || n >= nargs) throw new RangeError(`[grad] argnums ${n} is out of range for ${nargs} argument(s)`);
  }
  return list;
}

/**
 * Turns `fn` (returning a scalar tensor) into a function returning `[value,
 * gradients]`, the gradients shaped like the arguments selected by `argnums`
 * (one tree for a number, a list of trees for a list). Arguments may be trees
 * of tensors. Composes: `grad(grad(f))` works.
 *
 * @param fn - A function whose result is a size-1 tensor.
 * @param argnums - Which arguments to differentiate (default 0).
 * @returns The transformed function.
 * @example
 * ```ts
 * const f = (w: mt.Tensor) => mt.sum(mt.square(w));
 * const [loss, g] = mt.valueAndGrad(f)(mt.tensor([1, 2]));
 * loss.item();  // 5
 * g.toArray();  // [2, 4]
 * ```
 * @group Autograd
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function valueAndGrad<A extends any[]>(fn: (...args: A) => Tensor, argnums?: number | number[]) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (...args: A): [Tensor, any] => {
    const nums = normalize(argnums, args.length);
    const w = watch(args, nums);
    const [result, filled] = valueAndGradOfLeaves(() => fn(...(w.args as A)), w.leaves, w.nested);
    let k = 0;
    const trees = nums.map((n) => treeUnflatten(w.args[n], filled.slice(k, (k += w.counts[n]!))));
    return [result, Array.isArray(argnums) ? trees : trees[0]];
  };
}

/**
 * Turns `fn` (returning a scalar tensor) into a function returning its
 * gradient with respect to the arguments selected by `argnums`.
 *
 * @param fn - A function whose result is a size-1 tensor.
 * @param argnums - Which arguments to differentiate (default 0).
 * @returns The gradient function.
 * @example
 * ```ts
 * const f = (t: mt.Tensor) => mt.sum(mt.square(t));
 * mt.grad(f)(mt.tensor([1, 2, 3, 4])).toArray(); // [2, 4, 6, 8]
 * mt.grad(mt.grad((t: mt.Tensor) => mt.sum(mt.power(t, 3))))(mt.tensor([2])).toArray(); // [12]
 * ```
 * @group Autograd
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function grad<A extends any[]>(fn: (...args: A) => Tensor, argnums?: number | number[]) {
  const vg = valueAndGrad(fn, argnums);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (...args: A): any => vg(...args)[1];
}

/**
 * Vector-Jacobian product: runs `fn` on `primals` and pulls `cotangents`
 * (one per output) back to one cotangent per primal.
 *
 * @param fn - A function from tensors to a tensor or a list of tensors.
 * @param primals - The inputs.
 * @param cotangents - One per output, shaped like it.
 * @returns `[outputs, vjps]`.
 * @example
 * ```ts
 * const [[y], [dx]] = mt.vjp((x) => [mt.multiply(x, 3)], [mt.tensor([1, 2])], [mt.tensor([1, 10])]);
 * dx.toArray(); // [3, 30]
 * ```
 * @group Autograd
 */
export function vjp(fn: (...primals: Tensor[]) => Tensor | Tensor[], primals: Tensor[], cotangents: Tensor[]): [Tensor[], Tensor[]] {
  const w = watch(primals, primals.map((_, i) => i));
  const result = enableGrad(() => fn(...(w.args as Tensor[])));
  const outputs = Array.isArray(result) ? result : [result];
  if (outputs.length !== cotangents.length) {
    throw new TypeError(`[vjp] fn returned ${outputs.length} output(s) but ${cotangents.length} cotangent(s) were given`);
  }
  // One backward through sum(out_i * ct_i) gives every output's pullback at once.
  let total: Tensor | null = null;
  outputs.forEach((o, i) => {
    const ct = cotangents[i]!;
    if (ct.shape.join() !== o.shape.join()) {
      throw new TypeError(`[vjp] cotangent ${i} has shape [${ct.shape.join(',')}], output has [${o.shape.join(',')}]`);
    }
    if (!o.requiresGrad) return;
    const term = enableGrad(() => sum(multiply(o, ct)));
    total = total ? enableGrad(() => term.add(total!)) : term;
  });
  const grads = total ? runBackward(total, undefined, { createGraph: w.nested, retainGraph: w.nested }, w.leaves) : w.leaves.map(() => null);
  return [outputs.map((o) => (w.nested ? o : o.detach())), grads.map((g, i) => g ?? zerosLike(w.leaves[i]!))];
}
