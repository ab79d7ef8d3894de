// Parameter trees with dotted names: `layers.0.weight` <-> { layers: [{ weight }] }.
import { Tensor } from '../tensor/tensor.js';
import type { Tree } from '../autograd/tree.js';

/** A plain object (not a Tensor, Module, Map or array). */
export function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * The tensors of a tree with dotted names, in the order of `treeFlatten`.
 *
 * @param tree - Nested plain objects and arrays of tensors.
 * @param prefix - Prepended to every name.
 * @returns `[name, tensor]` pairs.
 * @example
 * ```ts
 * nn.flattenNamed({ layers: [{ w: mt.ones([2]) }] }).map(([n]) => n); // ['layers.0.w']
 * ```
 * @group Module
 */
export function flattenNamed(tree: unknown, prefix = ''): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  const walk = (v: unknown, name: string): void => {
    if (v instanceof Tensor) out.push([name, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, name ? `${name}.${i}` : String(i)));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, name ? `${name}.${k}` : k);
  };
  walk(tree, prefix);
  return out;
}

/**
 * Nested plain objects from dotted names (array positions become keys `'0'`,
 * `'1'`, ..., which {@link Module.update} accepts for arrays).
 *
 * @param pairs - `[name, tensor]` pairs.
 * @returns The tree.
 * @example
 * ```ts
 * nn.unflattenNamed([['l1.weight', w]]); // { l1: { weight: w } }
 * ```
 * @group Module
 */
export function unflattenNamed(pairs: Iterable<[string, Tensor]>): { [key: string]: Tree } {
  const root: Record<string, unknown> = {};
  for (const [name, t] of pairs) {
    const parts = name.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      const next = (node[p] ??= {});
      if (next instanceof Tensor) throw new TypeError(`[unflattenNamed] '${name}' is below the tensor '${p}'`);
      node = next as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = t;
  }
  return root as { [key: string]: Tree };
}

/**
 * A tree of the same structure with every tensor mapped through `fn`.
 *
 * @param tree - Nested plain objects and arrays of tensors.
 * @param fn - Gets each tensor and its dotted name.
 * @returns The mapped tree.
 * @example
 * ```ts
 * nn.treeMap({ w: mt.ones([2]) }, (t) => mt.multiply(t, 2)); // { w: [2, 2] }
 * ```
 * @group Module
 */
export function treeMap<T>(tree: T, fn: (t: Tensor, name: string) => Tensor): T {
  const walk = (v: unknown, name: string): unknown => {
    if (v instanceof Tensor) return fn(v, name);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, name ? `${name}.${i}` : String(i)));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, name ? `${name}.${k}` : k)]));
    }
    return v;
  };
  return walk(tree, '') as T;
}
