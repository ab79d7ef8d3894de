// Learning-rate schedules: functions of the step count (MLX's), plus
// PyTorch's ReduceLROnPlateau, which reacts to a metric instead.
import { Tensor } from '../tensor/tensor.js';
import type { Optimizer, Schedule } from './optimizer.js';

/**
 * `init · decayRate^⌊step / stepSize⌋`: multiply by `decayRate` every `stepSize` steps.
 *
 * @param init - The initial learning rate.
 * @param decayRate - The factor applied every `stepSize` steps.
 * @param stepSize - Steps between decays.
 * @returns The schedule.
 * @example
 * ```ts
 * const lr = optim.stepDecay(0.1, 0.9, 10);
 * lr(25); // 0.1 · 0.9² = 0.081
 * ```
 * @see MLX `step_decay`
 * @group Schedulers
 */
export function stepDecay(init: number, decayRate: number, stepSize: number): Schedule {
  return (step) => init * decayRate ** Math.floor(step / stepSize);
}

/**
 * `init · decayRate^step`.
 *
 * @param init - The initial learning rate.
 * @param decayRate - The factor applied every step.
 * @returns The schedule.
 * @example
 * ```ts
 * optim.exponentialDecay(0.1, 0.9)(2); // 0.081
 * ```
 * @see MLX `exponential_decay`
 * @group Schedulers
 */
export function exponentialDecay(init: number, decayRate: number): Schedule {
  return (step) => init * decayRate ** step;
}

/**
 * Half a cosine from `init` down to `end` over `decaySteps` steps, then `end`:
 * `end + (init − end) · ½(1 + cos(π · min(step, decaySteps) / decaySteps))`.
 *
 * @param init - The initial learning rate.
 * @param decaySteps - Steps to reach `end`.
 * @param end - The final learning rate (default 0).
 * @returns The schedule.
 * @example
 * ```ts
 * optim.cosineDecay(0.1, 100)(50); // 0.05
 * ```
 * @see MLX `cosine_decay`
 * @group Schedulers
 */
export function cosineDecay(init: number, decaySteps: number, end = 0): Schedule {
  return (step) => end + (init - end) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, decaySteps)) / decaySteps));
}

/**
 * A straight line from `init` to `end` over `steps` steps, then `end`. With
 * `init = 0` and {@link joinSchedules} it is a warmup.
 *
 * @param init - The initial learning rate.
 * @param end - The final learning rate.
 * @param steps - Steps to reach `end`.
 * @returns The schedule.
 * @example
 * ```ts
 * optim.linearSchedule(0, 0.1, 10)(5); // 0.05
 * ```
 * @see MLX `linear_schedule`
 * @group Schedulers
 */
export function linearSchedule(init: number, end: number, steps: number): Schedule {
  if (!(steps > 0)) throw new RangeError(`[linearSchedule] steps must be positive, got ${steps}`);
  return (step) => init + ((end - init) * Math.min(step, steps)) / steps;
}

/**
 * Runs `schedules[i]` from `boundaries[i - 1]` on, each one counting its
 * steps from its own start: e.g. a linear warmup joined to a cosine decay.
 *
 * @param schedules - The schedules, in order.
 * @param boundaries - The steps where each next schedule starts (one fewer than the schedules, increasing).
 * @returns The joined schedule.
 * @example
 * ```ts
 * const lr = optim.joinSchedules([optim.linearSchedule(0, 0.1, 10), optim.cosineDecay(0.1, 100)], [10]);
 * lr(5);  // 0.05 (warming up)
 * lr(60); // 0.05 (cosineDecay(0.1, 100)(50))
 * ```
 * @see MLX `join_schedules`
 * @group Schedulers
 */
export function joinSchedules(schedules: Schedule[], boundaries: number[]): Schedule {
  if (schedules.length === 0 || boundaries.length !== schedules.length - 1) {
    throw new RangeError(`[joinSchedules] ${schedules.length} schedule(s) need ${Math.max(schedules.length - 1, 0)} boundaries, got ${boundaries.length}`);
  }
  if (boundaries.some((b, i) => i > 0 && b < boundaries[i - 1]!)) throw new RangeError(`[joinSchedules] boundaries must increase, got [${boundaries}]`);
  return (step) => {
    let i = 0;
    while (i < boundaries.length && step >= boundaries[i]!) i++;
    return schedules[i]!(step - (i > 0 ? boundaries[i - 1]! : 0));
  };
}

/** Options of {@link ReduceLROnPlateau} (PyTorch's names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min' when lower metrics are better (a loss), 'max' when higher are (default 'min'). */
  mode?: 'min' | 'max';
  /** Multiplies the learning rate on a plateau (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': relative to the best value; 'abs': absolute (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The learning rate never goes below this (default 0). */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Divides the optimizer's learning rate by `1/factor` when a metric has
 * stopped improving for `patience` calls of {@link ReduceLROnPlateau.step}
 * (PyTorch's `ReduceLROnPlateau`). It sets `optimizer.learningRate` to a constant.
 *
 * @example
 * ```ts
 * const plateau = new optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
 * for (const epoch of epochs) { train(); plateau.step(validationLoss); }
 * ```
 * @group Schedulers
 */
export class ReduceLROnPlateau {
  readonly options: Required<ReduceLROnPlateauOptions>;
  /** The best metric so far. */
  best: number;
  /** Calls since the last improvement. */
  badSteps = 0;
  #cooldownLeft = 0;

  constructor(readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    this.options = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...options };
    if (!(this.options.factor < 1)) throw new RangeError(`[ReduceLROnPlateau] factor must be < 1, got ${this.options.factor}`);
    this.best = this.options.mode === 'min' ? Infinity : -Infinity;
  }

  #improves(v: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? v < this.best * (1 - threshold) : v < this.best - threshold;
    return thresholdMode === 'rel' ? v > this.best * (1 + threshold) : v > this.best + threshold;
  }

  /**
   * Records one value of the metric, and reduces the learning rate on a plateau.
   * @param metric - The metric (a number or a size-1 tensor).
   */
  step(metric: number | Tensor): void {
    const v = metric instanceof Tensor ? Number(metric.item()) : metric;
    if (this.#improves(v)) {
      this.best = v;
      this.badSteps = 0;
    } else this.badSteps++;
    if (this.#cooldownLeft > 0) {
      this.#cooldownLeft--;
      this.badSteps = 0;
    }
    if (this.badSteps > this.options.patience) {
      const old = this.optimizer.learningRate;
      const lr = Math.max(old * this.options.factor, this.options.minLr);
      if (old - lr > this.options.eps) this.optimizer.learningRate = lr;
      this.#cooldownLeft = this.options.cooldown;
      this.badSteps = 0;
    }
  }
}
