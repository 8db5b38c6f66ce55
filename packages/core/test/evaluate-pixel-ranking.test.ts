/**
 * `rankPixels` against its definition, written here as a comparison sort: highest score first,
 * NaN as −∞, ±0 equal, ties in the order of the sample's seeded random permutation; the stable
 * radix sort it runs on; and the masks of a ranking's first pixels, grown step by step.
 */
import * as fc from 'fast-check';
import { randomPixelRanking, rankPixels } from '@rlrp/core';
import { GrowingRankingMask } from '../src/evaluate/masking';
import { sortByKey } from '../src/evaluate/sort-by-key';

/** The ranking by its definition: one comparison sort per sample. */
function rankByDefinition(
  scores: Float32Array,
  samples: number,
  pixels: number,
  seed: number,
  firstSample: number,
): number[] {
  const random = randomPixelRanking(samples, pixels, seed, firstSample);
  const ranking: number[] = [];
  for (let s = 0; s < samples; s++) {
    const base = s * pixels;
    const tiePosition = new Map<number, number>();
    for (let i = 0; i < pixels; i++) tiePosition.set(random[base + i], i);
    const score = (p: number) => (Number.isNaN(scores[base + p]) ? -Infinity : scores[base + p]);
    const order = Array.from({ length: pixels }, (_, p) => p).sort((a, b) => {
      if (score(a) !== score(b)) return score(a) > score(b) ? -1 : 1;
      return (tiePosition.get(a) as number) - (tiePosition.get(b) as number);
    });
    ranking.push(...order);
  }
  return ranking;
}

/** Scores with every float32 the ranking must order: ties, ±0, ±∞, NaN, subnormals, extremes. */
const SPECIAL = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  1e-45,
  -1e-45,
  3.4028235e38,
  -3.4028235e38,
  1,
  -1,
];
const score = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.float({ noNaN: false }),
  fc.integer({ min: -3, max: 3 }),
);

describe('rankPixels', () => {
  it('ranks as the definition does, for every float32 and many ties', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.infiniteStream(score),
        (samples, pixels, seed, firstSample, stream) => {
          const scores = Float32Array.from(stream.take(samples * pixels));
          const ranking = rankPixels(scores, samples, pixels, seed, firstSample);
          expect(Array.from(ranking)).toEqual(
            rankByDefinition(scores, samples, pixels, seed, firstSample),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ranks an MNIST-sized map as the definition does, reading scores inside a larger buffer', () => {
    const pixels = 28 * 28;
    const buffer = new Float32Array(3 + 2 * pixels);
    // A sparse map (most pixels exactly 0, as an MNIST background) at an offset into the buffer.
    for (let i = 3; i < buffer.length; i++) buffer[i] = i % 7 === 0 ? Math.sin(i) * 10 : 0;
    const scores = buffer.subarray(3);
    expect(Array.from(rankPixels(scores, 2, pixels, 7, 11))).toEqual(
      rankByDefinition(scores, 2, pixels, 7, 11),
    );
  });
  it('ranks a 224×224 map (an ImageNet model’s) as the definition does, and an empty set', () => {
    const pixels = 224 * 224;
    // Few distinct values: long runs of ties across every digit of the radix sort.
    const scores = Float32Array.from({ length: pixels }, (_, i) => ((i * 7919) % 13) - 6 || -0);
    scores[pixels - 1] = NaN;
    scores[12345] = -3.4028235e38;
    expect(Array.from(rankPixels(scores, 1, pixels, 3))).toEqual(
      rankByDefinition(scores, 1, pixels, 3, 0),
    );
    expect(rankPixels(new Float32Array(0), 0, pixels)).toEqual(new Int32Array(0));
  });
});

describe('sortByKey', () => {
  it('sorts by unsigned 32-bit key, keeping the order of equal keys', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.nat({ max: 4 }), fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff)),
          {
            maxLength: 300,
          },
        ),
        (values) => {
          const keys = Uint32Array.from(values);
          const items = Int32Array.from(values.keys());
          const spare = {
            items: new Int32Array(values.length),
            keys: new Uint32Array(values.length),
          };
          sortByKey(items, keys, spare);
          const expected = Array.from(values.keys()).sort((a, b) => values[a] - values[b] || a - b);
          expect(Array.from(items)).toEqual(expected);
          expect(Array.from(keys)).toEqual(expected.map((i) => values[i]));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('GrowingRankingMask', () => {
  /** A batch's masks by their definition: the first `count` pixels of each sample's ranking flipped. */
  function maskByDefinition(
    batch: { ranking: Int32Array; pixels: number; from: number; to: number; keepFirst: boolean },
    count: number,
  ): number[] {
    const { ranking, pixels, from, to, keepFirst } = batch;
    const mask: number[] = [];
    for (let s = from; s < to; s++) {
      const first = new Set(ranking.subarray(s * pixels, s * pixels + count));
      for (let p = 0; p < pixels; p++) mask.push(first.has(p) === keepFirst ? 1 : 0);
    }
    return mask;
  }

  it('gives each count’s mask, for counts that grow, repeat or shrink', () => {
    const pixels = 12;
    const ranking = randomPixelRanking(5, pixels, 3);
    for (const keepFirst of [true, false]) {
      const batch = { ranking, pixels, from: 1, to: 4, keepFirst };
      const masks = new GrowingRankingMask(ranking, pixels, batch.from, batch.to, keepFirst);
      for (const count of [0, 1, 1, 5, 12, 7, 7, 0, 3, 12]) {
        expect(Array.from(masks.first(count))).toEqual(maskByDefinition(batch, count));
      }
    }
  });
});
