// Run by failure.test.ts: one rank leaves, the other must fail with a clear
// error instead of hanging. Modes: 'early' (rank 1 exits before connecting),
// 'mid' (rank 1 exits after the first all-reduce), 'alone' (started
// without its peer), 'hang' (sleeps; for the launcher's --timeout).
import * as mt from '../../../src/index.js';
import { report } from './report.js';

const mode = process.argv[2];
const rank = Number(process.env.MLX_RANK ?? 0);
if (mode === 'early' && rank === 1) process.exit(3);
if (mode === 'hang') setTimeout(() => {}, 1e9);
else {
  const world = mt.distributed.init({ strict: true });
  report('allSum', mt.distributed.allSum(mt.tensor([world.rank + 1])).toArray());
  if (mode === 'mid' && rank === 1) process.exit(3);
  // Rank 0 keeps going; its next all-reduce finds the peer gone. It waits before
  // each one: had it failed at once, both exits could reach the launcher in the
  // same batch, in either order, and the launcher would name rank 0.
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 300));
    mt.distributed.allSum(mt.ones([1024])).toArray();
  }
  report('finished', true);
}
