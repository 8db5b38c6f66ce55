import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import type { LinearParams } from '../layers/linear-op';
import type { LinearContext, Rule } from './rule';
import { classicalAddSplit, classicalStart, DEFAULT_STABILISER, stabilise } from './stabilise';

/**
 * The positive (or negative) contributions `(a_j w_jk)^±` of a layer for inputs of either sign:
 * `(a w)⁺ = a⁺w⁺ + a⁻w⁻` and `(a w)⁻ = a⁺w⁻ + a⁻w⁺`, and the relevance they receive.
 */
function signedShare(
  context: LinearContext,
  relevance: tf.Tensor,
  sign: 'positive' | 'negative',
  withBias: boolean,
  inputIsNonNegative: boolean,
): tf.Tensor {
  return tf.tidy(() => {
    const { op, input } = context;
    const positive = sign === 'positive';
    // Weights of the share's own sign (with the bias part of that sign) for positive inputs,
    // of the opposite sign for negative ones.
    const forPositiveInputs = positive ? (withBias ? 'w+ b+' : 'w+') : withBias ? 'w- b-' : 'w-';
    const pA: LinearParams = op.derived.get(forPositiveInputs);
    if (inputIsNonNegative) {
      // After a ReLU (or on [0, 1] pixels) a⁻ = 0: half the work of the general case.
      const z = op.forward(input, pA);
      const ratio = relevance.div(stabilise(z, DEFAULT_STABILISER));
      return input.mul(op.transpose(ratio, input.shape, pA));
    }
    const aPos = tf.relu(input);
    const aNeg = tf.neg(tf.relu(tf.neg(input)));
    const pB: LinearParams = op.derived.get(positive ? 'w-' : 'w+');
    const z = op.forward(aPos, pA).add(op.forward(aNeg, pB));
    const ratio = relevance.div(stabilise(z, DEFAULT_STABILISER));
    return aPos
      .mul(op.transpose(ratio, input.shape, pA))
      .add(aNeg.mul(op.transpose(ratio, input.shape, pB)));
  });
}

/**
 * LRP-αβ (α − β = 1): `R_j = Σ_k (α·(a_j w_jk)⁺/Σ_j(a_j w_jk)⁺ − β·(a_j w_jk)⁻/Σ_j(a_j w_jk)⁻) R_k`,
 * with the bias split into its positive part (added to the positive denominator) and its negative
 * part. `ignoreBias` gives z⁺ for α1β0.
 */
export function alphaBeta(
  alpha: number,
  beta: number,
  options: { ignoreBias?: boolean } = {},
): Rule {
  if (
    !Number.isFinite(alpha) ||
    !Number.isFinite(beta) ||
    beta < 0 ||
    Math.abs(alpha - beta - 1) > 1e-9
  ) {
    throw new RuleParameterError(
      `LRP-αβ needs α − β = 1 with β ≥ 0 (got α = ${alpha}, β = ${beta}); e.g. alphaBeta(2, 1) or alphaBeta(1, 0).`,
    );
  }
  const withBias = !options.ignoreBias;
  const isZPlus = !withBias && alpha === 1 && beta === 0;
  return {
    name: isZPlus ? 'zplus' : `alpha${alpha}beta${beta}`,
    description: isZPlus ? 'LRP-z⁺' : `LRP-α${alpha}β${beta}`,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) =>
      tf.tidy(() => {
        const nonNegative = tf.min(context.input).dataSync()[0] >= 0;
        const positive = signedShare(context, relevance, 'positive', withBias, nonNegative).mul(
          alpha,
        );
        if (beta === 0) return positive;
        return positive.sub(
          signedShare(context, relevance, 'negative', withBias, nonNegative).mul(beta),
        );
      }),
    add: (inputs, output, relevance) =>
      classicalAddSplit(inputs, output, relevance, DEFAULT_STABILISER),
  };
}

/** z⁺: α1β0 with the bias ignored. */
export function zPlus(): Rule {
  return alphaBeta(1, 0, { ignoreBias: true });
}
