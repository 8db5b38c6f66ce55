import * as tf from '@tensorflow/tfjs';
import { RuleParameterError } from '../errors';
import { negativePart } from '../layers/derived-params';
import type { LinearOp, LinearParams } from '../layers/linear-op';
import { classicalRule, type TermGroup } from './rule-builder';
import { withRecipe } from './recipe';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';

/** Options of {@link gamma}. */
export interface GammaOptions {
  /** γ ≥ 0; default 0.25. */
  readonly gamma?: number;
  /**
   * `'generalised'` (default): zennit ≥ 0.5's sign-aware form. `'classic'`: `w + γw⁺`, `b + γb⁺` for
   * every input and output, as in Montavon et al. 2019 (the same on ReLU nets wherever relevance
   * reaches only positive outputs).
   */
  readonly variant?: 'generalised' | 'classic';
}

type Part = 'positive' | 'negative';

/** The kept parameters `w + γw^±` (and `b + γb^±` when `withBias`) of one layer. */
function boosted(gammaValue: number, part: Part, withBias: boolean) {
  const clamp = part === 'positive' ? tf.relu : negativePart;
  const boost = (t: tf.Tensor) => t.add(clamp(t).mul(gammaValue));
  const sign = part === 'positive' ? '+' : '-';
  const weightKey = `w+${gammaValue}w${sign}`;
  return (op: LinearOp): LinearParams => {
    const weightOnly = op.derived.custom(weightKey, { weight: boost, bias: null });
    if (!withBias) return weightOnly;
    return op.derived.custom(`${weightKey} b+${gammaValue}b${sign}`, {
      weight: boost,
      bias: boost,
      sharesWeightWith: weightKey,
    });
  };
}

/**
 * LRP-γ. Default, zennit ≥ 0.5's generalised γ: contributions that agree in sign with the output are
 * favoured. Where `z_k > 0`, `a⁺` sees `w + γw⁺` and `a⁻` sees `w + γw⁻`, over their sum plus
 * `b + γb⁺`; where `z_k < 0`, `a⁺` sees `w + γw⁻` and `a⁻` sees `w + γw⁺`, over their sum plus
 * `b + γb⁻`; an output with `z_k = 0` passes nothing. Denominators stabilised with 10⁻⁶.
 * `gamma(0.25)` and `gamma({ gamma: 0.25, variant: 'classic' })` are both accepted.
 */
export function gamma(options: number | GammaOptions = 0.25): Rule {
  const { gamma: value = 0.25, variant = 'generalised' } =
    typeof options === 'number' ? { gamma: options } : options;
  if (!Number.isFinite(value) || value < 0) {
    throw new RuleParameterError(`LRP-γ needs a finite γ ≥ 0 (got ${value}), e.g. gamma(0.25).`);
  }
  if (variant !== 'generalised' && variant !== 'classic') {
    throw new RuleParameterError(
      `LRP-γ has the variants 'generalised' and 'classic' (got '${String(variant)}').`,
    );
  }
  const groups: TermGroup[] =
    variant === 'classic'
      ? [{ terms: [{ input: 'input', params: boosted(value, 'positive', true) }] }]
      : [
          {
            outputs: 'positive-outputs',
            terms: [
              { input: 'positive', params: boosted(value, 'positive', true) },
              { input: 'negative', params: boosted(value, 'negative', false) },
            ],
          },
          {
            outputs: 'negative-outputs',
            terms: [
              { input: 'positive', params: boosted(value, 'negative', true) },
              { input: 'negative', params: boosted(value, 'positive', false) },
            ],
          },
        ];
  const rule = classicalRule({
    name: 'gamma',
    description: `LRP-γ (γ = ${value}${variant === 'classic' ? ', classic' : ''})`,
    groups,
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'gamma', [options]);
}
