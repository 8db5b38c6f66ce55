/**
 * Rules and composites made by this package's factories travel to a pool's workers as recipes
 * (rules/recipe.ts): the rule made again from its recipe explains exactly as the one given; an
 * object made otherwise, copied or changed has no recipe, so no worker runs another rule than the
 * one given; a pool explains a recipe's rule as this thread does.
 */
import * as tf from '@tensorflow/tfjs';
import {
  alphaBeta,
  EngineError,
  epsilon,
  epsilonAlpha2Beta1,
  epsilonAlpha2Beta1Flat,
  epsilonGammaBox,
  epsilonPlus,
  epsilonPlusFlat,
  explain,
  flat,
  gamma,
  gradientTimesInput,
  lrp0,
  releaseExplainCache,
  rlrp,
  RuleParameterError,
  wSquare,
  zBox,
  zPlus,
  type RuleChoice,
} from '../src/index';
import { ExplainPool } from '../src/engine/explain-pool';
import { recipeOf } from '../src/rules/recipe';
import { ruleFromRecipe, sendableRule } from '../src/rule-from-recipe';
import { seededConvNet } from './support/seeded-conv-net';
import { largestDifference, largestMagnitude } from './support/this-thread-relevance';

/** Every factory, with arguments other than its defaults where it takes any. */
const MADE: readonly (readonly [string, () => RuleChoice])[] = [
  ['rlrp()', rlrp],
  ['lrp0()', lrp0],
  ['epsilon(1e-3)', () => epsilon(1e-3)],
  ['epsilon({ timesStd: 0.25 })', () => epsilon({ timesStd: 0.25 })],
  ['gamma(0.5)', () => gamma(0.5)],
  ["gamma({ gamma: 0.1, variant: 'classic' })", () => gamma({ gamma: 0.1, variant: 'classic' })],
  ['alphaBeta(2, 1)', () => alphaBeta(2, 1)],
  ['alphaBeta(1, 0, { ignoreBias: true })', () => alphaBeta(1, 0, { ignoreBias: true })],
  ['zPlus({ bias: false })', () => zPlus({ bias: false })],
  ['zBox({ low: -1, high: 2 })', () => zBox({ low: -1, high: 2 })],
  ['wSquare({ bias: false })', () => wSquare({ bias: false })],
  ['flat()', flat],
  ['gradientTimesInput()', gradientTimesInput],
  ['epsilonPlus({ epsilon: 1e-2 })', () => epsilonPlus({ epsilon: 1e-2 })],
  [
    'epsilonPlusFlat({ epsilon: { timesStd: 0.1 } })',
    () => epsilonPlusFlat({ epsilon: { timesStd: 0.1 } }),
  ],
  ['epsilonGammaBox({ gamma: 0.5, low: -1 })', () => epsilonGammaBox({ gamma: 0.5, low: -1 })],
  ['epsilonAlpha2Beta1()', () => epsilonAlpha2Beta1()],
  ['epsilonAlpha2Beta1Flat({ epsilon: 0 })', () => epsilonAlpha2Beta1Flat({ epsilon: 0 })],
];

