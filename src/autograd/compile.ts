// mt.compile: MLX's compile over a TS function. MLX calls the function once
// per input signature with placeholder arrays (a trace), simplifies and fuses
// the graph it built, and replays that graph on later calls without running
// any JS: no op wrappers, no tape, no native call per op.
import type { Module, Slot } from '../nn/module.js';
import { isPlain, unflattenNamed } from '../nn/tree.js';
import { Optimizer, tracedSteps } from '../optim/optimizer.js';
import { type NativeArray, native } from '../tensor/native.js';
import { dispose, keep, tidy } from '../tensor/memory.js';
import { tensor } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { checkIndices } from '../tensor/ops/indexing.js';
import { type IndexCheck, withTrace } from '../tensor/trace.js';
import { isGradEnabled } from './tape.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * Trace once for every input shape (MLX's `shapeless`): no retrace when a
   * shape changes, for functions whose ops do not depend on shapes (no
   * reshape to a shape read from an input). Default false: one trace per
   * distinct set of input shapes and dtypes.
   */
  shapeless?: boolean;
  /**
   * Modules and optimizers whose tensors `fn` reads or replaces (MLX-Python's
   * `inputs` and `outputs` at once). Their tensors enter the compiled graph as
   * inputs, so every call sees their current values; those `fn` replaces (a
   * module's parameters, an optimizer's state) are outputs, written back after
   * each call. An optimizer's step count and learning rate schedule advance on
   * each call that steps it.
   */
  state?: (Module | Optimizer)[];
}

