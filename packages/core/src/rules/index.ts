export type { Rule, LinearContext, Unchecked, UncheckedSteps } from './rule';
export {
  classicalRule,
  type RuleDefinition,
  type TermGroup,
  type Term,
  type InputModifier,
  type ParamModifier,
  type OutputSelection,
} from './rule-builder';
export { rlrp } from './rlrp';
export { epsilon, lrp0, type EpsilonSetting } from './epsilon';
export { gamma, type GammaOptions } from './gamma';
export { alphaBeta } from './alpha-beta';
export { zPlus, type ZPlusOptions } from './z-plus';
export { zBox, type BoxBounds } from './box';
export { wSquare, type WSquareOptions } from './w-square';
export { flat } from './flat';
export { norm } from './norm';
export { gradientPass } from './gradient-pass';
export { gradientTimesInput } from './gradient';
export type { RecipeFactory, RuleRecipe } from './recipe';
