// Data augmentation for digits: each training image moved by a random whole
// number of pixels (up to `max` in x and y), the uncovered border filled with
// 0 (background). Cheap, in JS, and seeded through the DataLoader.
import type { data } from '../../src/index.js';

/** A DataLoader transform that shifts each image of a batch by up to `max` pixels. */
export function randomShift(max: number): NonNullable<data.DataLoaderOptions['transform']> {
  return ({ x, sampleShape }, next) => {
    const [h, w, c] = sampleShape as [number, number, number];
    const k = h * w * c;
    const src = new Float32Array(k);
    for (let off = 0; off < x.length; off += k) {
      const dy = (next() % (2 * max + 1)) - max;
      const dx = (next() % (2 * max + 1)) - max;
      if (dx === 0 && dy === 0) continue;
      const img = x.subarray(off, off + k);
      src.set(img);
      img.fill(0);
      for (let r = Math.max(0, dy); r < Math.min(h, h + dy); r++) {
        const from = ((r - dy) * w + Math.max(0, -dx)) * c;
        const to = (r * w + Math.max(0, dx)) * c;
        img.set(src.subarray(from, from + (w - Math.abs(dx)) * c), to);
      }
    }
  };
}
