// Rules for shape ops: move the cotangent back into the input's layout.
import { reshape } from '../../tensor/ops/index.js';
import type { GradTable } from './rule.js';

export const shapeGrads = {
  reshape: (dy, { inputs: [x] }) => [reshape(dy, [...x!.shape])],
  broadcastTo: (dy) => [dy], // the engine's sumToShape undoes the broadcast
} satisfies GradTable;
