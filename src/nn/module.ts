// Module: parameters are discovered from a layer's own fields, as in MLX's
// nn.Module (a dict of arrays and modules) and PyTorch's nn.Module.
import { Tensor } from '../tensor/tensor.js';
import { isFloating, type DType } from '../tensor/dtype.js';
import { zeros } from '../tensor/ops/index.js';
import { noGrad } from '../autograd/tape.js';
import { tidy } from '../tensor/memory.js';
import type { Tree } from '../autograd/tree.js';
import { isPlain, unflattenNamed } from './tree.js';
import { loadWeightsFile, saveWeightsFile } from './checkpoint.js';

/** A tree of parameters (or gradients): nested plain objects and arrays whose leaves are tensors. */
export type ParamTree = { [key: string]: Tree };

/** Whether a field value is, or holds, a tensor or a module (directly or nested). */
function holds(v: unknown): boolean {
  if (v instanceof Tensor || v instanceof Module) return true;
  if (Array.isArray(v)) return v.some(holds);
  if (v instanceof Map) return [...v.values()].some(holds);
  return isPlain(v) && Object.values(v).some(holds);
}

type Visit = (x: Tensor | Module, name: string, field: string) => void;

/** Visits the tensors and modules inside a field's value (arrays, Maps, plain objects), with dotted names. */
function walkField(x: unknown, name: string, field: string, visit: Visit): void {
  if (x instanceof Tensor || x instanceof Module) visit(x, name, field);
  else if (Array.isArray(x)) x.forEach((y, i) => walkField(y, `${name}.${i}`, field, visit));
  else if (x instanceof Map) for (const [key, y] of x) walkField(y, `${name}.${String(key)}`, field, visit);
  else if (isPlain(x)) for (const [key, y] of Object.entries(x)) walkField(y, `${name}.${key}`, field, visit);
}

/**
 * A parameter as the traversal sees it: its dotted name, and the module whose
 * own field holds it (directly, or inside an array, Map or plain object).
 * @internal
 */
export interface Slot {
  readonly name: string;
  readonly tensor: Tensor;
  readonly owner: Module;
  readonly field: string;
  /** Neither frozen nor a buffer: among {@link Module.trainableParameters}. */
  readonly trainable: boolean;
}

/**
 * The base class of layers and models. Parameters are the tensors in a
 * module's own fields (names starting with `_` are private and skipped);
 * submodules are fields holding modules, or arrays, Maps and plain objects of
 * them. Parameters require grad, so both MLX-style training
 * ({@link valueAndGrad} + `optimizer.update`) and PyTorch-style training
 * (`loss.backward()` + `optimizer.step()`) work. Tensors are immutable:
 * `update` and optimizers replace a parameter with a new tensor (and
 * optimizers free the old one).
 *
 * @example
 * ```ts
 * class Mlp extends nn.Module {
 *   l1 = new nn.Linear(2, 8);
 *   l2 = new nn.Linear(8, 1);
 *   forward(x: mt.Tensor) { return this.l2.forward(mt.relu(this.l1.forward(x))); }
 * }
 * const m = new Mlp();
 * m.namedParameters().map(([name]) => name); // ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias']
 * ```
 * @group Module
 */
export abstract class Module {
  /** Whether the module is in training mode (Dropout and BatchNorm act differently); see {@link Module.train}. */
  training = true;
  #frozen = new Set<string>();
  #buffers = new Set<string>();

  /** The computation. Subclasses narrow the arguments and the result. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): any;

  /** Marks fields as buffers (e.g. running statistics): saved and loaded, never trained, untouched by unfreeze. */
  protected registerBuffers(...names: string[]): void {
    for (const n of names) this.#buffers.add(n);
    this.#syncRequiresGrad();
  }

