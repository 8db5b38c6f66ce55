import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import type { Rule } from './rule';
import { classicalAddSplit, classicalStart, DEFAULT_STABILISER, stabilise } from './stabilise';

/** Pixel bounds of zᴮ: numbers for every input value, or arrays shaped like one input sample. */
export interface BoxBounds {
  readonly low: number | tf.Tensor;
  readonly high: number | tf.Tensor;
}

/**
 * zᴮ (the box rule) for an input layer with pixel bounds `l ≤ x ≤ h`:
 * `R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i(x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) · R_j`.
 */
export function zBox(bounds: BoxBounds = { low: 0, high: 1 }): Rule {
  const { low, high } = bounds;
  if (typeof low === 'number' && typeof high === 'number' && !(low <= high)) {
    throw new RuleParameterError(`zᴮ needs low ≤ high (got low = ${low}, high = ${high}).`);
  }
  const describeBound = (b: number | tf.Tensor) =>
    typeof b === 'number' ? String(b) : 'per-pixel';
  return {
    name: 'zbox',
    description: `LRP-zᴮ (low = ${describeBound(low)}, high = ${describeBound(high)})`,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) =>
      tf.tidy(() => {
        const { op, input } = context;
        const l = tf.zerosLike(input).add(low);
        const h = tf.zerosLike(input).add(high);
        const plain = op.derived.get('w');
        const pos = op.derived.get('w+');
        const neg = op.derived.get('w-');
        const z = op.forward(input, plain).sub(op.forward(l, pos)).sub(op.forward(h, neg));
        const ratio = relevance.div(stabilise(z, DEFAULT_STABILISER));
        return input
          .mul(op.transpose(ratio, input.shape, plain))
          .sub(l.mul(op.transpose(ratio, input.shape, pos)))
          .sub(h.mul(op.transpose(ratio, input.shape, neg)));
      }),
    add: (inputs, output, relevance) =>
      classicalAddSplit(inputs, output, relevance, DEFAULT_STABILISER),
  };
}
