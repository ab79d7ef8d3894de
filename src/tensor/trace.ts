// The traces of compiled functions in progress (autograd/compile.ts). Checks
// that read an array's values can't run on a trace's placeholder arrays:
// those on the compiled function's arguments are deferred to its calls.
import type { Tensor } from './tensor.js';

/** An index check deferred to every call: argument `input` must index `size` elements. */
export interface IndexCheck {
  input: number;
  op: string;
  size: number;
  what: string;
  extent: number;
}

/** One trace: its argument tensors (by position) and the checks it deferred. */
export interface Trace {
  inputs: Map<Tensor, number>;
  checks: IndexCheck[];
  shapeless: boolean;
}

const traces: Trace[] = [];

/** The innermost trace in progress, if any. */
export function currentTrace(): Trace | undefined {
  return traces[traces.length - 1];
}

/** Runs `fn` as trace `t` (traces nest: a compiled function may call another). */
export function withTrace<T>(t: Trace, fn: () => T): T {
  traces.push(t);
  try {
    return fn();
  } finally {
    traces.pop();
  }
}
