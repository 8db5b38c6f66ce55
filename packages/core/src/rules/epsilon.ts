import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import type { Rule } from './rule';
import { classicalAddSplit, classicalStart, stabilise } from './stabilise';

/** ε as a constant, or as a multiple of the standard deviation of each layer's pre-activations. */
export type EpsilonSetting = number | { readonly timesStd: number };

function describe(epsilon: EpsilonSetting): string {
  return typeof epsilon === 'number' ? `ε = ${epsilon}` : `ε = ${epsilon.timesStd}·std(z)`;
}

/** ε for one layer: the constant, or `timesStd · std(z)` per sample, shaped to broadcast. */
function epsilonFor(setting: EpsilonSetting, z: tf.Tensor): number | tf.Tensor {
  if (typeof setting === 'number') return setting;
  const axes = z.shape.map((_, i) => i).slice(1);
  return tf.moments(z, axes, true).variance.sqrt().mul(setting.timesStd);
}

/**
 * LRP-ε: `R_j = Σ_k a_j w_jk / (z_k + ε·sign(z_k)) · R_k` with sign(0) = +1. The Add split uses the
 * same ε. `epsilon(0)` is LRP-0.
 */
export function epsilon(setting: EpsilonSetting = 1e-6): Rule {
  const value = typeof setting === 'number' ? setting : setting.timesStd;
  if (!Number.isFinite(value) || value < 0) {
    throw new RuleParameterError(
      `LRP-ε needs a finite ε ≥ 0 (got ${value}). Use e.g. epsilon(1e-6) or epsilon({ timesStd: 0.25 }).`,
    );
  }
  const isZero = typeof setting === 'number' && setting === 0;
  return {
    name: isZero ? 'lrp0' : 'epsilon',
    description: isZero ? 'LRP-0' : `LRP-ε (${describe(setting)})`,
    propagates: 'relevance',
    uniformOnly: false,
    initialRelevance: classicalStart,
    linear: (context, relevance) =>
      tf.tidy(() => {
        const z = context.output;
        const ratio = relevance.div(stabilise(z, epsilonFor(setting, z)));
        return context.input.mul(context.op.transpose(ratio, context.input.shape));
      }),
    add: (inputs, output, relevance) =>
      tf.tidy(() => classicalAddSplit(inputs, output, relevance, epsilonFor(setting, output))),
  };
}

/** LRP-0: `R_j = Σ_k a_j w_jk / z_k · R_k`, with no stabiliser (it may return ±Inf or NaN). */
export function lrp0(): Rule {
  return epsilon(0);
}
