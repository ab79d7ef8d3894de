// MLX_TAPE_DEVICE=gpu-sim: MLX's GPU float64 rule on a CPU-only build, so the
// float64 seams of `npm run test:gpu` show up on a machine without a GPU. Ops
// still run on the CPU: GPU precision (TF32 matmul), scatter order and memory
// timing are not simulated.
import { MlxError } from '../../src/errors.js';
import { native } from '../../src/tensor/native.js';

// Exports that build no op on the default stream (item() and toTypedArray convert on the CPU stream).
const NO_OP = new Set([
  'init', 'mlxVersion', 'blasCore', 'backend', 'isAvailable', 'setDefaultDevice', 'defaultDevice', 'getActiveMemory', 'getPeakMemory',
  'getCacheMemory', 'resetPeakMemory', 'clearCache', 'setCacheLimit', 'setMemoryLimit', 'fromTypedArray', 'item', 'toTypedArray', 'shape',
  'shapeInto', 'setShapeBuffer', 'dtypeIndex', 'dtypeNames', 'sameShape', 'handleCount', 'inScope', 'outlive', 'alias', 'isArray', 'dispose', 'eval', 'graphOps', 'randomSeed',
]);

// The kernels of native/src/kernels.cc that refuse the GPU stream (max
// pooling's, maskedBy, axpby and adamStep have CUDA kernels too; here they
// run their CPU loops).
const CPU_ONLY = new Set(['col2im', 'matmulNarrow']);

/** Makes the addon act as a CUDA build whose GPU, once the default device, refuses float64 as MLX does. */
export function simulateGpu(): void {
  const real = { ...native };
  const n = native as unknown as Record<string, unknown>;
  let device = real.defaultDevice();
  const names = real.dtypeNames();
  const dtypeOf = (a: unknown): string => names[real.dtypeIndex(a as never)]!;
  const hasFloat64 = (v: unknown): boolean => {
    if (v === 'float64') return true; // a dtype argument: the op's output
    if (real.isArray(v)) {
      try {
        return dtypeOf(v) === 'float64';
      } catch {
        return false; // a disposed handle: the op itself reports it
      }
    }
    if (Array.isArray(v)) return v.some(hasFloat64);
    return v !== null && typeof v === 'object' && Object.values(v).some(hasFloat64);
  };
  // MLX's array constructor: an op on the GPU stream with a float64 input or output throws.
  const check = (v: unknown): void => {
    if (device === 'gpu' && hasFloat64(v)) throw new MlxError('float64 is not supported on the GPU', 'MLX_INVALID_ARGUMENT');
  };
  // MLX returns the input itself, building no op, for a cast to its own dtype or
  // a reshape or broadcast to its own shape: those are checked after the call.
  const MAYBE_SAME = new Set(['astype', 'reshape', 'broadcastTo']);
  const same = (a: unknown, out: unknown): boolean => real.isArray(a) &&
    dtypeOf(a) === dtypeOf(out) && real.shape(a as never).join() === real.shape(out as never).join();
  for (const [name, fn] of Object.entries(real)) {
    if (typeof fn !== 'function' || NO_OP.has(name)) continue;
    n[name] = (...args: unknown[]) => {
      if (device === 'gpu' && CPU_ONLY.has(name)) throw new MlxError(`[${name}] runs on the CPU only; the default device is the GPU`, 'MLX_INVALID_ARGUMENT');
      if (!MAYBE_SAME.has(name)) check(args);
      const out = (fn as (...a: unknown[]) => unknown)(...args);
      if (!(MAYBE_SAME.has(name) && same(args[0], out))) check([args, out]);
      return out;
    };
  }
  n.backend = () => 'cuda';
  n.isAvailable = (d: string) => d === 'gpu' || real.isAvailable(d);
  n.defaultDevice = () => device;
  n.setDefaultDevice = (d: string) => {
    real.setDefaultDevice(d === 'gpu' ? 'cpu' : d);
    device = d;
  };
}
