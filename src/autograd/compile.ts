// mt.compile: MLX's compile over a TS function. MLX calls the function once
// per input signature with placeholder arrays (a trace), simplifies and fuses
// the graph it built, and replays that graph on later calls without running
// any JS: no op wrappers, no tape, no native call per op.
import type { Module } from '../nn/module.js';
import { isPlain, unflattenNamed } from '../nn/tree.js';
import { type NativeArray, native } from '../tensor/native.js';
import { dispose, tidy } from '../tensor/memory.js';
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
   * Modules whose parameters `fn` reads. They enter the compiled graph as
   * inputs, so every call sees their current values (after an optimizer
   * step, say). `fn` may not reassign them.
   */
  state?: Module[];
}

/**
 * Compiles `fn` with MLX's compile. The first call with a given signature
 * (tensor shapes and dtypes, the values of non-tensor arguments) traces `fn`;
 * MLX fuses the traced graph's element-wise ops into single kernels, and
 * later calls replay it without running `fn`'s JS at all, which removes the
 * host cost per op and per step.
 *
 * Arguments are tensors, numbers, strings, booleans, and arrays or plain
 * objects of them; the result likewise. As in MLX-Python, `fn` must be a
 * pure function of its arguments and `state`:
 * - A tensor it uses that is neither (a captured model weight, say) is
 *   refused with a TypeError: the compiled graph would keep its first value.
 * - Non-tensor arguments are constants of a trace: a new value retraces.
 * - Side effects in JS (logging, counters) happen only while tracing.
 * - Random ops need an explicit key argument ({@link random.key}); nothing
 *   inside may evaluate (`item()`, `toArray()`, an optimizer step).
 *
 * Compiled calls are not recorded for autograd. To train, compile the
 * function that computes the gradients and run the optimizer outside, as
 * the example does; arguments that require a gradient are refused.
 *
 * On the CPU, MLX builds its fused kernels with the system's C++ compiler
 * and caches them on disk.
 *
 * @param fn - The function to compile.
 * @param options - `shapeless`, and `state`: the modules `fn` reads.
 * @returns A function with `fn`'s signature.
 * @example
 * ```ts
 * const gelu = mt.compile((x: mt.Tensor) => mt.multiply(x, mt.sigmoid(mt.multiply(x, 1.702))));
 * gelu(mt.tensor([0, 1])).toArray(); // [0, 0.8458...]: one fused kernel
 *
 * // A training step: the loss and gradients compiled, the update outside.
 * const model = new nn.Linear(4, 1), opt = new optim.SGD({ learningRate: 0.1 });
 * const loss = (m: nn.Linear, x: mt.Tensor, y: mt.Tensor) => nn.losses.mseLoss(m.forward(x), y);
 * const step = mt.compile(nn.valueAndGrad(model, loss), { state: [model] });
 * const [l, grads] = step(model, mt.ones([8, 4]), mt.zeros([8, 1]));
 * opt.update(model, grads, { evaluate: [l] });
 * ```
 * @group Transforms
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compile<A extends any[], R>(fn: (...args: A) => R, options: CompileOptions = {}): (...args: A) => R {
  const { shapeless = false, state = [] } = options;
  const compiled = native.compile(shapeless);
  // One variant per argument signature: its id is MLX's cache key beside the
  // compiled function, and its result's structure comes from its trace.
  const variants = new Map<string, { id: number; result?: unknown; checks: IndexCheck[] }>();
  return (...args: A): R => {
    const leaves: Tensor[] = [];
    const key = signature(args, leaves, shapeless, state);
    if (isGradEnabled()) {
      const watched = leaves.find((t) => t.requiresGrad);
      if (watched) {
        throw new TypeError(`[compile] an argument (shape [${watched.shape.join(',')}]) requires a gradient, and compiled calls are not ` +
          'recorded: compile the function that computes the gradient (mt.compile(mt.valueAndGrad(f))), or call it inside mt.noGrad');
      }
    }
    let variant = variants.get(key);
    if (!variant) variants.set(key, (variant = { id: variants.size, checks: [] }));
    // Index arguments are checked on every call, as the eager ops check them.
    const check = (checks: IndexCheck[]): void => checks.forEach((c) => checkIndices(c.op, leaves[c.input]!, c.size, c.what, c.extent));
    check(variant.checks);
    const named = state.map((m) => m.namedParameters());
    const inputs = [...leaves, ...named.flat().map(([, t]) => t)];
    const traced: Tensor[] = [];
    let didTrace = false;
    const trace = (handles: NativeArray[]): NativeArray[] => {
      didTrace = true;
      const checks: IndexCheck[] = [];
      const result = tidy(() => {
        const tracers = handles.map((h) => new Tensor(h));
        const trace = { inputs: new Map(tracers.slice(0, leaves.length).map((t, i) => [t, i])), checks, shapeless };
        const stateTracers = tracers.slice(leaves.length);
        let k = 0;
        const swapped = named.map((pairs) => pairs.map(([name]): [string, Tensor] => [name, stateTracers[k++]!]));
        state.forEach((m, i) => m.update(unflattenNamed(swapped[i]!)));
        try {
          const out = withTrace(trace, () => fn(...(rebuild(args, tracers, { i: 0 }) as A)));
          state.forEach((m, i) => refuseReassigned(m, swapped[i]!));
          return out;
        } finally {
          state.forEach((m, i) => m.update(unflattenNamed(named[i]!)));
        }
      });
      const outs: Tensor[] = [];
      try {
        signature(result, outs, true, [], 'result');
      } catch (e) {
        dispose(result);
        throw e;
      }
      variant.result = result;
      variant.checks = checks;
      traced.push(...outs);
      return outs.map((t) => t.data);
    };
    let handles: NativeArray[];
    try {
      handles = native.compiledCall(compiled, trace, inputs.map((t) => t.data), variant.id);
    } finally {
      dispose(traced); // MLX holds what it traced
    }
    const outs = handles.map((h) => new Tensor(h));
    if (didTrace) {
      try {
        check(variant.checks); // the checks this call's trace found, before anything evaluates
      } catch (e) {
        dispose(outs);
        throw e;
      }
    }
    return rebuild(variant.result, outs, { i: 0 }) as R;
  };
}

/**
 * The key of a call's signature: the structure of `value`, the values of
 * its non-tensor leaves, and its tensors' dtypes (and shapes unless
 * `shapeless`); its tensors go to `leaves`. A module of `state` is a leaf
 * passed as it is (its parameters are inputs already).
 */
