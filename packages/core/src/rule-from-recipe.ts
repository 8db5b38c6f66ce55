import {
  epsilonAlpha2Beta1,
  epsilonAlpha2Beta1Flat,
  epsilonGammaBox,
  epsilonPlus,
  epsilonPlusFlat,
  type Composite,
} from './composites';
import { EngineError } from './errors';
import { ownValue } from './own-value';
import { alphaBeta } from './rules/alpha-beta';
import { zBox } from './rules/box';
import { epsilon } from './rules/epsilon';
import { flat } from './rules/flat';
import { gamma } from './rules/gamma';
import { gradientTimesInput } from './rules/gradient';
import { recipeOf, type RecipeFactory, type RuleRecipe } from './rules/recipe';
import { rlrp } from './rules/rlrp';
import type { Rule } from './rules/rule';
import { wSquare } from './rules/w-square';
import { zPlus } from './rules/z-plus';
import type { PresetName, RuleChoice, RuleName } from './types';

/** A factory called with a recipe's arguments; each checks them as when a user calls it. */
type Factory = (...args: never[]) => Rule | Composite;

const FACTORIES: Readonly<Record<RecipeFactory, Factory>> = {
  rlrp,
  epsilon,
  gamma,
  alphaBeta,
  zPlus,
  zBox,
  wSquare,
  flat,
  gradientTimesInput,
  epsilonPlus,
  epsilonPlusFlat,
  epsilonGammaBox,
  epsilonAlpha2Beta1,
  epsilonAlpha2Beta1Flat,
};

/**
 * The rule or composite `recipe` describes, made by the factory it names with its arguments: what a
 * pool's worker explains with in place of the object the caller gave (rules/recipe.ts).
 *
 * @throws EngineError for a factory this package does not have (an `Object.prototype` member
 *   included) or arguments that are not an array; what the factory throws for its arguments
 *   (RuleParameterError).
 */
export function ruleFromRecipe(recipe: RuleRecipe): Rule | Composite {
  const factory = ownValue<Factory>(FACTORIES, String(recipe.factory));
  if (!factory || !Array.isArray(recipe.args)) {
    throw new EngineError(
      `No rule can be made from the recipe ${JSON.stringify(String(recipe.factory))}: it names no factory of this package, or its arguments are not a list.`,
    );
  }
  return (factory as (...args: readonly unknown[]) => Rule | Composite)(...recipe.args);
}

/** A rule choice as a pool's workers can be sent it: a name, or an object's recipe. */
export type SendableRule = RuleName | PresetName | RuleRecipe;

/**
 * `choice` as a worker can be sent it, or `undefined` when it cannot be: a rule or composite made
 * otherwise than by a factory of this package (or changed since), which the caller's thread
 * explains itself.
 */
export function sendableRule(choice: RuleChoice): SendableRule | undefined {
  return typeof choice === 'string' ? choice : recipeOf(choice);
}

/** The rule choice a worker explains with for what it was sent. */
export function receivedRule(sent: SendableRule): RuleChoice {
  return typeof sent === 'string' ? sent : ruleFromRecipe(sent);
}
