// Checkpoint files: named tensors in .safetensors, written atomically
// (temporary file in the same folder, then rename) so that a failed save
// never replaces the previous checkpoint with a truncated file.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { loadSafetensors, saveSafetensors } from '../tensor/ops/io.js';

const EXT = '.safetensors';

/** The file writer; tests replace it to simulate a crash half-way through a write. */
export const writer = { saveSafetensors };
let saves = 0;

/** The path MLX writes to: `.safetensors` is appended when missing. */
function withExt(path: string): string {
  return path.endsWith(EXT) ? path : path + EXT;
}

/** Writes `pairs` and `metadata` to `path` atomically; `op` names the caller in errors. */
export function saveWeightsFile(path: string, pairs: [string, Tensor][], metadata: Record<string, string>, op: string): void {
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of pairs) {
    if (name in tensors) throw new Error(`[${op}] two tensors are named '${name}'`);
    tensors[name] = t;
  }
  const target = withExt(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${++saves}.tmp${EXT}`);
  try {
    writer.saveSafetensors(tmp, tensors, metadata);
    renameSync(tmp, target); // atomic on one file system: readers see the old file or the new one
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`[${op}] could not write '${target}': ${(e as Error).message}`, { cause: e });
  }
}

/** Reads the tensors and metadata of a `.safetensors` file, with a clear error for a missing or unreadable one. */
export function loadWeightsFile(path: string, op: string): { pairs: [string, Tensor][]; metadata: Record<string, string> } {
  const file = existsSync(path) ? path : withExt(path);
  if (!existsSync(file)) throw new Error(`[${op}] no such file '${path}'`);
  let loaded: ReturnType<typeof loadSafetensors>;
  try {
    loaded = loadSafetensors(file);
  } catch (e) {
    throw new Error(`[${op}] '${file}' is not a readable .safetensors file (truncated, corrupt or another format): ${(e as Error).message}`, { cause: e });
  }
  return { pairs: Object.entries(loaded.tensors), metadata: loaded.metadata };
}
