import type { DiffOp } from '../../../src/autograd/tape.js';
import { convSpecs } from './conv.js';
import { distributedSpecs } from './distributed.js';
import { elementwiseSpecs } from './elementwise.js';
import { indexingSpecs } from './indexing.js';
import { linalgSpecs } from './linalg.js';
import { reduceSpecs } from './reduce.js';
import { shapeSpecs } from './shape.js';
import type { GradSpec } from './spec.js';

/** One gradcheck spec per differentiable primitive (a key of gradRules). */
export const specs: Partial<Record<DiffOp, GradSpec>> = {
  ...elementwiseSpecs,
  ...indexingSpecs,
  ...linalgSpecs,
  ...convSpecs,
  ...reduceSpecs,
  ...shapeSpecs,
  ...distributedSpecs,
};
