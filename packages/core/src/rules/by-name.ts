import { ownValue } from '../own-value';
import type { RuleName } from '../types';
import { alphaBeta } from './alpha-beta';
import { zBox } from './box';
import { epsilon, lrp0 } from './epsilon';
import { flat } from './flat';
import { gamma } from './gamma';
import { gradientTimesInput } from './gradient';
import { rlrp } from './rlrp';
import type { Rule } from './rule';
import { wSquare } from './w-square';
import { zPlus } from './z-plus';

/** Every rule name with the rule it stands for, default parameters (zennit 0.5's meaning). */
export const RULES_BY_NAME: Readonly<Record<RuleName, () => Rule>> = {
  rlrp,
  lrp0,
  epsilon: () => epsilon(),
  gamma: () => gamma(),
  alpha1beta0: () => alphaBeta(1, 0),
  alpha2beta1: () => alphaBeta(2, 1),
  zplus: () => zPlus(),
  zbox: () => zBox(),
  wsquare: () => wSquare(),
  flat,
  'gradient-x-input': gradientTimesInput,
};

/** The rule factory of `name`, or `undefined` — never an `Object.prototype` member. */
export function ruleByName(name: string): (() => Rule) | undefined {
  return ownValue(RULES_BY_NAME, name);
}
