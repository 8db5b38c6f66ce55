/**
 * The standard normal quantile function Φ⁻¹, needed for confidence levels other than the usual 95 %.
 * Acklam's rational approximation (relative error below 1.2·10⁻⁹ over (0, 1)): a central rational
 * function for 0.02425 ≤ p ≤ 0.97575 and a rational function of √(−2 ln p) in the tails.
 */
import { EvaluationOptionError } from '../errors';

const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

/** Horner evaluation of `c[0]·x^(k−1) + … + c[k−1]`. */
function polynomial(c: readonly number[], x: number): number {
  return c.reduce((sum, coefficient) => sum * x + coefficient, 0);
}

/** The tail approximation for p < 0.02425 (negative quantiles). */
function lowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return polynomial(C, q) / (polynomial(D, q) * q + 1);
}

/**
 * Φ⁻¹(p): the z with P(Z ≤ z) = p for a standard normal Z, e.g. 1.959964 for p = 0.975.
 * @throws EvaluationOptionError unless 0 < p < 1.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new EvaluationOptionError('p', p, 'a probability in (0, 1)');
  if (p < TAIL) return lowerTail(p);
  if (p > 1 - TAIL) return -lowerTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(A, r) * q) / (polynomial(B, r) * r + 1);
}