describe('rule recipes', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;

  beforeAll(() => {
    model = seededConvNet({ inputShape: [8, 8, 2], classes: 4, hidden: 6 });
    // Inputs of both signs, so that the rules' a⁻ terms and zᴮ's bounds matter.
    x = tf.randomUniform([3, 8, 8, 2], -1, 1, 'float32', 3) as tf.Tensor4D;
  });
  afterAll(() => {
    x.dispose();
    model.dispose();
    releaseExplainCache();
  });

  const relevanceOf = (rule: RuleChoice) => {
    const e = explain(model, x, { rule, target: [0, 1, 3] });
    const values = e.relevance.dataSync().slice();
    e.dispose();
    return values;
  };

  it.each(MADE)('%s made again from its recipe explains exactly as the one given', (_, make) => {
    const given = make();
    const recipe = recipeOf(given as object);
    if (!recipe) throw new Error('no recipe');
    // Sent as a worker is sent it: a structured clone.
    const made = ruleFromRecipe(structuredClone(recipe));
    expect(made).not.toBe(given);
    const expected = relevanceOf(given);
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0);
    expect(relevanceOf(made)).toEqual(expected);
  });

  it('keeps the arguments as they were: an options object changed later changes neither', () => {
    const options = { gamma: 0.5 };
    const rule = gamma(options);
    options.gamma = 3;
    expect(recipeOf(rule)).toEqual({ factory: 'gamma', args: [{ gamma: 0.5 }] });
    // LRP-ε reads its setting when it explains: it keeps a copy, as its recipe does.
    const setting = { timesStd: 0.25 };
    const rules = [epsilon(setting), epsilonPlus({ epsilon: setting })];
    const expected = [
      relevanceOf(epsilon({ timesStd: 0.25 })),
      relevanceOf(epsilonPlus({ epsilon: { timesStd: 0.25 } })),
    ];
    setting.timesStd = 5;
    rules.forEach((rule, i) => {
      expect(relevanceOf(rule)).toEqual(expected[i]);
      const recipe = recipeOf(rule);
      if (!recipe) throw new Error('no recipe');
      expect(relevanceOf(ruleFromRecipe(recipe))).toEqual(expected[i]);
    });
  });

  it('gives none for objects made otherwise, copied or changed, nor for tensor arguments', () => {
    const copy = { ...epsilon() };
    expect(recipeOf(copy)).toBeUndefined();
    const changed = epsilon();
    Object.assign(changed, { linear: gradientTimesInput().linear });
    expect(recipeOf(changed)).toBeUndefined();
    // Changed inside: a rule's unchecked steps, a composite's rules.
    const uncheckedChanged = rlrp();
    Object.assign(uncheckedChanged.unchecked ?? {}, { linear: undefined });
    expect(recipeOf(uncheckedChanged)).toBeUndefined();
    const compositeChanged = epsilonPlus();
    Object.assign(compositeChanged.rules[0], { linear: gradientTimesInput().linear });
    expect(recipeOf(compositeChanged)).toBeUndefined();
    expect(recipeOf(epsilonPlus())).toBeDefined();
    // Arguments a copy would not carry as the factory read them: hidden or computed properties.
    expect(recipeOf(gamma(Object.defineProperty({}, 'gamma', { value: 0.5 })))).toBeUndefined();
    expect(
      recipeOf(
        gamma({
          get gamma() {
            return 0.5;
          },
        }),
      ),
    ).toBeUndefined();
    const bound = tf.zeros([8, 8, 2]);
    expect(recipeOf(zBox({ low: bound, high: 1 }))).toBeUndefined();
    expect(recipeOf(epsilonGammaBox({ low: bound }))).toBeUndefined();
    bound.dispose();
    // A name goes as it is; the changed rule cannot go at all.
    expect(sendableRule('gamma')).toBe('gamma');
    expect(sendableRule(changed)).toBeUndefined();
  });

  it('throws typed errors for a factory it does not have and for bad arguments', () => {
    type Recipe = Parameters<typeof ruleFromRecipe>[0];
    // Names a message could carry that are Object.prototype's, not a factory's.
    for (const factory of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => ruleFromRecipe({ factory, args: [] } as unknown as Recipe)).toThrow(EngineError);
    }
    const notAList = { factory: 'gamma', args: '0.5' } as unknown as Recipe;
    expect(() => ruleFromRecipe(notAList)).toThrow(EngineError);
    expect(() => ruleFromRecipe({ factory: 'gamma', args: [-1] })).toThrow(RuleParameterError);
    expect(() => ruleFromRecipe({ factory: 'epsilon', args: [Number.NaN] })).toThrow(
      RuleParameterError,
    );
  });

  it('carries float32 extremes, denormals and −0 as they were given', () => {
    for (const value of [-0, 1e-45, 1.17549435e-38, 3.4028234663852886e38, Number.MAX_VALUE]) {
      const recipe = recipeOf(epsilon(value));
      if (!recipe) throw new Error('no recipe');
      const sent = structuredClone(recipe);
      expect(Object.is(sent.args[0], value)).toBe(true);
      expect(ruleFromRecipe(sent)).toMatchObject({ name: value === 0 ? 'lrp0' : 'epsilon' });
    }
  });
});

describe('an ExplainPool given a rule object', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  let pool: ExplainPool;

  beforeAll(async () => {
    model = seededConvNet({ inputShape: [8, 8, 1], classes: 3 });
    x = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    pool = await ExplainPool.start(model, { workers: 2 });
  });
  afterAll(async () => {
    await pool.close();
    x.dispose();
    model.dispose();
    releaseExplainCache();
  });

  it("explains a factory's rule as this thread does, and refuses one made by hand", async () => {
    const rule = epsilonPlusFlat({ epsilon: { timesStd: 0.25 } });
    const e = explain(model, x, { rule, target: 2 });
    const expected = Float32Array.from(e.relevance.dataSync());
    e.dispose();
    const before = tf.memory().numTensors;
    const pooled = await pool.explain(x, { rule, target: 2 });
    // The workers' native kernels run on one thread each, this thread's on more: sums may round
    // differently (explain-pool.test.ts).
    expect(largestDifference(pooled, expected)).toBeLessThan(1e-5);
    expect(largestMagnitude(expected)).toBeGreaterThan(0);
    pooled.dispose();
    const byHand = { ...gamma(0.5) };
    await expect(pool.explain(x, { rule: byHand })).rejects.toThrow(EngineError);
    await expect(pool.explain(x, { rule: byHand })).rejects.toThrow(/factory/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
