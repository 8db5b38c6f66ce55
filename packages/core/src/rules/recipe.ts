/**
 * How a rule or composite made by one of this package's factories can be made again in another
 * thread: the factory's name and its arguments. A pool's workers cannot be sent a rule object (it
 * holds functions); without a recipe `compareMethods` explains it in the calling thread, on one
 * core, while the workers wait. A configured rule such as `epsilon({ timesStd: 0.25 })` or
 * `gamma(0.5)` travels as its recipe instead, and each worker calls the same factory.
 *
 * Kept beside the object rather than on it: a copy a user changes (`{ ...epsilon(), linear }`) is
 * another object and has no recipe, and a rule changed since the factory returned it (a property
 * of it, of its `unchecked` steps, of a composite's rules) loses its recipe too, so the workers
 * never run a rule other than the one given.
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
  /**
   * The own properties, as the factory returned them, of the object and of every plain object or
   * array it holds (a rule's `unchecked` steps, a composite's `rules`): a change anywhere in them
   * makes the object another rule.
   */
  readonly snapshot: readonly (readonly [object, readonly (readonly [string, unknown])[]])[];
}

const made = new WeakMap<object, Made>();

/**
 * Whether `value` is data a worker can be sent and a factory read back the same: numbers, strings,
 * booleans, and arrays and plain objects of them whose properties are plain values (an accessor
 * could answer the factory and the copy differently; a hidden property would not be copied).
 * Arguments nest three levels at most (an options object holding an ε setting); deeper (or cyclic)
 * data is not a factory's argument.
 */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'number' || type === 'string' || type === 'boolean') return true;
  if (type !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return false;
  return Object.entries(Object.getOwnPropertyDescriptors(value)).every(
    ([key, descriptor]) =>
      'value' in descriptor &&
      (descriptor.enumerable || (Array.isArray(value) && key === 'length')) &&
      isPlainData(descriptor.value, depth + 1),
  );
}

/** The own properties of `root` and of every plain object or array it holds, as they are now. */
function snapshotOf(root: object): Made['snapshot'] {
  const taken: [object, [string, unknown][]][] = [];
  const visit = (value: object, depth: number) => {
    if (depth > 4 || taken.some(([seen]) => seen === value)) return;
    const entries = Object.entries(value);
    taken.push([value, entries]);
    for (const [, inner] of entries) {
      if (inner !== null && typeof inner === 'object') visit(inner, depth + 1);
    }
  };
  visit(root, 0);
  return taken;
}

/** Whether every object of `snapshot` still has the same own properties with the same values. */
function unchanged(snapshot: Made['snapshot']): boolean {
  return snapshot.every(([value, before]) => {
    const now = Object.entries(value);
    return (
      now.length === before.length &&
      now.every(([key, v], i) => key === before[i][0] && v === before[i][1])
    );
  });
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
    made.set(result, { recipe, snapshot: snapshotOf(result) });
  }
  return result;
}

/**
 * The recipe of a rule or composite a factory made, or `undefined`: for objects made otherwise, for
 * copies, and for objects changed since (their own properties, or those of the objects and arrays
 * they hold: a rule's `unchecked` steps, a composite's rules).
 */
export function recipeOf(choice: object): RuleRecipe | undefined {
  const entry = made.get(choice);
  return entry && unchanged(entry.snapshot) ? entry.recipe : undefined;
}