/**
 * Compiles `fn` with MLX's compile. The first call with a given signature
 * (tensor shapes and dtypes, the values of non-tensor arguments) traces `fn`;
 * MLX fuses the traced graph's element-wise ops into single kernels, and
 * later calls replay it without running `fn`'s JS at all, which removes the
 * host cost per op and per step.
 *
 * Arguments are tensors, numbers, strings, booleans, and arrays or plain
 * objects of them (and the modules and optimizers of `state`); the result
 * likewise, without modules. As in MLX-Python, `fn` must be a pure function
 * of its arguments and `state`:
 * - A tensor it uses that is neither (a captured model weight, say) is
 *   refused with a TypeError: the compiled graph would keep its first value.
 * - Non-tensor arguments are constants of a trace: a new value retraces, as
 *   does a state module's switch between `train()` and `eval()`.
 * - Side effects in JS (logging, counters) happen only while tracing.
 * - Random ops need an explicit key argument ({@link random.key}); nothing
 *   inside may evaluate (`item()`, `toArray()`); index arguments (labels) are
 *   range-checked on every call, indices computed inside are refused.
 *
 * A whole training step compiles with the model and the optimizer in
 * `state`; the optimizer's update inside evaluates nothing, so evaluate its
 * results after the call. Compiled calls are not recorded for autograd:
 * arguments that require a gradient are refused.
 *
 * On the CPU, MLX builds its fused kernels with the system's C++ compiler
 * and caches them on disk.
 *
 * @param fn - The function to compile.
 * @param options - `shapeless`, and `state`: the modules and optimizers `fn` reads or updates.
 * @returns A function with `fn`'s signature.
 * @example
 * ```ts
 * const gelu = mt.compile((x: mt.Tensor) => mt.multiply(x, mt.sigmoid(mt.multiply(x, 1.702))));
 * gelu(mt.tensor([0, 1])).toArray(); // [0, 0.8458...]: one fused kernel
 *
 * // A whole training step: loss, gradients and the optimizer's update.
 * const model = new nn.Linear(4, 1), opt = new optim.Adam({ learningRate: 0.1 });
 * const lossAndGrad = nn.valueAndGrad(model, (m: nn.Linear, x: mt.Tensor, y: mt.Tensor) => nn.losses.mseLoss(m.forward(x), y));
 * const step = mt.compile((x: mt.Tensor, y: mt.Tensor) => {
 *   const [loss, grads] = lossAndGrad(model, x, y);
 *   opt.update(model, grads);
 *   return loss;
 * }, { state: [model, opt] });
 * const loss = step(mt.ones([8, 4]), mt.zeros([8, 1]));
 * mt.evaluate(loss, ...model.namedParameters().map(([, p]) => p)); // opt.stepCount is 1
 * ```
 * @group Transforms
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compile<A extends any[], R>(fn: (...args: A) => R, options: CompileOptions = {}): (...args: A) => R {
  const { shapeless = false, state = [] } = options;
  const compiled = native.compile(shapeless);
  const holders = state.map(holderOf);
  const optimizers = state.filter((s): s is Optimizer => s instanceof Optimizer);
  const scalarTensors = optimizers.map(() => new ScalarCache());
  // One variant per signature: its id is MLX's cache key beside the compiled
  // function; its trace gives the result's structure, the state it replaces,
  // the optimizers it steps and the index checks it defers.
  const variants = new Map<string, Variant>();
  // The last call's signature, in parts: a call with the same parts (a
  // training loop's) finds its variant without building the whole key.
  let last: { args: string; reads: Entry[][]; modes: boolean[]; variant: Variant } | undefined;
  return (...args: A): R => {
    const leaves: Tensor[] = [];
    const argsKey = signature(args, leaves, shapeless, state);
    // The state's names are part of the signature (an optimizer's state grows on
    // its first step), and so are the modules' training modes (BatchNorm, Dropout).
    const modes: boolean[] = [];
    const reads = holders.map((h) => h.read(modes));
    if (isGradEnabled()) {
      for (const t of leaves) {
        if (!t.requiresGrad) continue;
        throw new TypeError(`[compile] an argument (shape [${t.shape.join(',')}]) requires a gradient, and compiled calls are not ` +
          'recorded: compile the function that computes the gradient (mt.compile(mt.valueAndGrad(f))), or call it inside mt.noGrad');
      }
    }
    let variant: Variant;
    if (last && last.args === argsKey && sameList(last.modes, modes) && sameList(last.reads, reads, sameNames)) {
      variant = last.variant;
    } else {
      const names = reads.map((entries) => entries.map((e) => e.name).join()).join('|');
      const key = `${argsKey}|${names}|${modes.map((training) => (training ? 'T' : 'E')).join('')}`;
      variant = variants.get(key) ?? { id: variants.size, checks: [], replaced: [], stepped: [] };
      variants.set(key, variant);
    }
    last = { args: argsKey, reads, modes, variant };
    // Index arguments are checked on every call, as the eager ops check them.
    const check = (checks: IndexCheck[]): void => {
      for (const c of checks) checkIndices(c.op, leaves[c.input]!, c.size, c.what, c.extent);
    };
    check(variant.checks);
    // The inputs: the arguments' tensors, the state's, then each optimizer's
    // numbers for the step this call takes, if it steps it (so that a replayed
    // trace uses this step's learning rate).
    const inputs: NativeArray[] = [];
    for (const t of leaves) inputs.push(t.data);
    for (const entries of reads) for (const e of entries) inputs.push(e.tensor.data);
    const scalarNames = optimizers.map((o, i) => {
      const { lr, t } = o.nextStep();
      const values = o.stepScalars(lr, t);
      const keys = Object.keys(values);
      for (const k of keys) inputs.push(scalarTensors[i]!.get(k, values[k]!).data);
      return keys;
    });
    const traced: Tensor[] = [];
    let didTrace = false;
    const trace = (handles: NativeArray[]): NativeArray[] => {
      didTrace = true;
      const v = variant;
      const checks: IndexCheck[] = [];
      const replaced: Replaced[] = [];
      let result: unknown, outs: Tensor[] = [];
      tidy(() => {
        const tracers = handles.map((h) => new Tensor(h));
        let at = leaves.length;
        const placeholders = reads.map((entries) => entries.map((e): [string, Tensor] => [e.name, tracers[at++]!]));
        holders.forEach((h, i) => h.write(placeholders[i]!));
        const modules = state.filter((s) => !(s instanceof Optimizer));
        optimizers.forEach((o, i) => tracedSteps.set(o, { scalars: Object.fromEntries(scalarNames[i]!.map((k) => [k, tracers[at++]!])), modules, stepped: false }));
        try {
          const scope = { inputs: new Map(tracers.slice(0, leaves.length).map((t, i) => [t, i])), checks, shapeless };
          result = withTrace(scope, () => fn(...(rebuild(args, tracers, { i: 0 }) as A)));
          signature(result, outs, true, [], 'result');
          // What fn replaced in the state: outputs beside the result's tensors,
          // each with its place in this call's read (-1: state fn added).
          holders.forEach((h, i) => {
            const before = new Map(placeholders[i]!.map(([name, t], k) => [name, { t, k }]));
            for (const e of h.read([])) {
              const was = before.get(e.name);
              if (was?.t === e.tensor) continue;
              replaced.push([i, e.name, was ? was.k : -1]);
              outs.push(e.tensor);
            }
          });
          v.stepped = optimizers.map((o) => tracedSteps.get(o)!.stepped);
          for (const t of outs) keep(t); // freed once MLX holds them, below
        } catch (e) {
          outs = [];
          throw e;
        } finally {
          optimizers.forEach((o) => tracedSteps.delete(o));
          holders.forEach((h, i) => h.restore(reads[i]!));
        }
      });
      v.result = result;
      v.checks = checks;
      v.replaced = replaced;
      traced.push(...outs);
      return outs.map((t) => t.data);
    };
    let outs: Tensor[];
    try {
      outs = native.compiledCall(compiled, trace, inputs, variant.id).map((h) => new Tensor(h));
    } finally {
      if (traced.length) dispose(traced); // MLX holds what it traced
    }
    if (didTrace) {
      try {
        check(variant.checks); // the checks this call's trace found, before anything evaluates
      } catch (e) {
        dispose(outs);
        throw e;
      }
    }
    // Write back what fn replaced, freeing what it replaces, and advance the stepped optimizers.
    const updates = outs.splice(outs.length - variant.replaced.length);
    holders.forEach((h, i) => {
      const mine: Update[] = [];
      variant.replaced.forEach(([holder, name, at], k) => {
        if (holder === i) mine.push({ name, was: reads[i]![at], tensor: keep(updates[k]!) });
      });
      if (mine.length) h.replace(mine);
    });
    optimizers.forEach((o, i) => variant.stepped[i] && o.advance());
    return rebuild(variant.result, outs, { i: 0 }) as R;
  };
}

/** A state tensor fn replaced: its holder, its name, its place in the call's read (-1: new). */
type Replaced = [holder: number, name: string, at: number];