function signature(value: unknown, leaves: Tensor[], shapeless: boolean, state: Module[], what = 'argument'): string {
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
  const module = state.indexOf(value as Module);
  if (module >= 0) return `M${module}`;
  const name = (value as object).constructor?.name ?? typeof value;
  throw new TypeError(`[compile] a compiled function's ${what} may hold tensors, numbers, strings, booleans, arrays and plain objects` +
    `${what === 'argument' ? ', and the modules of { state }' : ''}; got a ${name}`);
}

/** `value` with its tensors replaced by `tensors`, in signature order. */
function rebuild(value: unknown, tensors: Tensor[], at: { i: number }): unknown {
  if (value instanceof Tensor) return tensors[at.i++];
  if (Array.isArray(value)) return value.map((v) => rebuild(v, tensors, at));
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(v, tensors, at)]));
  return value;
}

function refuseReassigned(m: Module, swapped: [string, Tensor][]): void {
  const now = new Map(m.namedParameters());
  for (const [name, t] of swapped) {
    if (now.get(name) !== t) {
      throw new TypeError(`[compile] fn reassigned parameter '${name}' of a state module (${m.constructor.name}); a compiled function ` +
        "can't update modules: return the new values instead, run the optimizer outside, or call BatchNorm in eval mode");
    }
  }
}
