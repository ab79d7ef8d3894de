import type { Input } from '../../autograd/tape.js';
import type { NativeArray } from '../native.js';
import { Tensor } from '../tensor.js';

/** A tensor's handle, or a number passed on to the native op as a weak scalar. */
export function arg(x: Input): NativeArray | number {
  return x instanceof Tensor ? x.data : x;
}
