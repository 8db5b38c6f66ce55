/**
 * Seeded randomness for the evaluation: the random-ranking baseline and the tie-breaking of equal
 * relevance must be identical on every run, or tables could not be reproduced.
 */

import { EvaluationOptionError } from '../errors';

/** What Mulberry32 adds to its state on every draw. */
const MULBERRY32_STEP = 0x6d2b79f5;

/**
 * Mulberry32: a tiny 32-bit PRNG fully determined by its seed; returns values in [0, 1).
 * `skip` (a whole number ≥ 0): start as if `skip · drawsPerSkip` values had been drawn already
 * (`drawsPerSkip`, default 1: e.g. the draws of one image's permutation). The state only ever
 * advances by a constant step, so this costs two multiplications, not the draws (a slice of a
 * large set skips the permutations of every image before it), and stays exact where the number
 * of draws would pass 2⁵³: only its value modulo 2³² matters to the state.
 */
export function mulberry32(seed: number, skip = 0, drawsPerSkip = 1): () => number {
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new EvaluationOptionError('skip', skip, 'a whole number of draws ≥ 0');
  }
  if (!Number.isSafeInteger(drawsPerSkip) || drawsPerSkip < 0) {
    throw new EvaluationOptionError('drawsPerSkip', drawsPerSkip, 'a whole number ≥ 0');
  }
  // (seed + skip · drawsPerSkip · step) mod 2³²: each `x % 2³²` is exact below 2⁵³, and
  // Math.imul keeps a product's low 32 bits.
  const draws = Math.imul(skip % 2 ** 32, drawsPerSkip % 2 ** 32);
  let state = ((seed >>> 0) + (Math.imul(draws, MULBERRY32_STEP) >>> 0)) >>> 0;
  return () => {
    state = (state + MULBERRY32_STEP) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checked `firstSample`: a non-negative integer, 0 when not given. */
export function resolveFirstSample(firstSample: number | undefined): number {
  const value = firstSample ?? 0;
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new EvaluationOptionError(
      'firstSample',
      value,
      'a non-negative integer: the index of the first image in the whole evaluated set',
    );
  }
  return value;
}

/** Shuffle `order` in place (Fisher–Yates) with `random`. */
function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
}

/**
 * One random permutation of `0 … pixels−1` per sample, all drawn from a single stream seeded with
 * `seed`: sample i always gets the same permutation for the same seed and pixel count.
 * `firstSample` says where these samples start in a larger set: the stream starts past the
 * permutations of samples `0 … firstSample−1` (at once, see `mulberry32`'s `skip`), so a slice gets
 * exactly the permutations the same samples get in the whole set.
 * Returned flat: permutation of sample `firstSample + i` at `[i·pixels, (i+1)·pixels)`.
 */
export function randomRankings(
  samples: number,
  pixels: number,
  seed: number,
  firstSample = 0,
): Int32Array {
  // Fisher–Yates draws pixels − 1 numbers per permutation.
  const random = mulberry32(seed, resolveFirstSample(firstSample), Math.max(0, pixels - 1));
  const all = new Int32Array(samples * pixels);
  for (let s = 0; s < samples; s++) {
    const order = all.subarray(s * pixels, (s + 1) * pixels);
    for (let p = 0; p < pixels; p++) order[p] = p;
    shuffleInPlace(order, random);
  }
  return all;
}
