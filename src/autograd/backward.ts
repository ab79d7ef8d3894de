// Reverse mode: topological sort from the root, seed, run the rules backwards.
import { sameDims, Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/memory.js';
import { add, onesLike } from '../tensor/ops/index.js';
import { gradRules, type GradRule } from './grads/index.js';
import { sumToShape } from './sum-to-shape.js';
import { enableGrad, noGrad, type Input } from './tape.js';

// The rule of each op, looked up once per node: a Map (gradRules is frozen)
// rather than a keyed load with a different name each time, which V8 serves
// through its megamorphic path (W3's recording row: 0.90-1.00x the time).
const RULES = new Map<string, GradRule>(Object.entries(gradRules));

/** Options of {@link Tensor.backward} and the functional API. */
export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (default false). */
  createGraph?: boolean;
}

/**
 * The tensors that need gradients, from the leaves up to `root`, each after
 * its inputs (backward walks it from the end). Each is marked with `pass` and
 * its place: the backward loop finds an input's gradient slot from the mark,
 * with no Map or Set per pass (their hashing and resizing cost W3's recording
 * row ~4%). `unmark` clears the marks, and puts back those of a pass that was
 * running already: a hook may run a backward pass of its own inside another.
 */
function topoSort(root: Tensor, pass: object): { order: Tensor[]; unmark: () => void } {
  const order: Tensor[] = [];
  const outer: [Tensor, object, number][] = [];
  const mark = (t: Tensor): void => {
    if (t.backwardPass !== null) outer.push([t, t.backwardPass, t.backwardIndex]);
    t.backwardPass = pass;
  };
  const unmark = (): void => {
    for (const t of order) t.backwardPass = null;
    for (const [t, pass, index] of outer) {
      t.backwardPass = pass;
      t.backwardIndex = index;
    }
  };
  // An explicit stack (chains of thousands of ops would overflow recursion),
  // with each entry's next input in a parallel array: no allocation per node.
  mark(root);
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  while (stack.length) {
    const top = stack.length - 1;
    const inputs = stack[top]!.node?.inputs;
    const i = next[top]!;
    if (!inputs || i === inputs.length) {
      const t = stack.pop()!;
      t.backwardIndex = order.length;
      order.push(t);
      next.pop();
      continue;
    }
    next[top] = i + 1;
    const x = inputs[i];
    if (x instanceof Tensor && x.requiresGrad && x.backwardPass !== pass) {
      mark(x);
      stack.push(x);
      next.push(0);
    }
  }
  return { order, unmark };
}

/**
 * Runs reverse mode from `root`. With `targets`, returns their gradients and
 * leaves `.grad` alone (the functional API); without, accumulates into the
 * `.grad` of leaves and of tensors that called `retainGrad()`.
 */
export function runBackward(root: Tensor, seed: Tensor | undefined, opts: BackwardOptions = {}, targets?: Tensor[]): (Tensor | null)[] {
  if (!root.requiresGrad) throw new Error('[backward] the tensor does not require grad: no input of the ops that made it requires grad, or only non-differentiable ops (argmax, comparisons, integer casts, stopGradient) connect it to one');
  if (!seed && root.size !== 1) {
    throw new TypeError(`[backward] a tensor of shape [${root.shape.join(',')}] needs an explicit gradient; only size-1 tensors seed with 1`);
  }
  if (seed && !sameDims(seed.shape, root.shape)) {
    throw new TypeError(`[backward] gradient has shape [${seed.shape.join(',')}], expected [${root.shape.join(',')}]`);
  }
  const { retainGraph = false, createGraph = false } = opts;
  const wanted = new Map<Tensor, Tensor | null>((targets ?? []).map((t) => [t, null]));
  const rootGrad = seed ?? onesLike(root);
  const pass = {};
  const { order, unmark } = topoSort(root, pass);
  // The gradient flowing into order[i], once its consumers have sent theirs.
  const pending: (Tensor | undefined)[] = new Array(order.length);
  pending[order.length - 1] = rootGrad;
  const run = createGraph ? enableGrad : noGrad;
  // The gradients the loop below hands out (a rule may skip a tensor whose gradient is not).
  const observed = (t: Tensor): boolean => wanted.has(t) || !!t.hooks?.length || (!targets && (t.node === null || t.retainsGrad));
  // Every intermediate cotangent is freed at the end; what backward hands out
  // (.grad, returned gradients) survives. MLX is lazy, so freeing a handle
  // before evaluation only lets MLX release the buffer sooner.
  try {
    return tidy(() => run(() => {
      for (let k = order.length - 1; k >= 0; k--) {
        const t = order[k]!;
        let g = pending[k];
        if (!g) continue;
        pending[k] = undefined;
        if (t.hooks) for (const hook of t.hooks) g = hook(g) ?? g;
        if (wanted.has(t)) wanted.set(t, g);
        else if (!targets && (t.node === null || t.retainsGrad)) accumulate(t, g);
        const node = t.node;
        if (node === null) continue;
        if (node.freed) {
          throw new Error(`[backward] the graph through '${node.op}' was freed by an earlier backward(); pass { retainGraph: true } to keep it`);
        }
        const inputs = node.inputs;
        for (let i = 0; i < inputs.length; i++) {
          const x = inputs[i];
          if (x instanceof Tensor && x.isDisposed) throw new Error(`[backward] input ${i} of '${node.op}' was disposed before backward`);
        }
        const dxs = (RULES.get(node.op) as GradRule)(g, { inputs: inputs as Tensor[], out: t, attrs: node.attrs, observed });
        for (let i = 0; i < inputs.length; i++) {
          const x = inputs[i], dx = dxs[i];
          if (!(x instanceof Tensor) || !x.requiresGrad || !dx) continue;
          // Whether broadcasting needs undoing: from the shapes element-wise
          // ops pass on, else one native call (not two JS arrays per gradient).
          let shaped = dx;
          if (!dx.hasShapeOf(x)) {
            shaped = sumToShape(dx, x.shape);
            if (!sameDims(shaped.shape, x.shape)) {
              throw new Error(`[backward] gradient of '${node.op}' input ${i} has shape [${shaped.shape.join(',')}], expected [${x.shape.join(',')}]`);
            }
          }
          // topoSort marked every input that requires grad with this pass.
          const j = x.backwardIndex;
          const prev = pending[j];
          pending[j] = prev ? add(prev, shaped) : shaped; // fan-out: contributions add up
        }
        if (!retainGraph) {
          node.freed = true;
          node.inputs = FREED;
        }
      }
      return [...wanted.values()];
    }));
  } finally {
    unmark();
  }
}

/** A freed node's inputs: one shared empty list, not a new one per node (nothing adds to it). */
const FREED: Input[] = [];

function accumulate(t: Tensor, g: Tensor): void {
  if (t.grad === null) {
    t.grad = keep(g === t ? g : add(g, 0)); // a tensor of its own, owned by t
  } else {
    const old = t.grad;
    t.grad = keep(add(old, g));
    old.dispose();
  }
}
