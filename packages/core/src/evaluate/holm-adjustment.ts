/**
 * Holm's step-down adjustment (Holm 1979) for a family of m tests: it controls the family-wise error
 * rate at α for any dependence between the tests, and rejects at least as much as Bonferroni.
 */
import { EvaluationOptionError } from '../errors';

/**
 * Holm-adjusted p-values, in the order given: with p₍₁₎ ≤ … ≤ p₍ₘ₎ sorted,
 * p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎). Reject hypothesis i at level α iff p̃ᵢ ≤ α.
 *
 * @example holmAdjust([0.01, 0.04, 0.03, 0.005]) = [0.03, 0.06, 0.06, 0.02]
 * @throws EvaluationOptionError when a p-value is not a number in [0, 1].
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1))
      throw new EvaluationOptionError(`pValues[${i}]`, p, 'a p-value in [0, 1]');
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}
