// Recording: each differentiable op's output links to a Node naming the op,
// its inputs and attributes. The graph is the tape; nothing global to reset.
import type { NativeArray } from '../tensor/native.js';
import { Tensor } from '../tensor/tensor.js';
import { isFloating } from '../tensor/dtype.js';
import type { gradRules } from './grads/index.js';

/** The name of an op that has a gradient rule (a key of the rule table). */
export type DiffOp = keyof typeof gradRules;

/** An op's non-tensor arguments (axes, strides, ...), as its rule reads them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Attrs = Record<string, any>;

/** An input of a recorded op: a tensor, or a number used as a weak scalar. */
export type Input = Tensor | number;

/** One recorded op: how its output was made. */
export interface Node {
  op: DiffOp;
  inputs: Input[];
  attrs: Attrs;
  /** Set once backward() has released the graph (without retainGraph). */
  freed?: boolean;
}

/**
 * A Node made by `new`, not an object literal: V8 pretenures a literal's
 * allocation site once its objects outlive young-generation GCs, as a tape's
 * nodes do until their scope ends; allocated old, they make every scavenge
 * walk their pointers to young tensors (W3's recording row, bench/NOTES.md).
 */
class RecordedOp implements Node {
  freed = false;
  constructor(public op: DiffOp, public inputs: Input[], public attrs: Attrs) {}
}

let gradEnabled = true;

/**
 * Whether ops are being recorded for autograd right now.
 *
 * @example
 * ```ts
 * mt.noGrad(() => mt.isGradEnabled()); // false
 * ```
 * @group Autograd
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGrad<T>(enabled: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Runs `fn` without recording ops: nothing inside is differentiated.
 *
 * @param fn - The work to run unrecorded.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * const w = mt.tensor([1, 2]).requireGrad();
 * mt.noGrad(() => mt.multiply(w, 2)).requiresGrad; // false
 * ```
 * @group Autograd
 */
export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn);
}

/**
 * Runs `fn` with recording on, even inside {@link noGrad}.
 *
 * @param fn - The work to record.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * mt.noGrad(() => mt.enableGrad(() => mt.isGradEnabled())); // true
 * ```
 * @group Autograd
 */
export function enableGrad<T>(fn: () => T): T {
  return withGrad(true, fn);
}

// apply() runs once per op: a loop and a shared empty attrs allocate nothing.
/** The attrs of an op that has none (shared: apply allocates nothing for them). */
export const NO_ATTRS: Attrs = Object.freeze({});
function anyRequiresGrad(inputs: Input[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (x instanceof Tensor && x.requiresGrad) return true;
  }
  return false;
}

/**
 * Wraps a native op's result in a Tensor and, when grad mode is on and an
 * input requires grad, records the op. Integer and boolean outputs carry no
 * gradient, so they are never recorded. `like`: a tensor whose shape and
 * dtype the result is known to have (element-wise ops).
 */
export function apply(op: DiffOp, inputs: Input[], out: NativeArray, attrs: Attrs = NO_ATTRS, like?: Tensor): Tensor {
  const t = new Tensor(out);
  if (like) t.shapedLike(like);
  if (gradEnabled && anyRequiresGrad(inputs) && isFloating(t.dtype)) {
    t.node = new RecordedOp(op, inputs, attrs);
    t.requiresGrad = true;
  }
  return t;
}
