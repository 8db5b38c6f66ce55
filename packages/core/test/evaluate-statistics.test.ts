/**
 * The statistics behind docs/results.md, against published values and values worked out by hand:
 * Wilson intervals from Newcombe (1998, Table I), exact McNemar p-values as binomial tail sums,
 * Holm's adjustment step by step.
 */
import {
  EvaluationOptionError,
  holmAdjust,
  mcNemarExact,
  mcNemarPaired,
  normalQuantile,
  wilsonInterval,
} from '../src/index';

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.9, 1.2815515655446004],
    [0.3, -0.5244005127080407],
    [0.02, -2.053748910631823], // lower tail branch
    [0.99, 2.3263478740408408], // upper tail branch
    [1e-10, -6.361340902404056],
  ])('Φ⁻¹(%p) = %p to 1e-8 relative', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8 * Math.abs(z));
  });

  it('is 0 at ½ and odd around it', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.2)).toBeCloseTo(-normalQuantile(0.8), 12);
  });

  it.each([0, 1, -0.1, NaN])('rejects p = %p', (p) => {
    expect(() => normalQuantile(p)).toThrow(EvaluationOptionError);
  });
});

describe('wilsonInterval', () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion", Stat. Med. 1998, Table I,
  // method 3 (score interval without continuity correction), to the 4 decimals printed there.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('%p of %p: [%p, %p] (Newcombe 1998)', (successes, trials, lower, upper) => {
    const interval = wilsonInterval(successes, trials);
    expect(interval.estimate).toBe(successes / trials);
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
    expect(interval.confidence).toBe(0.95);
  });

  it('worked by hand for 1 of 1: centre (1 + z²/2)/(1 + z²), half-width z·√(z²/4)/(1 + z²)', () => {
    const z = 1.959963984540054;
    const centre = (1 + (z * z) / 2) / (1 + z * z);
    const half = (z * (z / 2)) / (1 + z * z);
    const interval = wilsonInterval(1, 1);
    expect(interval.lower).toBeCloseTo(centre - half, 8); // 1/(1 + z²) = 0.2065
    expect(interval.lower).toBeCloseTo(0.20654931, 6);
    expect(interval.upper).toBe(1);
  });

  it('is wider at 99 % and contains the estimate', () => {
    const at95 = wilsonInterval(466, 500);
    const at99 = wilsonInterval(466, 500, 0.99);
    expect(at95.lower).toBeCloseTo(0.906479, 5);
    expect(at95.upper).toBeCloseTo(0.950933, 5);
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
    expect(at99.lower).toBeLessThan(0.932);
    expect(at99.upper).toBeGreaterThan(0.932);
  });

  it.each([
    [5, 0, 0.95],
    [-1, 10, 0.95],
    [11, 10, 0.95],
    [2.5, 10, 0.95],
    [2, 10, 1],
    [2, 10, 95],
  ])('rejects %p of %p at %p', (successes, trials, confidence) => {
    expect(() => wilsonInterval(successes, trials, confidence)).toThrow(EvaluationOptionError);
  });
});

describe('mcNemarExact', () => {
  it.each([
    // 2 · Σ_{k ≤ min(b, c)} C(b + c, k) / 2^(b + c), capped at 1
    [1, 6, (2 * (1 + 7)) / 128],
    [6, 1, (2 * (1 + 7)) / 128],
    [0, 5, 2 / 32],
    [2, 10, (2 * (1 + 12 + 66)) / 4096],
    [7, 7, 1],
    [0, 0, 1],
    [1, 0, 1],
  ])('b = %p, c = %p: p = %p', (b, c, p) => {
    const result = mcNemarExact(b, c);
    expect(result.pValue).toBeCloseTo(p, 12);
    expect(result.firstOnly).toBe(b);
    expect(result.secondOnly).toBe(c);
  });

  it('stays exact where 2^-n underflows a double (n = 6300)', () => {
    // Two-sided binomial test of 3000 successes in 6300 trials, p = ½: 1.6475607669748e-4.
    const { pValue } = mcNemarExact(3000, 3300);
    expect(pValue).toBeGreaterThan(0);
    expect(Math.abs(pValue - 1.6475607669748e-4)).toBeLessThan(1e-12);
  });

  it.each([
    [-1, 2],
    [1.5, 2],
    [1, NaN],
  ])('rejects counts %p and %p', (b, c) => {
    expect(() => mcNemarExact(b, c)).toThrow(EvaluationOptionError);
  });
});

describe('mcNemarPaired', () => {
  it('counts only the discordant images', () => {
    //           right/right, right/wrong ×2, wrong/right, wrong/wrong
    const first = [1, 1, 1, 0, 0];
    const second = [1, 0, 0, 1, 0];
    const result = mcNemarPaired(first, second);
    expect(result.firstOnly).toBe(2);
    expect(result.secondOnly).toBe(1);
    expect(result.pValue).toBe(1); // 2 · (1 + 3)/8 = 1
    expect(mcNemarPaired(Uint8Array.from(first), Uint8Array.from(first)).pValue).toBe(1);
  });

  it('rejects lists of different length and outcomes other than 0/1', () => {
    expect(() => mcNemarPaired([1, 0], [1])).toThrow(/same images/);
    expect(() => mcNemarPaired([1, 2], [1, 0])).toThrow(EvaluationOptionError);
  });
});

describe('holmAdjust', () => {
  it('adjusts step-down and keeps the order given', () => {
    // sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max(0.06, 0.04) = 0.06
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((p, i) => expect(adjusted[i]).toBeCloseTo(p, 12));
  });

  it('caps at 1, leaves a single test alone and accepts an empty family', () => {
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(holmAdjust([0.2])).toEqual([0.2]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('rejects values that are not p-values', () => {
    expect(() => holmAdjust([0.1, 1.5])).toThrow(EvaluationOptionError);
    expect(() => holmAdjust([NaN])).toThrow(/pValues\[0\]/);
  });
});
