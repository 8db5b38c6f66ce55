/**
 * The exact McNemar test of two classifiers (or two explanation methods) on the same images: only the
 * discordant images count — b where the first is right and the second wrong, c the other way round.
 * Under the null hypothesis of equal accuracy each discordant image is a fair coin flip, so
 * b ~ Binomial(b + c, ½) and the two-sided p-value is min(1, 2 · P(X ≤ min(b, c))).
 */
import { EvaluationOptionError } from '../errors';

/** The outcome of one paired comparison. */
export interface McNemarResult {
  /** Images only the first method got right. */
  readonly firstOnly: number;
  /** Images only the second method got right. */
  readonly secondOnly: number;
  /** Two-sided exact p-value (1 when there is no discordant image). */
  readonly pValue: number;
}

/** ln C(n, k) for every k = 0 … n, by the recurrence C(n, k) = C(n, k − 1) · (n − k + 1) / k. */
function logBinomials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) out[k] = out[k - 1] + Math.log((n - k + 1) / k);
  return out;
}

/**
 * Exact two-sided McNemar p-value from the discordant counts `b` (first right, second wrong) and
 * `c` (first wrong, second right). Computed in log space, so it stays exact for any number of images.
 *
 * @example mcNemarExact(2, 10).pValue = 2 · (1 + 12 + 66) / 2¹² = 0.0385742…
 * @throws EvaluationOptionError unless both counts are non-negative integers.
 */
export function mcNemarExact(b: number, c: number): McNemarResult {
  for (const [name, count] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new EvaluationOptionError(name, count, 'a non-negative integer count of images');
    }
  }
  const n = b + c;
  if (n === 0) return { firstOnly: b, secondOnly: c, pValue: 1 };
  const logC = logBinomials(n);
  const logHalfPower = -n * Math.LN2;
  let tail = 0;
  for (let k = 0; k <= Math.min(b, c); k++) tail += Math.exp(logC[k] + logHalfPower);
  return { firstOnly: b, secondOnly: c, pValue: Math.min(1, 2 * tail) };
}

/**
 * The paired McNemar test of two per-image outcomes (1 = right, 0 = wrong) on the same images.
 * @throws EvaluationOptionError when the two lists differ in length or hold values other than 0 and 1.
 */
export function mcNemarPaired(first: ArrayLike<number>, second: ArrayLike<number>): McNemarResult {
  if (first.length !== second.length) {
    throw new EvaluationOptionError(
      'second.length',
      second.length,
      `${first.length}, one outcome per image of the first list`,
      'A paired test compares two methods on the same images, in the same order.',
    );
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < first.length; i++) {
    for (const [name, value] of [
      ['first', first[i]],
      ['second', second[i]],
    ] as const) {
      if (value !== 0 && value !== 1) {
        throw new EvaluationOptionError(`${name}[${i}]`, value, '0 (wrong) or 1 (right)');
      }
    }
    if (first[i] > second[i]) b += 1;
    else if (first[i] < second[i]) c += 1;
  }
  return mcNemarExact(b, c);
}
