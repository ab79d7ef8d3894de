// Pytrees: tensors nested in arrays and plain objects, flattened and rebuilt.
import { Tensor } from '../tensor/tensor.js';

/** Tensors nested in arrays and plain objects, like MLX's and JAX's trees. */
export type Tree = Tensor | Tree[] | { [key: string]: Tree } | number | string | boolean | null | undefined;

/** The tensors of a tree, depth first, in key order. */
export function treeFlatten(tree: unknown): Tensor[] {
  const out: Tensor[] = [];
  flattenInto(tree, out);
  return out;
}

function flattenInto(v: unknown, out: Tensor[]): void {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flattenInto(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) flattenInto(x, out);
}

/** A tree of the same structure whose tensors are replaced, in treeFlatten order. */
export function treeUnflatten<T>(tree: T, leaves: readonly unknown[]): T {
  const at = { i: 0 };
  return rebuild(tree, leaves, at) as T;
}

function rebuild(v: unknown, leaves: readonly unknown[], at: { i: number }): unknown {
  if (v instanceof Tensor) return leaves[at.i++];
  if (Array.isArray(v)) return v.map((x) => rebuild(x, leaves, at));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rebuild(x, leaves, at)]));
  return v;
}
