import type { DiffOp } from '../../../src/autograd/tape.js';
import { elementwiseSpecs } from './elementwise.js';
import type { GradSpec } from './spec.js';

/** One gradcheck spec per differentiable primitive (a key of gradRules). */
export const specs: Partial<Record<DiffOp, GradSpec>> = {
  ...elementwiseSpecs,
};
