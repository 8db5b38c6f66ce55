import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import { classicalRule } from './rule-builder';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';
import { withRecipe } from './recipe';

/** Pixel bounds of zᴮ: numbers for every input value, or arrays shaped like one input sample. */
export interface BoxBounds {
  readonly low: number | tf.Tensor;
  readonly high: number | tf.Tensor;
}

/**
 * zᴮ (the box rule, zennit's `ZBox`) for an input layer with pixel bounds `l ≤ x ≤ h`:
 * `R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i(x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) · R_j`
 * (zennit adds `b − b⁺ − b⁻ = 0` to the denominator: the bias cancels).
 */
export function zBox(bounds: BoxBounds = { low: 0, high: 1 }): Rule {
  const { low, high } = bounds;
  if (typeof low === 'number' && typeof high === 'number' && !(low <= high)) {
    throw new RuleParameterError(`zᴮ needs low ≤ high (got low = ${low}, high = ${high}).`);
  }
  const describeBound = (b: number | tf.Tensor) =>
    typeof b === 'number' ? String(b) : 'per-pixel';
  const filled = (bound: number | tf.Tensor) => (a: tf.Tensor) => tf.zerosLike(a).add(bound);
  const rule = classicalRule({
    name: 'zbox',
    description: `LRP-zᴮ (low = ${describeBound(low)}, high = ${describeBound(high)})`,
    groups: [
      {
        terms: [
          { input: 'input', params: 'w' },
          { input: filled(low), params: 'w+', sign: -1 },
          { input: filled(high), params: 'w-', sign: -1 },
        ],
      },
    ],
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'zBox', [bounds]);
}