/** A state tensor to write back: what the call read in its place (none: fn added it), and the new tensor. */
interface Update {
  readonly name: string;
  readonly was: Entry | undefined;
  readonly tensor: Tensor;
}

interface Variant {
  id: number;
  result?: unknown;
  checks: IndexCheck[];
  /** The state fn replaced, in the order of the outputs after the result's. */
  replaced: Replaced[];
  /** Whether fn steps each optimizer of `state`. */
  stepped: boolean[];
}

/** A named state tensor. */
interface Entry {
  readonly name: string;
  readonly tensor: Tensor;
}

/** A module or optimizer of `state`, as named tensors. */
interface Holder {
  /** The state's tensors; a module's training modes (its own and its submodules') go onto `modes`. */
  read(modes: boolean[]): Entry[];
  /** Sets these tensors, leaving what they replace alone (placeholders while tracing). */
  write(pairs: [string, Tensor][]): void;
  /** Back to exactly `entries` after a trace (an optimizer's state may have grown). */
  restore(entries: Entry[]): void;
  /** Sets these tensors and frees what they replace. */
  replace(updates: Update[]): void;
}

function holderOf(s: Module | Optimizer): Holder {
  if (s instanceof Optimizer) {
    // Names `param\0key`: parameter names hold dots, state keys are identifiers.
    type StateEntry = Entry & { param: string; key: string };
    const read = (): StateEntry[] => {
      const out: StateEntry[] = [];
      for (const param in s.state) {
        const st = s.state[param]!;
        for (const key in st) out.push({ name: `${param}\0${key}`, tensor: st[key]!, param, key });
      }
      return out;
    };
    const write = (pairs: [string, Tensor][]): void => {
      for (const [name, t] of pairs) {
        const [param, key] = name.split('\0') as [string, string];
        s.state[param] = { ...s.state[param], [key]: t };
      }
    };
    return {
      read,
      write,
      restore(entries) {
        s.state = {};
        write(entries.map((e) => [e.name, e.tensor]));
      },
      replace(updates) {
        for (const { name, was, tensor } of updates) {
          if (!was) {
            write([[name, tensor]]);
            continue;
          }
          const { param, key } = was as StateEntry;
          s.state[param]![key] = tensor;
          was.tensor.dispose();
        }
      },
    };
  }
  return {
    read: (modes) => s.parameterSlots(modes),
    write: (pairs) => void s.update(unflattenNamed(pairs)),
    restore: (entries) => void s.update(unflattenNamed(entries.map((e) => [e.name, e.tensor]))),
    replace(updates) {
      const pairs: [Slot, Tensor][] = [];
      const added: [string, Tensor][] = [];
      for (const { name, was, tensor } of updates) {
        if (was) pairs.push([was as Slot, tensor]);
        else added.push([name, tensor]);
      }
      s.setSlots(pairs);
      if (added.length) s.update(unflattenNamed(added));
      for (const [slot] of pairs) slot.tensor.dispose();
    },
  };
}

