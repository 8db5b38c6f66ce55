import type { RuleName } from '../types';
import { alphaBeta, zPlus } from './alpha-beta';
import { zBox } from './box';
import { epsilon, lrp0 } from './epsilon';
import { gamma } from './gamma';
import { gradientTimesInput } from './gradient';
import { flat, wSquare } from './input-independent';
import { rlrp } from './rlrp';
import type { Rule } from './rule';

/** Every rule name with the rule it stands for, default parameters. */
export const RULES_BY_NAME: Readonly<Record<RuleName, () => Rule>> = {
  rlrp,
  lrp0,
  epsilon: () => epsilon(),
  gamma: () => gamma(),
  alpha1beta0: () => alphaBeta(1, 0),
  alpha2beta1: () => alphaBeta(2, 1),
  zplus: zPlus,
  zbox: () => zBox(),
  wsquare: wSquare,
  flat,
  'gradient-x-input': gradientTimesInput,
};
