// Deterministic release of native arrays: tidy scopes, keep, dispose.
import { native, type NativeArray } from './native.js';
import type { Tensor } from './tensor.js';

// Each scope lists the tensors made in it; a tensor's owningScope says which
// list still owns it (keep() and a scope's end move it out; arrays, not Sets:
// a push is cheaper than a hash insert, and W3 makes 10,000 tensors a scope).
const scopes: Tensor[][] = [];

// Handles made inside tidy are tidy's to free: they get no GC finalizer (whose
// weak reference costs every scavenge time) and V8 does not hear of their bytes
// (external memory, which schedules GCs) until the tensor outlives every scope.
function enterScope(scope: Tensor[]): void {
  if (!scopes.length) native.inScope(true);
  scopes.push(scope);
}
function leaveScope(): void {
  scopes.pop();
  if (!scopes.length) native.inScope(false);
}
function outlivesScopes(t: Tensor): void {
  if (!t.isDisposed) native.outlive(t.data, t);
}

/** Records a new tensor in the innermost tidy scope (called by the Tensor constructor). */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (!scope) return;
  scope.push(t);
  t.owningScope = scope;
}

/**
 * Takes a tensor out of every tidy scope, so no enclosing `tidy` frees it.
 *
 * @param t - The tensor to keep alive; it is returned unchanged.
 * @returns `t`.
 * @example
 * ```ts
 * let w!: mt.Tensor;
 * mt.tidy(() => { w = mt.keep(mt.ones([3])); mt.ones([3]); });
 * w.toArray(); // [1, 1, 1]: kept; the other ones([3]) was freed
 * ```
 * @group Memory
 */
export function keep<T extends Tensor>(t: T): T {
  // Outside every scope there is nothing to do: each handle made in a scope
  // was freed, or made to outlive it, when the scope ended.
  if (!scopes.length) return t;
  t.owningScope = null;
  outlivesScopes(t);
  return t;
}

/** Every tensor in a returned value (arrays, plain objects, Maps), and the graphs behind them. */
function reachable(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) {
    if (out.has(value)) return;
    out.add(value);
    // A returned tensor may still be differentiated: keep what its graph needs.
    const inputs = value.node?.inputs;
    if (inputs) for (const input of inputs) reachable(input, out, isTensor);
    if (value.grad) out.add(value.grad);
  } else if (Array.isArray(value)) {
    for (const v of value) reachable(v, out, isTensor);
  } else if (value instanceof Map) {
    for (const v of value.values()) reachable(v, out, isTensor);
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) reachable(v, out, isTensor);
  }
}

let tensorCheck: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
/** Set once by tensor.ts, which owns the Tensor class (avoids an import cycle). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs `fn` and frees every tensor created inside it, except those in its
 * result (and the graphs they need for backward). Scopes nest; `fn` must be
 * synchronous.
 *
 * A scope holds every intermediate until it ends, so an evaluation inside it
 * cannot hand an intermediate's buffer on to the next op (MLX's donation):
 * return the result and evaluate it outside, where MLX frees intermediates as
 * it goes. `bench/micro/tidy-eval.ts`: a ReLU forward and backward on
 * [64,28,28,32] took 2.5–3.6 ms evaluated inside, 1.8–2.5 ms outside, on a
 * 2-core CPU.
 *
 * @param fn - The work whose intermediates should be freed.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * const y = mt.tidy(() => mt.exp(mt.add(x, 1))); // the add's result is freed, y is kept
 * y.eval(); // outside: MLX may reuse the add's buffer for the exp
 * ```
 * @group Memory
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  enterScope(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new TypeError('[tidy] fn returned a Promise; tidy only supports synchronous functions');
  } catch (e) {
    leaveScope();
    for (const t of scope) {
      if (t.owningScope !== scope) continue;
      t.owningScope = null;
      t.dispose();
    }
    throw e;
  }
  leaveScope();
  const kept = new Set<Tensor>();
  reachable(result, kept, tensorCheck);
  const parent = scopes[scopes.length - 1];
  const keys = new BigUint64Array(scope.length);
  let freed = 0;
  try {
    for (const t of scope) {
      if (t.owningScope !== scope) continue; // kept
      t.owningScope = null; // a disposed tensor the caller still holds must not hold the list
      if (!kept.has(t)) {
        // Handles made in scope are BigInt keys: freed below in one native
        // call (one call each cost W3's chain ~3%); others one by one.
        const handle = t.release() as unknown;
        if (typeof handle === 'bigint') keys[freed++] = handle;
        else if (handle !== undefined) native.dispose(handle as NativeArray);
      } else if (parent) {
        parent.push(t); // an enclosing scope owns it now
        t.owningScope = parent;
      } else {
        outlivesScopes(t);
      }
    }
  } finally {
    if (freed) native.disposeKeys(keys.subarray(0, freed)); // also when outlivesScopes threw
  }
  return result;
}

/**
 * Frees the native arrays of every tensor in a value (a tensor, or arrays and
 * objects of them). Safe to call twice.
 *
 * @param value - Tensors to free.
 * @example
 * ```ts
 * const a = mt.ones([1024]);
 * mt.dispose(a);
 * a.isDisposed; // true
 * ```
 * @group Memory
 */
export function dispose(value: unknown): void {
  const all = new Set<Tensor>();
  collect(value, all);
  for (const t of all) t.dispose();
}

function collect(value: unknown, out: Set<Tensor>): void {
  if (tensorCheck(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collect(v, out);
}