const sameNames = (a: Entry[], b: Entry[]): boolean => sameList(a, b, (e, f) => e.name === f.name);

/** Whether two lists hold the same items in order, as `same` compares them. */
function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean = (x, y) => x === y): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/** An optimizer's step scalars as kept float32 tensors, made anew only when a value changes (a constant learning rate: never). */
class ScalarCache {
  #held = new Map<string, { value: number; tensor: Tensor }>();
  get(name: string, value: number): Tensor {
    const held = this.#held.get(name);
    if (held?.value === value) return held.tensor;
    held?.tensor.dispose();
    const t = keep(tensor(value));
    this.#held.set(name, { value, tensor: t });
    return t;
  }
}

/**
 * The key of a call's signature: the structure of `value`, the values of
 * its non-tensor leaves, and its tensors' dtypes (and shapes unless
 * `shapeless`); its tensors go to `leaves`. A module or optimizer of
 * `state` is a leaf passed as it is (its tensors are inputs already).
 */
function signature(value: unknown, leaves: Tensor[], shapeless: boolean, state: (Module | Optimizer)[], what = 'argument'): string {
  if (value instanceof Tensor) {
    leaves.push(value);
    return shapeless ? `T${value.dtype}` : `T${value.dtype}[${value.shape.join(',')}]`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => signature(v, leaves, shapeless, state, what)).join(',')}]`;
  if (value === null || value === undefined || ['number', 'string', 'boolean'].includes(typeof value)) {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  }
  if (isPlain(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${signature(v, leaves, shapeless, state, what)}`).join(',')}}`;
  }
  const held = state.indexOf(value as Module);
  if (held >= 0) return `S${held}`;
  const name = (value as object).constructor?.name ?? typeof value;
  throw new TypeError(`[compile] a compiled function's ${what} may hold tensors, numbers, strings, booleans, arrays and plain objects` +
    `${what === 'argument' ? ', and the modules and optimizers of { state }' : ''}; got a ${name}`);
}

/** `value` with its tensors replaced by `tensors`, in signature order. */
function rebuild(value: unknown, tensors: Tensor[], at: { i: number }): unknown {
  if (value instanceof Tensor) return tensors[at.i++];
  if (Array.isArray(value)) return value.map((v) => rebuild(v, tensors, at));
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(v, tensors, at)]));
  return value;
}
