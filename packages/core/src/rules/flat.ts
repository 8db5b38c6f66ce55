import { classicalRule } from './rule-builder';
import type { Rule } from './rule';
import { DEFAULT_STABILISER } from './stabilise';
import { withRecipe } from './recipe';

/**
 * flat (zennit's `Flat`): `R_i = Σ_j 1/N_j · R_j`, `N_j` the number of inputs in output j's receptive
 * field (a ones input through all-ones weights, so padded cells do not count); the bias is ignored.
 */
export function flat(): Rule {
  const rule = classicalRule({
    name: 'flat',
    description: 'LRP-flat',
    groups: [{ terms: [{ input: 'ones', params: 'ones' }] }],
    stabiliser: DEFAULT_STABILISER,
  });
  return withRecipe(rule, 'flat', []);
}
