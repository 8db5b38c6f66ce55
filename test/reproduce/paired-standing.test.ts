/**
 * The verdicts of docs/results.md from paired outcomes worked out by hand: exact McNemar p-values
 * 2 · Σ_{k ≤ min(b, c)} C(b + c, k) / 2^(b + c), Holm-adjusted over the comparisons.
 */
import { ALPHA, pairedStanding } from '../../src/reproduce/paired-standing';

/** Outcomes of `n` images: the first `right` right. */
const outcomes = (right: number, n: number) =>
  Array.from({ length: n }, (_, i) => (i < right ? 1 : 0));

/** A method right exactly where `base` is, except on the images listed in `flip`. */
const flipped = (base: number[], flip: number[]) =>
  base.map((v, i) => (flip.includes(i) ? 1 - v : v));

describe('pairedStanding', () => {
  const n = 40;
  const reference = outcomes(30, n); // images 0…29 right

  it('first: significantly better than every method', () => {
    // Both others lose 10 images R-LRP gets right and win none: p = 2/2¹⁰ = 0.00195 each,
    // Holm: 2 · 0.00195 = 0.0039 and 0.00195 → max 0.0039.
    const worse = flipped(reference, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const result = pairedStanding(reference, [
      { name: 'A', correct: worse },
      { name: 'B', correct: worse },
    ]);
    expect(result?.standing).toBe('first');
    expect(result?.comparisons[0]).toMatchObject({ referenceOnly: 10, methodOnly: 0 });
    expect(result?.comparisons[0].pValue).toBeCloseTo(2 / 1024, 12);
    expect(result?.comparisons[0].adjustedP).toBeCloseTo(4 / 1024, 12);
    expect(result?.comparisons.map((c) => c.outcome)).toEqual(['better', 'better']);
  });

  it('not first: one method significantly better, even if another is worse', () => {
    const better = flipped(reference, [30, 31, 32, 33, 34, 35, 36, 37]); // wins 8: p = 2/256
    const worse = flipped(reference, [0, 1, 2, 3, 4, 5, 6, 7]);
    const result = pairedStanding(reference, [
      { name: 'better', correct: better },
      { name: 'worse', correct: worse },
    ]);
    expect(result?.standing).toBe('not first');
    expect(result?.betterThanReference).toEqual(['better']);
    expect(result?.comparisons[0].adjustedP).toBeCloseTo(4 / 256, 12);
  });

  it('indistinguishable: a higher point estimate that the test does not support', () => {
    // The other method wins 3 images and loses 1: 31/40 vs 30/40, p = 2 · (1 + 4)/16 = 0.625.
    const slightlyBetter = flipped(reference, [0, 30, 31, 32]);
    const result = pairedStanding(reference, [{ name: 'C', correct: slightlyBetter }]);
    expect(result?.standing).toBe('indistinguishable');
    expect(result?.tiedWith).toEqual(['C']);
    expect(result?.comparisons[0]).toMatchObject({ referenceOnly: 1, methodOnly: 3 });
    expect(result?.comparisons[0].pValue).toBeCloseTo(0.625, 12);
  });

  it('Holm can turn a nominally significant win into no significant difference', () => {
    // b = 0, c = 6: p = 2/64 = 0.03125 ≤ α alone; with a second test (p = 1) Holm gives 0.0625 > α.
    const winsSix = flipped(reference, [30, 31, 32, 33, 34, 35]);
    expect(pairedStanding(reference, [{ name: 'D', correct: winsSix }])?.standing).toBe(
      'not first',
    );
    const result = pairedStanding(reference, [
      { name: 'D', correct: winsSix },
      { name: 'same', correct: reference },
    ]);
    expect(result?.comparisons[0].adjustedP).toBeCloseTo(0.0625, 12);
    expect(result?.comparisons[0].adjustedP).toBeGreaterThan(ALPHA);
    expect(result?.standing).toBe('indistinguishable');
    expect(result?.tiedWith).toEqual(['D', 'same']);
  });

  it('has no verdict without another method', () => {
    expect(pairedStanding(reference, [])).toBeUndefined();
  });
});
