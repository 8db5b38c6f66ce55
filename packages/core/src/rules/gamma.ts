import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import { mapParams } from '../layers/linear-op';
import type { Rule } from './rule';
import { classicalAddSplit, classicalStart, DEFAULT_STABILISER, stabilise } from './stabilise';

/** LRP-γ: weights and bias replaced by `w + γw⁺`, `b + γb⁺` in numerator and denominator. */
export function gamma(value = 0.25): Rule {
  if (!Number.isFinite(value) || value < 0) {
    throw new RuleParameterError(`LRP-γ needs a finite γ ≥ 0 (got ${value}), e.g. gamma(0.25).`);
  }
  return {
    name: 'gamma',
    description: `LRP-γ (γ = ${value})`,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) =>
      tf.tidy(() => {
        const boost = (t: tf.Tensor) => t.add(tf.relu(t).mul(value));
        const params = mapParams(context.op.params, boost, boost);
        const z = context.op.forward(context.input, params);
        const ratio = relevance.div(stabilise(z, DEFAULT_STABILISER));
        return context.input.mul(context.op.transpose(ratio, context.input.shape, params));
      }),
    add: (inputs, output, relevance) =>
      classicalAddSplit(inputs, output, relevance, DEFAULT_STABILISER),
  };
}
