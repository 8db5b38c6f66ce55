import { alphaBetaGroups } from './alpha-beta';
import { classicalRule } from './rule-builder';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';
import { withRecipe } from './recipe';

/** Options of {@link zPlus}. */
export interface ZPlusOptions {
  /** Keep the positive bias part in the denominator as zennit 0.5 does (default `true`). */
  readonly bias?: boolean;
}

/**
 * z⁺ (zennit's `ZPlus`): only the positive contributions `a⁺w⁺ + a⁻w⁻`, over their sum plus `b⁺` —
 * exactly LRP-α1β0. `zPlus({ bias: false })` is the bias-free form of the DTD paper.
 */
export function zPlus(options: ZPlusOptions = {}): Rule {
  const withBias = options.bias ?? true;
  const rule = classicalRule({
    name: 'zplus',
    description: withBias ? 'LRP-z⁺' : 'LRP-z⁺ (bias ignored)',
    groups: alphaBetaGroups(1, 0, withBias),
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'zPlus', [options]);
}
