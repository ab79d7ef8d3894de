import type { Tensor } from '../../tensor/tensor.js';
import type { Attrs } from '../tape.js';

/**
 * What a gradient rule sees of the op it differentiates. Binary ops may have
 * recorded a JS number in place of a tensor (a weak scalar); their rules only
 * hand inputs on to ops that accept numbers too, and the engine gives numbers
 * no gradient.
 */
export interface RuleContext {
  inputs: Tensor[];
  out: Tensor;
  attrs: Attrs;
  /**
   * Whether a tensor's own gradient is read: a target of the backward pass,
   * a leaf's or retained `.grad`, a hook. A rule may send an input's share
   * past an input that is not (max pooling over relu's output sends it
   * straight to relu's input).
   */
  observed: (t: Tensor) => boolean;
}

/** One cotangent per input, `null` where the input gets no gradient. */
export type GradRule = (dy: Tensor, ctx: RuleContext) => (Tensor | null)[];

export type GradTable = Record<string, GradRule>;

/**
 * Whether an input takes a gradient (numbers never do). Rules skip the
 * others' cotangents: unused ones are never evaluated, but each still costs
 * building an op, or several (a convolution's input gradient on the GPU).
 */
export const wants = (x: Tensor | number | undefined): boolean => (x as Tensor | undefined)?.requiresGrad === true;
