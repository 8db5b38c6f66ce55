export type { Rule, LinearContext } from './rule';
export { rlrp } from './rlrp';
export { epsilon, lrp0, type EpsilonSetting } from './epsilon';
export { gamma } from './gamma';
export { alphaBeta, zPlus } from './alpha-beta';
export { zBox, type BoxBounds } from './box';
export { wSquare, flat } from './input-independent';
export { gradientTimesInput } from './gradient';
