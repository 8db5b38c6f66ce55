import { EvaluationOptionError } from '../src/errors';
import { mulberry32, randomRankings } from '../src/evaluate/seeded-random';

/**
 * The seeded stream behind the random rankings: starting `skip` draws in gives what drawing them
 * one by one gives, so a slice of a large set gets its images' permutations without replaying the
 * stream of every image before it.
 */

/** The stream of `seed` after `skip` draws, drawn one by one. */
function drawnPast(seed: number, skip: number, count: number): number[] {
  const random = mulberry32(seed);
  for (let i = 0; i < skip; i++) random();
  return Array.from({ length: count }, random);
}

describe('mulberry32 with skip', () => {
  it('continues the stream exactly where drawing skip values one by one leaves it', () => {
    for (const seed of [0, 1, 42, 0x7fffffff, 0xffffffff]) {
      for (const skip of [0, 1, 2, 783, 100_003]) {
        const skipped = mulberry32(seed, skip);
        expect(Array.from({ length: 5 }, skipped)).toEqual(drawnPast(seed, skip, 5));
      }
    }
  });

  it('wraps the 32-bit state as drawing does, also past 2³² draws', () => {
    // The state advances by a constant step mod 2³²: 2³² draws bring it back to the start.
    const start = Array.from({ length: 3 }, mulberry32(7));
    expect(Array.from({ length: 3 }, mulberry32(7, 2 ** 32))).toEqual(start);
    expect(Array.from({ length: 3 }, mulberry32(7, 3 * 2 ** 32 + 5))).toEqual(drawnPast(7, 5, 3));
  });

  it('rejects a skip that is not a whole number of draws ≥ 0, with a typed error', () => {
    for (const skip of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => mulberry32(1, skip)).toThrow(EvaluationOptionError);
    }
  });

  it('skips skip · drawsPerSkip draws, also where the product passes 2³²', () => {
    expect(Array.from({ length: 4 }, mulberry32(5, 7, 783))).toEqual(drawnPast(5, 7 * 783, 4));
    // 3 · (2³² + 2) ≡ 6 (mod 2³²): the product itself is never formed.
    expect(Array.from({ length: 4 }, mulberry32(5, 3, 2 ** 32 + 2))).toEqual(drawnPast(5, 6, 4));
    expect(Array.from({ length: 2 }, mulberry32(5, 9, 0))).toEqual(drawnPast(5, 0, 2));
    for (const drawsPerSkip of [-1, 0.5, NaN, 2 ** 53]) {
      expect(() => mulberry32(1, 1, drawsPerSkip)).toThrow(EvaluationOptionError);
    }
  });

  it('starts a slice far into a set (firstSample · (pixels − 1) past 2⁵³) where the stream is', () => {
    // The draws skipped modulo 2³², computed exactly with BigInt.
    const [pixels, firstSample] = [785, 2 ** 50 + 3];
    const skip = Number((BigInt(firstSample) * BigInt(pixels - 1)) % BigInt(2 ** 32));
    const random = mulberry32(9, skip);
    const expected = Array.from({ length: pixels }, (_, p) => p);
    for (let i = pixels - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [expected[i], expected[j]] = [expected[j], expected[i]];
    }
    expect(Array.from(randomRankings(1, pixels, 9, firstSample))).toEqual(expected);
  });

  it('refuses a firstSample that is not a whole number ≥ 0, naming it', () => {
    for (const firstSample of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => randomRankings(1, 4, 9, firstSample)).toThrow(EvaluationOptionError);
      expect(() => randomRankings(1, 4, 9, firstSample)).toThrow(/firstSample/);
    }
  });

  it('gives a slice of the set the permutations of the same images in the whole set', () => {
    const pixels = 50;
    const whole = randomRankings(40, pixels, 9);
    expect(Array.from(randomRankings(7, pixels, 9, 33))).toEqual(
      Array.from(whole.subarray(33 * pixels)),
    );
  });
});
