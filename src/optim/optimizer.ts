// The optimizer base: per-parameter state and update rules (MLX's
// init_single / apply_single), applied to a whole model once per step.
import { Tensor } from '../tensor/tensor.js';
import { dispose, keep, tidy } from '../tensor/memory.js';
import { evaluate } from '../tensor/device.js';
import { astype } from '../tensor/ops/index.js';
import { isFloating } from '../tensor/dtype.js';
import { currentTrace } from '../tensor/trace.js';
import { noGrad, type Input } from '../autograd/tape.js';
import type { Tree } from '../autograd/tree.js';
import type { Module } from '../nn/module.js';
import { flattenNamed, unflattenNamed } from '../nn/tree.js';
import { loadWeightsFile, saveWeightsFile } from '../nn/checkpoint.js';

/** A learning rate as a function of the step count (0 for the first step). See {@link cosineDecay} and friends. */
export type Schedule = (step: number) => number;

/** One parameter's optimizer state: named tensors (e.g. Adam's `m` and `v`). */
export type ParamState = Record<string, Tensor>;

/**
 * The numbers of an update that change from step to step (the learning rate,
 * bias corrections), from {@link Optimizer.stepScalars}: JS numbers, or
 * scalar tensors inside {@link compile}, where a traced step is replayed with
 * each step's values.
 */
export type StepScalars = Record<string, Input>;

/**
 * mt.compile's hold on an optimizer of its `state` while it traces: the
 * step's scalars (placeholders), the modules of the same `state`, and whether
 * the step was taken.
 */
export const tracedSteps = new WeakMap<object, { scalars: StepScalars; modules: readonly object[]; stepped: boolean }>();

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** A constant, or a {@link Schedule} of the step count. */
  learningRate: number | Schedule;
  /** The model to step in PyTorch style (`zeroGrad`, `loss.backward()`, `step()`); not needed for `update`. */
  params?: Module;
}

/**
 * Options of {@link Optimizer.update} and {@link Optimizer.step}.
 * @example
 * ```ts
 * opt.update(model, grads, { evaluate: [loss] });
 * ```
 */
export interface UpdateOptions {
  /**
   * More tensors to compute in the step's one evaluation, typically the loss:
   * evaluating it afterwards would be a second evaluation, a second device
   * synchronisation on a GPU.
   */
  evaluate?: Tensor[];
}

/**
 * The base of every optimizer. A subclass gives `initState` (a parameter's
 * fresh state), `updateParam` (one parameter's update from its gradient) and,
 * when its rule needs more step-dependent numbers than the learning rate,
 * `stepScalars`; the base applies them to every parameter, evaluates the new
 * parameters and state together once per step, and frees the tensors they
 * replace.
 *
 * @example
 * ```ts
 * const opt = new optim.Adam({ learningRate: 1e-3 });
 * const [loss, grads] = nn.valueAndGrad(model, lossFn)(model, x, y);
 * opt.update(model, grads, { evaluate: [loss] }); // loss.item() reads it without another evaluation
 * ```
 * @group Optimizers
 */
export abstract class Optimizer<S extends ParamState = ParamState> {
  /** The model given as `params`, stepped by {@link Optimizer.step}. */
  readonly params: Module | undefined;
  /** How many steps have been taken. Update rules see 1 on the first step. */
  stepCount = 0;
  /** Per-parameter state, keyed by the parameter's dotted name. */
  state: Record<string, S> = {};
  #lr: number;
  #schedule: Schedule | undefined;

  constructor({ learningRate, params }: OptimizerOptions) {
    this.#schedule = typeof learningRate === 'function' ? learningRate : undefined;
    this.#lr = typeof learningRate === 'function' ? learningRate(0) : learningRate;
    this.params = params;
    // PyTorch style needs `.grad` on every trainable parameter.
    for (const [, p] of params?.namedTrainableParameters() ?? []) if (p.node === null && isFloating(p.dtype)) p.requiresGrad = true;
  }

