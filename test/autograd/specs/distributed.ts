// Collectives, in the one-process group every test gets (no launcher): each
// is the identity there, so this checks the rules' plumbing (shapes, the
// scalar allGather, the tie count of allMax/allMin). Their values across
// ranks are checked over 2 processes in test/distributed/collectives.test.ts.
import * as mt from '../../../src/index.js';
import { native } from '../../../src/tensor/native.js';
import { data, toTensor, type Data } from '../../helpers/arbitraries.js';
import { spec, type GradSpec } from './spec.js';

type Collective = 'allSum' | 'allGather' | 'allMax' | 'allMin' | 'sumScatter';

const collective = (op: Collective): GradSpec<Data> => spec({
  cases: data(),
  inputs: (d, dtype) => [toTensor(d, dtype)],
  fn: () => (x) => mt.distributed[op](x),
  oracle: () => (x) => native[op](x, null),
});

export const distributedSpecs = {
  allSum: collective('allSum'),
  allGather: collective('allGather'),
  allMax: collective('allMax'),
  allMin: collective('allMin'),
  sumScatter: collective('sumScatter'),
};
