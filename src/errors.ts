/**
 * The error MLX raises for a bad call, carried into JS with MLX's own
 * `[op] message` and a `code`.
 *
 * @example
 * ```ts
 * try {
 *   mt.add(mt.zeros([2, 2]), mt.zeros([3]));
 * } catch (e) {
 *   if (e instanceof mt.MlxError) console.log(e.code); // 'MLX_INVALID_ARGUMENT'
 * }
 * ```
 * @group Errors
 */
export class MlxError extends Error {
  /** `MLX_INVALID_ARGUMENT`, `MLX_OUT_OF_RANGE`, `MLX_OUT_OF_MEMORY` or `MLX_RUNTIME`. */
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'MlxError';
    this.code = code;
  }
}
