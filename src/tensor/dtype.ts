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

const FLOATING = new Set<DType>(['float16', 'bfloat16', 'float32', 'float64', 'complex64']);

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
  return FLOATING.has(dtype);
}
