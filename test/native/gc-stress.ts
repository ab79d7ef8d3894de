// Run as its own process by memory.test.ts: V8 aborts the whole process when a
// finalizer run during GC calls back into it, which no in-process test survives.
import * as mt from '../../src/index.js';

const x = mt.zeros([65536]); // 256 KiB: the finalizers free several MiB per GC
for (let i = 0; i < 200_000; i++) {
  mt.add(x, i); // lazy: a graph node only, left to the GC
  if (i % 7 === 0) mt.add(x, 1).dispose(); // reports bytes outside GC, so V8 starts marking
}
console.log('ok');