  #trainable(field: string): boolean {
    return !this.#frozen.has(field) && !this.#buffers.has(field);
  }

  /** Visits the tensors and modules held by own fields (not below submodules), with dotted names. */
  #walk(prefix: string, visit: Visit): void {
    const self = this as Record<string, unknown>;
    for (const k of Object.keys(self)) {
      if (k.startsWith('_')) continue;
      const v = self[k];
      // A parameter or submodule field (the common case) needs no search.
      if (v instanceof Tensor || v instanceof Module) visit(v, prefix + k, k);
      else if (holds(v)) walkField(v, prefix + k, k, visit);
    }
  }

  /** Every parameter below this module, depth first in field order, with its dotted name. */
  #slots(prefix = '', out: Slot[] = [], modes?: boolean[]): Slot[] {
    modes?.push(this.training);
    this.#walk(prefix, (x, name, field) => {
      if (x instanceof Module) x.#slots(`${name}.`, out, modes);
      else out.push({ name, tensor: x, owner: this, field, trainable: this.#trainable(field) });
    });
    return out;
  }

  /** Sets requiresGrad on own leaf parameters from the frozen and buffer marks. */
  #syncRequiresGrad(): void {
    this.#walk('', (x, _name, field) => {
      if (x instanceof Tensor) this.#adopt(field, x);
    });
  }

  /** `t`, placed in `field`: a leaf requires grad unless the field is frozen or a buffer, or `t` is not floating. */
  #adopt(field: string, t: Tensor): Tensor {
    if (t.node === null) t.requiresGrad = this.#trainable(field) && isFloating(t.dtype);
    return t;
  }

  /** A tree of this module's parameters (all, or only trainable), submodules as nested objects. */
  #tree(all: boolean): ParamTree {
    const self = this as Record<string, unknown>;
    const out: ParamTree = {};
    for (const k of Object.keys(self)) {
      const v = self[k];
      if (k.startsWith('_') || !holds(v)) continue;
      const t = this.#build(v, k, all);
      if (t !== undefined) out[k] = t;
    }
    return out;
  }

  /** The tree of one field's value (undefined for a tensor left out). */
  #build(x: unknown, field: string, all: boolean): Tree | undefined {
    if (x instanceof Tensor) return all || this.#trainable(field) ? x : undefined;
    if (x instanceof Module) return x.#tree(all);
    // Arrays keep their positions (a ReLU in a Sequential is `{}`), as MLX's trees do.
    if (Array.isArray(x)) return x.map((y) => this.#build(y, field, all) ?? {});
    const entries = x instanceof Map ? [...x].map(([k, y]) => [String(k), y] as const) : Object.entries(x as object);
    return Object.fromEntries(entries.flatMap(([k, y]) => (holds(y) ? [[k, this.#build(y, field, all) ?? {}]] : [])));
  }

  /**
   * All parameters (frozen ones and buffers included) as a tree shaped like the module.
   * @returns Nested objects and arrays of tensors.
   */
  parameters(): ParamTree {
    return this.#tree(true);
  }

  /**
   * The parameters that are trained: not frozen, not buffers. {@link valueAndGrad}'s gradients have this shape.
   * @returns Nested objects and arrays of tensors.
   */
  trainableParameters(): ParamTree {
    return this.#tree(false);
  }

  /**
   * All parameters flattened, with dotted names (`layers.0.weight`), in a stable order.
   * @returns `[name, tensor]` pairs.
   */
  namedParameters(): [string, Tensor][] {
    return this.#slots().map((s) => [s.name, s.tensor]);
  }

  /**
   * Every parameter with the module and field holding it, in
   * {@link Module.namedParameters} order: mt.compile reads a model's state
   * through these on each call, and writes it back with {@link Module.setSlots}.
   * @param modes - Gets the `training` flag of this module and each submodule, in {@link Module.modules} order.
   * @internal
   */
  parameterSlots(modes?: boolean[]): Slot[] {
    return this.#slots('', [], modes);
  }

  /**
   * Puts each tensor in its slot's place (a slot from {@link Module.parameterSlots}, its
   * `tensor` what the place holds now): straight into the field when the field holds that
   * tensor itself, through {@link Module.update} for the rest (tensors inside arrays, Maps or
   * objects). requiresGrad follows the frozen and buffer marks, as in `update`.
   * @internal
   */
  setSlots(pairs: [Slot, Tensor][]): void {
    const rest: [string, Tensor][] = [];
    for (const [slot, t] of pairs) {
      const owner = slot.owner as unknown as Record<string, unknown>;
      if (owner[slot.field] !== slot.tensor) {
        rest.push([slot.name, t]);
        continue;
      }
      owner[slot.field] = slot.owner.#adopt(slot.field, t);
    }
    if (rest.length) this.update(unflattenNamed(rest));
  }

  /**
   * The trainable parameters flattened, with dotted names.
   * @returns `[name, tensor]` pairs.
   */
  namedTrainableParameters(): [string, Tensor][] {
    return this.#slots().filter((s) => s.trainable).map((s) => [s.name, s.tensor]);
  }

  /** The direct submodules (also those inside arrays, Maps and plain objects), with dotted names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    this.#walk('', (x, name) => x instanceof Module && out.push([name, x]));
    return out;
  }

  /** The direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every module below it, depth first, with dotted names ('' for this one).
   * @param prefix - Prepended to every name.
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** This module and every module below it, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Replaces parameters with the tensors of `tree` (shaped like {@link Module.parameters},
   * possibly partial; arrays may also be given as objects keyed by index).
   * A new leaf tensor gets `requiresGrad` unless its field is frozen or a buffer.
   * @param tree - The new parameters.
   * @returns This module.
   */
  update(tree: Tree): this {
    if (!isPlain(tree)) throw new TypeError(`[update] expected an object of parameters for ${this.constructor.name}`);
    for (const [k, v] of Object.entries(tree)) {
      const self = this as Record<string, unknown>;
      if (k.startsWith('_') || !holds(self[k])) {
        throw new RangeError(`[update] ${this.constructor.name} has no parameter or submodule '${k}'`);
      }
      self[k] = this.#merge(self[k], v, k);
    }
    return this;
  }

  #merge(cur: unknown, v: unknown, field: string): unknown {
    if (v instanceof Tensor && cur instanceof Tensor) return this.#adopt(field, v);
    if (isPlain(v) && Object.keys(v).length === 0) return cur; // `{}`: nothing to change (a frozen or parameterless entry)
    if (cur instanceof Tensor) {
      if (!(v instanceof Tensor)) throw new TypeError(`[update] '${field}' of ${this.constructor.name} must be a Tensor`);
      return this.#adopt(field, v);
    }
    if (cur instanceof Module) return cur.update(v as Tree);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : isPlain(v) ? Object.entries(v) : null;
    if (entries === null) throw new TypeError(`[update] '${field}' of ${this.constructor.name} must be an array or object`);
    for (const [k, x] of entries) {
      const key = Array.isArray(cur) ? Number(k) : k;
      const old = cur instanceof Map ? cur.get(key) : (cur as Record<string | number, unknown>)[key];
      if (!holds(old)) {
        if (isPlain(x) && Object.keys(x).length === 0) continue;
        throw new RangeError(`[update] '${field}.${k}' of ${this.constructor.name} holds no parameter`);
      }
      const next = this.#merge(old, x, field);
      if (cur instanceof Map) cur.set(key, next);
      else (cur as Record<string | number, unknown>)[key] = next;
    }
    return cur;
  }

  /**
   * Maps parameters through `fn` (MLX's `apply`), e.g. to change dtype or re-initialize:
   * `model.apply(nn.init.heNormal(), (name, p) => p.ndim >= 2)`.
   * @param fn - Gets each parameter; returns its replacement.
   * @param filter - Which parameters to map (default all), given the dotted name and the parameter.
   * @returns This module.
   */
  apply(fn: (p: Tensor) => Tensor, filter: (name: string, p: Tensor) => boolean = () => true): this {
    return this.update(unflattenNamed(this.namedParameters().filter(([n, p]) => filter(n, p)).map(([n, p]) => [n, fn(p)])));
  }

  /**
   * Calls `fn` on this module and every module below it (PyTorch's `apply`, MLX's `apply_to_modules`).
   * @param fn - Gets each module's dotted name and the module.
   * @returns This module.
   */
  applyToModules(fn: (name: string, m: Module) => void): this {
    for (const [n, m] of this.namedModules()) fn(n, m);
    return this;
  }

  /**
   * Freezes parameters: they keep their values under training and get no gradient.
   * @param options - `keys`: only these field names (default all); `recurse`: also submodules (default true).
   * @returns This module.
   */
  freeze(options: { keys?: string[]; recurse?: boolean } = {}): this {
    return this.#setFrozen(true, options);
  }

  /**
   * Undoes {@link Module.freeze}; buffers stay untrained.
   * @param options - `keys`: only these field names (default all); `recurse`: also submodules (default true).
   * @returns This module.
   */
  unfreeze(options: { keys?: string[]; recurse?: boolean } = {}): this {
    return this.#setFrozen(false, options);
  }

  #setFrozen(frozen: boolean, { keys, recurse = true }: { keys?: string[]; recurse?: boolean }): this {
    for (const m of recurse ? this.modules() : [this]) {
      for (const [k, v] of Object.entries(m)) {
        if (k.startsWith('_') || !holds(v) || (keys && !keys.includes(k))) continue;
        if (frozen) m.#frozen.add(k);
        else m.#frozen.delete(k);
      }
      m.#syncRequiresGrad();
    }
    return this;
  }

  /**
   * Sets training mode (or evaluation mode with `false`) here and below.
   * @param mode - true for training (default), false for evaluation.
   * @returns This module.
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode: Dropout is the identity and BatchNorm uses its running statistics.
   * @returns This module.
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * A table of every module with its output shape (for an input of `inputShape`) and
   * its own parameter count, then the totals. Runs one forward pass on zeros, in
   * evaluation mode and without recording; the module's state is unchanged.
   * @param inputShape - The shape of one input (omit to skip the output shapes).
   * @param dtype - The input's dtype (default float32; int32 for embeddings).
   * @returns The table as text.
   */
  summary(inputShape?: number[], dtype: DType = 'float32'): string {
    const shapes = new Map<Module, string>();
    if (inputShape) {
      const restore = this.modules().map((m) => {
        const orig = m.forward;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        m.forward = (...args: any[]) => {
          const out = orig.apply(m, args);
          const first = Array.isArray(out) ? out[0] : out;
          if (first instanceof Tensor) shapes.set(m, `[${first.shape.join(', ')}]`);
          return out;
        };
        return () => void delete (m as { forward?: unknown }).forward;
      });
      // In evaluation mode, so that e.g. BatchNorm's running statistics are left alone.
      const modes = this.modules().map((m) => [m, m.training] as const);
      this.eval();
      try {
        tidy(() => noGrad(() => void this.forward(zeros(inputShape, dtype))));
      } finally {
        restore.forEach((r) => r());
        for (const [m, mode] of modes) m.training = mode;
      }
    }
    const own = (m: Module): Slot[] => m.#slots().filter((s) => s.owner === m && !m.#buffers.has(s.field));
    const rows: string[][] = [];
    const visit = (m: Module, name: string, depth: number): void => {
      const label = `${'  '.repeat(depth)}${name ? `${name} ` : ''}(${m.constructor.name})`;
      rows.push([label, shapes.get(m) ?? '-', String(own(m).reduce((a, s) => a + s.tensor.size, 0))]);
      for (const [n, c] of m.namedChildren()) visit(c, n, depth + 1);
    };
    visit(this, '', 0);
    const all = this.modules().flatMap(own);
    const total = all.reduce((a, s) => a + s.tensor.size, 0);
    const trainable = all.filter((s) => s.trainable).reduce((a, s) => a + s.tensor.size, 0);
    const table = [['Layer (type)', 'Output shape', 'Params'], ...rows];
    const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
    const lines = table.map((r) => r.map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
    return [...lines, `Total params: ${total} (trainable: ${trainable})`].join('\n');
  }

  /**
   * Saves every parameter (buffers included) to a `.safetensors` file under its dotted name.
   * Atomic: written to a temporary file in the same folder, then renamed over `path`.
   * @param path - The file to write.
   */
  saveWeights(path: string): void {
    saveWeightsFile(path, this.namedParameters(), { format: 'mlx-tape-weights' }, 'saveWeights');
  }

  /**
   * Loads parameters saved by {@link Module.saveWeights} (or given as `[name, tensor]` pairs).
   * Shapes and dtypes must match; with `strict` (default) the names must match exactly too.
   * Every mismatch is named in one error, and nothing is changed on error.
   * @param source - A `.safetensors` path, or `[name, tensor]` pairs.
   * @param options - `strict`: require exactly the model's names (default true).
   * @returns This module.
   */
  loadWeights(source: string | [string, Tensor][], options: { strict?: boolean } = {}): this {
    const { strict = true } = options;
    let loaded = source as [string, Tensor][];
    if (typeof source === 'string') {
      const file = loadWeightsFile(source, 'loadWeights');
      if (file.metadata.format && file.metadata.format !== 'mlx-tape-weights') {
        throw new Error(`[loadWeights] '${source}' holds ${file.metadata.format} data, not model weights`);
      }
      loaded = file.pairs;
    }
    const current = new Map(this.namedParameters());
    const problems: string[] = [];
    const given = new Set<string>();
    for (const [name, t] of loaded) {
      given.add(name);
      const cur = current.get(name);
      if (!cur) {
        if (strict) problems.push(`unexpected key '${name}'`);
        continue;
      }
      if (cur.shape.join() !== t.shape.join()) problems.push(`'${name}' has shape [${t.shape.join(',')}], the model expects [${cur.shape.join(',')}]`);
      else if (cur.dtype !== t.dtype) problems.push(`'${name}' has dtype ${t.dtype}, the model expects ${cur.dtype}`);
    }
    if (strict) for (const name of current.keys()) if (!given.has(name)) problems.push(`missing key '${name}'`);
    if (problems.length) throw new Error(`[loadWeights] ${problems.length} mismatch(es): ${problems.join('; ')}`);
    return this.update(unflattenNamed(loaded.filter(([n]) => current.has(n))));
  }

  /** The class name with its settings (own number, string and boolean fields), and the submodules, indented. */
  toString(): string {
    const settings = Object.entries(this)
      .filter(([k, v]) => k !== 'training' && !k.startsWith('_') && ['number', 'string', 'boolean'].includes(typeof v))
      .map(([k, v]) => `${k}=${String(v)}`);
    const head = `${this.constructor.name}(${settings.join(', ')}`;
    const kids = this.namedChildren();
    if (kids.length === 0) return `${head})`;
    const inner = kids.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}${settings.length ? ',' : ''}\n${inner}\n)`;
  }
}
