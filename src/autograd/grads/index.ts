// The gradient table: one entry per differentiable primitive, keyed by the
// op's name (the same name as the native export and the TS function).
import { elementwiseGrads } from './elementwise.js';
import { convGrads } from './conv.js';
import { distributedGrads } from './distributed.js';
import { indexingGrads } from './indexing.js';
import { linalgGrads } from './linalg.js';
import { reduceGrads } from './reduce.js';
import { shapeGrads } from './shape.js';

export type { GradRule, GradTable, RuleContext } from './rule.js';

/**
 * The gradient table: for each differentiable primitive, the rule that maps
 * the output's cotangent to one cotangent per input. Frozen: the backward
 * pass reads it once, into a Map.
 *
 * @example
 * ```ts
 * Object.keys(mt.gradRules).includes('multiply'); // true
 * ```
 * @group Autograd
 */
export const gradRules = Object.freeze({
  ...elementwiseGrads,
  ...indexingGrads,
  ...linalgGrads,
  ...convGrads,
  ...reduceGrads,
  ...shapeGrads,
  ...distributedGrads,
});
