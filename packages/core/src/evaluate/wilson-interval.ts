/**
 * The Wilson score interval for a binomial proportion (Wilson 1927): the set of proportions π whose
 * score test |p̂ − π| / √(π(1 − π)/n) ≤ z does not reject. Unlike the Wald interval p̂ ± z√(p̂(1−p̂)/n)
 * it stays inside [0, 1] and keeps close to its nominal coverage near 0 and 1, where keep-top-k
 * accuracies of well-trained models sit (Newcombe 1998; Brown, Cai & DasGupta 2001).
 */
import { EvaluationOptionError } from '../errors';
import { normalQuantile } from './normal-quantile';

/** A proportion with its confidence interval. */
export interface ProportionInterval {
  /** The observed proportion successes / trials. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** The confidence level, e.g. 0.95. */
  readonly confidence: number;
}

/** Checks a count of successes out of trials. */
function checkCounts(successes: number, trials: number): void {
  if (!(Number.isInteger(trials) && trials >= 1)) {
    throw new EvaluationOptionError(
      'trials',
      trials,
      'a positive integer',
      'A proportion of zero images has no interval: evaluate at least one image.',
    );
  }
  if (!(Number.isInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new EvaluationOptionError('successes', successes, `an integer in 0…${trials}`);
  }
}

/**
 * The two-sided Wilson score interval of `successes` out of `trials` at `confidence` (default 0.95):
 * centre (p̂ + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²), with
 * z = Φ⁻¹(1 − (1 − confidence)/2).
 *
 * @example wilsonInterval(81, 263) ≈ { estimate: 0.308, lower: 0.2553, upper: 0.3662 } (Newcombe 1998).
 * @throws EvaluationOptionError for counts that are not integers with 0 ≤ successes ≤ trials, trials ≥ 1,
 *   or a confidence outside (0, 1).
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  confidence = 0.95,
): ProportionInterval {
  checkCounts(successes, trials);
  if (!(confidence > 0 && confidence < 1)) {
    throw new EvaluationOptionError('confidence', confidence, 'a level in (0, 1), e.g. 0.95');
  }
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At p̂ = 0 or 1 the interval touches the bound exactly; clamp the rounding error there.
  return {
    estimate: p,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half),
    confidence,
  };
}
