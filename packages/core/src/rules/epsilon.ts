import { RuleParameterError } from '../errors';
import { classicalRule, type EpsilonSetting } from './rule-builder';
import type { Rule } from './rule';
import { withRecipe } from './recipe';

export type { EpsilonSetting } from './rule-builder';

function describe(epsilon: EpsilonSetting): string {
  return typeof epsilon === 'number' ? `ε = ${epsilon}` : `ε = ${epsilon.timesStd}·std(z)`;
}

/**
 * LRP-ε (zennit's `Epsilon`): `R_j = Σ_k a_j w_jk / (z_k + ε·sign(z_k)) · R_k` with sign(0) = +1 and
 * the bias in `z_k`. `epsilon(0)` is LRP-0.
 */
export function epsilon(setting: EpsilonSetting = 1e-6): Rule {
  const value = typeof setting === 'number' ? setting : setting.timesStd;
  if (!Number.isFinite(value) || value < 0) {
    throw new RuleParameterError(
      `LRP-ε needs a finite ε ≥ 0 (got ${value}). Use e.g. epsilon(1e-6) or epsilon({ timesStd: 0.25 }).`,
    );
  }
  const isZero = typeof setting === 'number' && setting === 0;
  const rule = classicalRule({
    name: isZero ? 'lrp0' : 'epsilon',
    description: isZero ? 'LRP-0' : `LRP-ε (${describe(setting)})`,
    groups: [{ terms: [{ input: 'input', params: 'own' }] }],
    // A copy: an options object the caller changes later must not change this rule (nor make it
    // differ from the one its recipe makes in a pool's workers).
    stabiliser: typeof setting === 'number' ? setting : { timesStd: value },
  });
  return withRecipe(rule, 'epsilon', [setting]);
}

/**
 * LRP-0: `R_j = Σ_k a_j w_jk / z_k · R_k`, with no stabiliser on the layers it is given (it may
 * return ±Inf or NaN where some `z_k` is exactly 0; pooling and Add keep zennit's stabilised split).
 */
export function lrp0(): Rule {
  return epsilon(0);
}
