/** Human-readable labels of the rule and preset names of @rlrp/core, for menus and headings. */
import { RULE_CHOICES } from '@rlrp/core';
import type { RuleOption } from '../schema';

const LABELS: Readonly<Record<string, string>> = {
  rlrp: 'R-LRP',
  lrp0: 'LRP-0',
  epsilon: 'LRP-ε',
  gamma: 'LRP-γ',
  alpha1beta0: 'LRP-α1β0',
  alpha2beta1: 'LRP-α2β1',
  zplus: 'LRP-z⁺',
  zbox: 'LRP-zᴮ (box)',
  wsquare: 'LRP-w²',
  flat: 'LRP-flat',
  'gradient-x-input': 'gradient × input',
};

/** The label of a rule or preset name (the name itself for presets and unknown names). */
export function ruleLabel(rule: string): string {
  return LABELS[rule] ?? rule;
}

/** Menu entries for rule names; default: every rule and preset the engine knows. */
export function ruleOptions(rules: readonly string[] = RULE_CHOICES): RuleOption[] {
  return rules.map((value) => ({ value, label: ruleLabel(value) }));
}
