import { expect } from 'vitest';
import * as mt from '../../src/index.js';

/** Expects `fn` to throw an MlxError with `code` whose message matches `message`. */
export function expectMlxError(fn: () => unknown, message: RegExp, code = 'MLX_INVALID_ARGUMENT'): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(mt.MlxError);
  expect((err as mt.MlxError).message).toMatch(message);
  expect((err as mt.MlxError).code).toBe(code);
}
