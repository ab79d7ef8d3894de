import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// V8's gc(), without starting the test runner with --expose-gc.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * A full garbage collection. The addon's finalizers run during it, so
 * afterwards no unreachable tensor holds MLX memory any more: memory
 * measured next does not drop when an earlier test's garbage is collected.
 */
export function gc(): void {
  collect();
}