  /** The learning rate of the last step (of the first step before any). Settable: a number or a {@link Schedule}. */
  get learningRate(): number {
    return this.#lr;
  }
  /** Sets a constant learning rate or a new {@link Schedule} (evaluated at the current step count). */
  set learningRate(lr: number | Schedule) {
    this.#schedule = typeof lr === 'function' ? lr : undefined;
    this.#lr = typeof lr === 'function' ? lr(this.stepCount) : lr;
  }

  /** A parameter's state before its first update. */
  abstract initState(p: Tensor): S;
  /**
   * One parameter's update: returns the new parameter and the new state. Runs without recording.
   * It reads the numbers that change between steps from `scalars` (never `learningRate` or
   * `stepCount`, which a compiled step would freeze at their values when it was traced).
   */
  abstract updateParam(g: Tensor, p: Tensor, state: S, scalars: StepScalars): [Tensor, S];
  /**
   * The numbers `updateParam` needs that change from step to step, for the step with learning
   * rate `lr` and count `t` (1 on the first step). The default: `{ lr }`.
   * @param lr - The step's learning rate.
   * @param t - The step's count.
   * @returns Named numbers.
   */
  stepScalars(lr: number, t: number): Record<string, number> {
    void t;
    return { lr };
  }

  /**
   * The learning rate and count of the next step (mt.compile's replay takes it with {@link Optimizer.advance}).
   * @internal
   */
  nextStep(): { lr: number; t: number } {
    return { lr: this.#schedule ? this.#schedule(this.stepCount) : this.#lr, t: this.stepCount + 1 }; // MLX: the schedule sees the step before
  }
  /**
   * Moves to the next step's learning rate and count.
   * @internal
   */
  advance(): void {
    const { lr, t } = this.nextStep();
    this.#lr = lr;
    this.stepCount = t;
  }

  /**
   * Applies one step to `model` with `grads`, a tree shaped like (part of) `model.parameters()`.
   * Inside {@link compile}, with this optimizer in its `state`, it evaluates nothing: evaluate the
   * parameters after the compiled call.
   * @param model - The model to update.
   * @param grads - The gradients, e.g. from `nn.valueAndGrad`.
   * @param options - More tensors to evaluate with the new parameters, e.g. the loss.
   */
  update(model: Module, grads: Tree, options: UpdateOptions = {}): void {
    this.#apply(model, flattenNamed(grads), options);
  }

  /**
   * PyTorch style: one step from the `.grad` of each trainable parameter of `params` (those without one are skipped).
   * @param options - More tensors to evaluate with the new parameters, e.g. the loss.
   */
  step(options: UpdateOptions = {}): void {
    const model = this.#model('step');
    this.#apply(model, model.namedTrainableParameters().flatMap(([n, p]) => (p.grad ? [[n, p.grad] as [string, Tensor]] : [])), options);
  }

  /** PyTorch style: frees and clears the `.grad` of every parameter of `params`. */
  zeroGrad(): void {
    for (const [, p] of this.#model('zeroGrad').namedParameters()) p.zeroGrad();
  }

  #model(op: string): Module {
    if (!this.params) throw new Error(`[${op}] this optimizer was made without { params: model }; use update(model, grads)`);
    return this.params;
  }

  #apply(model: Module, grads: [string, Tensor][], { evaluate: extra = [] }: UpdateOptions): void {
    const params = new Map(model.namedParameters());
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p) throw new RangeError(`[update] the model has no parameter '${name}'`);
      if (!g.hasShapeOf(p)) {
        throw new RangeError(`[update] gradient of '${name}' has shape [${g.shape.join(',')}], the parameter has [${p.shape.join(',')}]`);
      }
    }
    // Inside mt.compile's trace the step's numbers are placeholders, its count
    // advances per call, and nothing evaluates.
    const traced = tracedSteps.get(this);
    if (!traced && currentTrace()) throw new Error('[update] inside mt.compile, the optimizer must be in { state } (with the model)');
    if (traced && !traced.modules.includes(model)) throw new Error('[update] inside mt.compile, the model the optimizer updates must be in { state }');
    if (traced?.stepped) throw new Error('[update] inside mt.compile, an optimizer in { state } steps once per call');
    if (traced) traced.stepped = true;
    else this.advance();
    const scalars = traced?.scalars ?? this.stepScalars(this.#lr, this.stepCount);
    // tidy frees the update's intermediates (g * lr, ...) now rather than at GC:
    // a synchronous training loop never lets finalizers run.
    const results = tidy(() => noGrad(() => grads.map(([name, g]) => {
      const p = params.get(name)!;
      const old = (this.state[name] ??= keepAll(this.initState(p)));
      const [next, state] = this.updateParam(g, p, old, traced ? castScalars(scalars, p) : scalars);
      return { name, p, next, old, state };
    })));
    model.update(unflattenNamed(results.map((r) => [r.name, keep(r.next)])));
    // One evaluation per step: the new parameters and state, buffers such as
    // BatchNorm's running statistics, whose lazy graphs would otherwise grow,
    // and what the caller asked for (the loss).
    // The model's parameters now are `params` with the updated ones replaced.
    for (const r of results) params.set(r.name, r.next);
    if (!traced) evaluate(...params.values(), ...results.flatMap((r) => Object.values(r.state)), ...extra);
    for (const r of results) {
      this.state[r.name] = keepAll(r.state);
      if (r.p !== r.next) {
        r.p.zeroGrad();
        r.p.dispose();
      }
      const live = Object.values(r.state);
      for (const t of Object.values(r.old)) if (t !== r.next && !live.includes(t)) t.dispose();
    }
  }

  /**
   * Saves the step count, the learning rate and every parameter's state to a `.safetensors` file (atomically).
   * @param path - The file to write.
   */
  saveState(path: string): void {
    const pairs = Object.entries(this.state).flatMap(([n, s]) => Object.entries(s).map(([k, t]) => [`${n}.${k}`, t] as [string, Tensor]));
    const meta: Record<string, string> = { format: 'mlx-tape-optimizer', optimizer: this.constructor.name, step: String(this.stepCount) };
    if (!this.#schedule) meta.learningRate = String(this.#lr);
    saveWeightsFile(path, pairs, meta, 'saveState');
  }

  /**
   * Restores what {@link Optimizer.saveState} wrote, replacing the current state.
   * @param path - The file to read.
   */
  loadState(path: string): void {
    const { pairs, metadata } = loadWeightsFile(path, 'loadState');
    if (metadata.format !== 'mlx-tape-optimizer') throw new Error(`[loadState] '${path}' is not an optimizer state file (saved by saveState)`);
    if (metadata.optimizer !== this.constructor.name) throw new Error(`[loadState] '${path}' holds ${metadata.optimizer} state, not ${this.constructor.name}`);
    const state: Record<string, ParamState> = {};
    for (const [key, t] of pairs) {
      const dot = key.lastIndexOf('.');
      (state[key.slice(0, dot)] ??= {})[key.slice(dot + 1)] = keep(t);
    }
    dispose(this.state);
    this.state = state as Record<string, S>;
    this.stepCount = Number(metadata.step);
    if (metadata.learningRate !== undefined) this.learningRate = Number(metadata.learningRate);
    else if (this.#schedule) this.#lr = this.#schedule(Math.max(0, this.stepCount - 1));
  }
}

/** Placeholder scalars (float32) in a parameter's dtype, as weak JS numbers would be. */
function castScalars(scalars: StepScalars, p: Tensor): StepScalars {
  if (!isFloating(p.dtype)) return scalars;
  return Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k, v instanceof Tensor && v.dtype !== p.dtype ? astype(v, p.dtype) : v]));
}

function keepAll<S extends ParamState>(s: S): S {
  for (const t of Object.values(s)) keep(t);
  return s;
}
