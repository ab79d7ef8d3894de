// Pytrees: tensors nested in arrays and plain objects, flattened and rebuilt.
import { Tensor } from '../tensor/tensor.js';

/** Tensors nested in arrays and plain objects, like MLX's and JAX's trees. */
export type Tree = Tensor | Tree[] | { [key: string]: Tree } | number | string | boolean | null | undefined;

/** The tensors of a tree, depth first, in key order. */
export function treeFlatten(tree: unknown): Tensor[] {
  const out: Tensor[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(tree);
  return out;
}

/** A tree of the same structure whose tensors are replaced, in treeFlatten order. */
export function treeUnflatten<T>(tree: T, leaves: readonly unknown[]): T {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Tensor) return leaves[i++];
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(tree) as T;
}
