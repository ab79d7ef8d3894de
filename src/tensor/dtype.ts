/**
 * An MLX element type. `float64` runs on the CPU only (MLX's rule).
 *
 * @example
 * ```ts
 * const t = mt.zeros([2], 'int32');
 * t.dtype; // 'int32'
 * ```
 * @group Tensor
 */
export type DType =
  | 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64'
  | 'float16' | 'bfloat16' | 'float32' | 'float64' | 'complex64';

// Every dtype, as string literals: V8 keeps a literal internalized (one copy).
const DTYPE_NAMES: readonly DType[] = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64',
  'float16', 'bfloat16', 'float32', 'float64', 'complex64',
];

/**
 * `name` as this module's literal. The addon's names are new strings, which
 * compare with a literal character by character; two internalized strings
 * compare by pointer (isFloating runs once an op).
 */
export function internalDType(name: string): DType {
  const dtype = DTYPE_NAMES.find((d) => d === name);
  if (dtype === undefined) throw new Error(`[dtype] the addon names a dtype this version does not know: '${name}'`);
  return dtype;
}

/**
 * Whether values of this dtype can carry a gradient (floating or complex).
 *
 * @example
 * ```ts
 * mt.isFloating('float32'); // true
 * mt.isFloating('int32');   // false
 * ```
 * @group Tensor
 */
export function isFloating(dtype: DType): boolean {
  switch (dtype) {
    case 'float32': case 'float16': case 'bfloat16': case 'float64': case 'complex64': return true;
    default: return false;
  }
}
