/**
 * A seeded permutation, so a dataset's order (and therefore "the first N test images") is the same on
 * every machine and every run. The generator is the evaluation's (mulberry32 from @rlrp/core).
 */
import { mulberry32 } from '@rlrp/core';

/** The permutation of `0 … n−1` produced by a Fisher–Yates shuffle driven by `mulberry32(seed)`. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
