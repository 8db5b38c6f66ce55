/**
 * A seeded permutation, so a dataset's order (and therefore "the first N test images") is the same on
 * every machine and every run.
 */
import { randomRankings } from '@rlrp/core';

/**
 * The permutation of `0 … n−1` drawn by the evaluation's seeded shuffle (@rlrp/core's
 * `randomRankings` for one sample: Fisher–Yates driven by `mulberry32(seed)`).
 */
export function seededPermutation(n: number, seed: number): Int32Array {
  return randomRankings(1, n, seed);
}
