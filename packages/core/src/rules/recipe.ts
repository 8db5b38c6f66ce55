/**
 * How a rule or composite made by one of this package's factories can be made again in another
 * thread: the factory's name and its arguments. A pool's workers cannot be sent a rule object (it
 * holds functions); without a recipe `compareMethods` explains it in the calling thread, on one
 * core, while the workers wait. A configured rule such as `epsilon({ timesStd: 0.25 })` or
 * `gamma(0.5)` travels as its recipe instead, and each worker calls the same factory.
 *
 * Kept beside the object rather than on it: a copy a user changes (`{ ...epsilon(), linear }`) is
 * another object and has no recipe, and a rule whose own properties were reassigned since the
 * factory returned it loses its recipe too, so the workers never run a rule other than the one given.
 */

/** The factories whose results carry a recipe (rule-from-recipe.ts calls them back). */
export type RecipeFactory =
  | 'rlrp'
  | 'epsilon'
  | 'gamma'
  | 'alphaBeta'
  | 'zPlus'
  | 'zBox'
  | 'wSquare'
  | 'flat'
  | 'gradientTimesInput'
  | 'epsilonPlus'
  | 'epsilonPlusFlat'
  | 'epsilonGammaBox'
  | 'epsilonAlpha2Beta1'
  | 'epsilonAlpha2Beta1Flat';

/** A factory's name and its arguments: numbers, strings, booleans and plain objects of them. */
export interface RuleRecipe {
  readonly factory: RecipeFactory;
  readonly args: readonly unknown[];
}

interface Made {
  readonly recipe: RuleRecipe;
  /** The object's own properties as the factory returned them. */
  readonly properties: readonly (readonly [string, unknown])[];
}

const made = new WeakMap<object, Made>();

/**
 * Whether `value` is data a worker can be sent and a factory read back the same (no tensor). Options
 * nest two levels at most; deeper (or cyclic) data is not a factory's argument.
 */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'number' || type === 'string' || type === 'boolean') return true;
  if (type !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as object).every((v) => isPlainData(v, depth + 1));
}

/**
 * `result`, unchanged, with its recipe remembered when every argument is plain data (zᴮ with
 * per-pixel tensor bounds has none). For factories to call on what they return.
 */
export function withRecipe<T extends object>(
  result: T,
  factory: RecipeFactory,
  args: readonly unknown[],
): T {
  if (isPlainData(args)) {
    // A copy, so that an options object the caller changes later does not change the recipe.
    const recipe = { factory, args: structuredClone(args) };
    made.set(result, { recipe, properties: Object.entries(result) });
  }
  return result;
}

/**
 * The recipe of a rule or composite a factory made, or `undefined`: for objects made otherwise, for
 * copies, and for objects whose own properties changed since.
 */
export function recipeOf(choice: object): RuleRecipe | undefined {
  const entry = made.get(choice);
  if (!entry) return undefined;
  const now = Object.entries(choice);
  const unchanged =
    now.length === entry.properties.length &&
    now.every(
      ([key, value], i) => key === entry.properties[i][0] && value === entry.properties[i][1],
    );
  return unchanged ? entry.recipe : undefined;
}
