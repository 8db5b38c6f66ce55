/**
 * The methods of the comparison, with the short ids the --methods flag takes. "R-LRP" is always the
 * rule as specified (docs/r-lrp.md); nothing here changes it.
 */
import { epsilon, type RuleChoice } from '@rlrp/core';

/** One row of the comparison tables. */
export interface ComparedMethod {
  /** Id for `--methods`. */
  readonly id: string;
  /** Name in the tables. */
  readonly name: string;
  /** The rule, preset or composite; undefined for the random ranking. */
  readonly rule?: RuleChoice;
  /** Line colour in the plots (RGB). */
  readonly color: readonly [number, number, number];
}

/** Every method, in table order; `random` last. */
export const COMPARED_METHODS: readonly ComparedMethod[] = [
  { id: 'rlrp', name: 'R-LRP', rule: 'rlrp', color: [220, 20, 60] },
  { id: 'lrp0', name: 'LRP-0', rule: 'lrp0', color: [31, 119, 180] },
  // By name: the named rule is ε = 1e-6.
  { id: 'eps', name: 'LRP-ε (ε = 1e-6)', rule: 'epsilon', color: [255, 127, 14] },
  {
    id: 'eps-std',
    name: 'LRP-ε (ε = 0.25·std)',
    rule: epsilon({ timesStd: 0.25 }),
    color: [44, 160, 44],
  },
  { id: 'gamma', name: 'LRP-γ (γ = 0.25)', rule: 'gamma', color: [148, 103, 189] },
  { id: 'a1b0', name: 'LRP-α1β0', rule: 'alpha1beta0', color: [140, 86, 75] },
  { id: 'a2b1', name: 'LRP-α2β1', rule: 'alpha2beta1', color: [227, 119, 194] },
  { id: 'epf', name: 'EpsilonPlusFlat', rule: 'EpsilonPlusFlat', color: [188, 189, 34] },
  { id: 'gxi', name: 'Gradient×Input', rule: 'gradient-x-input', color: [23, 190, 207] },
  { id: 'random', name: 'random', color: [127, 127, 127] },
];
