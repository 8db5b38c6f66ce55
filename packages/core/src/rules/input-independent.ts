import * as tf from '@tensorflow/tfjs';
import type { WeightRewrite } from '../layers/derived-params';
import type { Rule } from './rule';
import { classicalAddSplit, classicalStart, DEFAULT_STABILISER, stabilise } from './stabilise';

/**
 * Rules that ignore the input activation and spread relevance by (rewritten) weights alone:
 * `R_i = Σ_j v_ij / Σ_i v_ij · R_j` with `v = g(w)`. The denominators are the forward pass of a
 * ones input, so a convolution's receptive field excludes padded cells.
 */
function weightOnly(name: string, description: string, rewrite: WeightRewrite): Rule {
  return {
    name,
    description,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) =>
      tf.tidy(() => {
        const { op, input } = context;
        const params = op.derived.get(rewrite);
        const z = op.forward(tf.onesLike(input), params);
        const ratio = relevance.div(stabilise(z, DEFAULT_STABILISER));
        return op.transpose(ratio, input.shape, params);
      }),
    add: (inputs, output, relevance) =>
      classicalAddSplit(inputs, output, relevance, DEFAULT_STABILISER),
  };
}

/** w²: `R_i = Σ_j w_ij² / Σ_i w_ij² · R_j`. */
export function wSquare(): Rule {
  return weightOnly('wsquare', 'LRP-w²', 'w²');
}

/** flat: `R_i = Σ_j 1/N_j · R_j` over each output's receptive field. */
export function flat(): Rule {
  return weightOnly('flat', 'LRP-flat', 'ones');
}
