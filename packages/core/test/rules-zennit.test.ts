/**
 * The zennit-0.5 conventions of the classical rules and composites that the engine-vs-reference
 * comparison alone does not pin down: LRP-0 stays finite at dead pooling windows (Norm there), the
 * variant options, family selection (DepthwiseConv2D is a convolution), typed errors for composite
 * entries that match nothing and for Object.prototype keys as rule names, and derived parameters
 * kept per layer rather than rebuilt per call.
 */
import * as tf from '@tensorflow/tfjs';
import {
  alphaBeta,
  classicalRule,
  composite,
  CompositeEntryError,
  epsilon,
  epsilonGammaBox,
  epsilonPlusFlat,
  explain,
  gamma,
  lrp0,
  prepare,
  releaseExplainCache,
  resnet50,
  RuleParameterError,
  uniform,
  UnknownRuleError,
  wSquare,
  zPlus,
  type RuleChoice,
} from '@rlrp/core';
import { classicalUniform, firstOf, nonWeightedRule, WEIGHTED } from './reference/engine-cases';
import { makeFixture, perSample, relativeTolerance } from './reference/engine-harness';
import {
  closeness,
  describeCloseness,
  describeModel,
  explainSample,
  type RefNode,
  type RefRule,
  setLayerWeights,
  handSetReluConv,
} from './reference';

/** Σ over samples of how many values are not finite. */
function nonFinite(t: tf.Tensor): number {
  return Array.from(t.dataSync()).filter((v) => !Number.isFinite(v)).length;
}

function relevanceOf(session: ReturnType<typeof prepare>, rule: RuleChoice, target = 0): number[] {
  const e = session.explain({ rule, target });
  try {
    return Array.from(e.relevance.dataSync());
  } finally {
    e.dispose();
  }
}

const maxAbsDiff = (a: readonly number[], b: readonly number[]) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('LRP-0 on a ReLU CNN with a dead average-pool window and a dead global-average channel', () => {
  it('is finite (Norm at pooling) and equals the reference; LRP-0 on the pooling layers too is NaN', () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        handSetReluConv(1),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 2 }),
      ],
    });
    // filter 0 = −1 on a positive image: channel 0 is dead everywhere (every pooling window of it,
    // and its global average, is exactly 0).
    setLayerWeights(model.layers[0], [tf.tensor4d([-1, 1], [1, 1, 1, 2])]);
    setLayerWeights(model.layers[3], [
      tf.tensor2d([1, -2, 3, 0.5], [2, 2]),
      tf.tensor1d([0.1, 0.2]),
    ]);
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => 0.1 + i / 16),
      [1, 4, 4, 1],
    );
    const session = prepare(model, x);
    const zennit = session.explain({ rule: 'lrp0', target: 0 });
    expect(nonFinite(zennit.relevance)).toBe(0);
    const ref = explainSample(
      describeModel(model),
      perSample(x)[0],
      classicalUniform({ name: 'lrp0' }),
      0,
    );
    const c = closeness(
      perSample(zennit.relevance)[0],
      ref.input,
      relativeTolerance(ref.conditioning),
      1e-7,
    );
    expect(c.ok ? 'ok' : describeCloseness('lrp0', c)).toBe('ok');
    zennit.dispose();
    const old = session.explain({
      rule: uniform(lrp0(), { nonWeighted: 'same-rule' }),
      target: 0,
    });
    expect(nonFinite(old.relevance)).toBe(16);
    old.dispose();
    session.dispose();
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LRP-0 on ResNet50 (32×32, seeded random weights: dead global-average channels)', () => {
  it('is finite and not all zero; with LRP-0 on pooling and Add as well, every value is NaN', () => {
    const model = resnet50({ inputShape: [32, 32, 3], classes: 5, seed: 3 });
    const input = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 11);
    const before = tf.memory().numTensors;
    const session = prepare(model, input);
    const zennit = relevanceOf(session, 'lrp0');
    expect(zennit.filter((v) => !Number.isFinite(v))).toEqual([]);
    expect(zennit.some((v) => v !== 0)).toBe(true);
    const old = relevanceOf(session, uniform(lrp0(), { nonWeighted: 'same-rule' }));
    expect(old.filter((v) => !Number.isFinite(v)).length).toBe(old.length);
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
  });
});

describe('variants and equalities of zennit 0.5', () => {
  let fixture: ReturnType<typeof makeFixture>;
  let before = 0;
  beforeAll(() => {
    before = tf.memory().numTensors;
    // batch norm unfolded: the convolution after it sees inputs of both signs
    fixture = makeFixture('conv-strided', 5, 2, false);
  });
  afterAll(() => {
    fixture.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('z⁺ equals α1β0 (the positive bias in the denominator); zPlus({ bias: false }) differs', () => {
    const z = relevanceOf(fixture.session, 'zplus');
    const ab = relevanceOf(fixture.session, alphaBeta(1, 0));
    expect(maxAbsDiff(z, ab)).toBe(0);
    const noBias = relevanceOf(fixture.session, zPlus({ bias: false }));
    expect(maxAbsDiff(z, noBias)).toBeGreaterThan(1e-3 * Math.max(...z.map(Math.abs)));
  });

  it('gamma(0.25) = gamma({ gamma: 0.25 }); the classic variant differs where inputs are negative', () => {
    const byNumber = relevanceOf(fixture.session, gamma(0.25));
    const byOptions = relevanceOf(fixture.session, gamma({ gamma: 0.25 }));
    expect(maxAbsDiff(byNumber, byOptions)).toBe(0);
    const classic = relevanceOf(fixture.session, gamma({ gamma: 0.25, variant: 'classic' }));
    expect(maxAbsDiff(byNumber, classic)).toBeGreaterThan(
      1e-3 * Math.max(...classic.map(Math.abs)),
    );
  });

  it('wSquare() keeps b², wSquare({ bias: false }) drops it: different maps', () => {
    const withBias = relevanceOf(fixture.session, wSquare());
    const without = relevanceOf(fixture.session, wSquare({ bias: false }));
    expect(maxAbsDiff(withBias, without)).toBeGreaterThan(0);
  });

  it('rules are data: classicalRule from (input, parameter) terms reproduces z⁺, and a bias-free LRP-ε', () => {
    const zPlusAsData = classicalRule({
      name: 'my-zplus',
      description: 'z⁺ written as terms',
      groups: [
        {
          terms: [
            { input: 'positive', params: 'w+ b+' },
            { input: 'negative', params: 'w-' },
          ],
        },
      ],
      stabiliser: 1e-6,
    });
    expect(
      maxAbsDiff(relevanceOf(fixture.session, zPlusAsData), relevanceOf(fixture.session, 'zplus')),
    ).toBe(0);
    // LRP-ε with the bias left out of the denominator (iNNvestigate's lrp.epsilon_IB): a new rule
    // in a few lines, checked against the reference's literal formula.
    const epsilonNoBias = classicalRule({
      name: 'epsilon-ib',
      description: 'LRP-ε, bias ignored',
      groups: [{ terms: [{ input: 'input', params: 'w' }] }],
      stabiliser: 1e-6,
    });
    const got = relevanceOf(fixture.session, epsilonNoBias, 1);
    const size = fixture.samples[0].length;
    fixture.samples.forEach((x, b) => {
      const ref = explainSample(
        fixture.ref,
        x,
        classicalUniform({ name: 'epsilon', epsilon: 1e-6, bias: false }),
        1,
      );
      const c = closeness(
        Float32Array.from(got.slice(b * size, (b + 1) * size)),
        ref.input,
        relativeTolerance(ref.conditioning),
        1e-7,
      );
      expect(c.ok ? 'ok' : describeCloseness(`epsilon-ib sample ${b}`, c)).toBe('ok');
    });
    expect(maxAbsDiff(got, relevanceOf(fixture.session, epsilon(), 1))).toBeGreaterThan(0);
  });

  it('bad variant options are typed errors', () => {
    expect(() => gamma({ gamma: 0.25, variant: 'new' as 'classic' })).toThrow(RuleParameterError);
    expect(() => gamma({ gamma: -1 })).toThrow(RuleParameterError);
  });

  it('derived parameters (w⁺, w + γw⁺, …) are kept per layer: a second explanation allocates nothing new', () => {
    for (const rule of [gamma(0.25), 'EpsilonGammaBox', 'alpha2beta1', 'wsquare'] as const) {
      relevanceOf(fixture.session, rule);
      const kept = tf.memory().numTensors;
      relevanceOf(fixture.session, rule);
      expect(tf.memory().numTensors).toBe(kept);
    }
  });
});

describe('family selection', () => {
  it("byFamily 'convolution' covers DepthwiseConv2D (byClass Conv2D does not); equals the reference", () => {
    const before = tf.memory().numTensors;
    const fixture = makeFixture('dilated-depthwise', 3, 2, true);
    try {
      const byFamily = relevanceOf(
        fixture.session,
        composite({ byFamily: { convolution: alphaBeta(2, 1) } }),
      );
      const byConv2D = relevanceOf(
        fixture.session,
        composite({ byClass: { Conv2D: alphaBeta(2, 1) } }),
      );
      expect(maxAbsDiff(byFamily, byConv2D)).toBeGreaterThan(0);
      const ab: RefRule = { name: 'alphabeta', alpha: 2, beta: 1 };
      const assignment = (node: RefNode): RefRule =>
        node.className === 'Conv2D' || node.className === 'DepthwiseConv2D'
          ? ab
          : WEIGHTED.has(node.className)
            ? { name: 'epsilon', epsilon: 1e-6 }
            : nonWeightedRule(node);
      const ref = explainSample(fixture.ref, fixture.samples[0], assignment, 0);
      const c = closeness(
        Float32Array.from(byFamily.slice(0, fixture.samples[0].length)),
        ref.input,
        relativeTolerance(ref.conditioning),
        1e-7,
      );
      expect(c.ok ? 'ok' : describeCloseness('byFamily convolution', c)).toBe('ok');
    } finally {
      fixture.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('firstLayer takes the first layer of its family in layer order (EpsilonGammaBox: the first convolution)', () => {
    const before = tf.memory().numTensors;
    const fixture = makeFixture('mlp', 3, 2, true);
    try {
      // An MLP has no convolution: zᴮ goes nowhere, as in zennit; no error for a preset.
      expect(firstOf(fixture.ref, new Set(['Conv2D', 'DepthwiseConv2D']))).toBeUndefined();
      const box = relevanceOf(fixture.session, epsilonGammaBox());
      const plain = relevanceOf(fixture.session, 'EpsilonPlus');
      expect(maxAbsDiff(box, plain)).toBe(0); // only Dense layers: LRP-ε in both
      // EpsilonPlusFlat's first layer is the first Dense or convolution: flat there changes the map.
      const flatFirst = relevanceOf(fixture.session, epsilonPlusFlat());
      expect(maxAbsDiff(flatFirst, plain)).toBeGreaterThan(0);
    } finally {
      fixture.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('composite entries that match no layer: CompositeEntryError listing the layers', () => {
  let fixture: ReturnType<typeof makeFixture>;
  let before = 0;
  beforeAll(() => {
    before = tf.memory().numTensors;
    fixture = makeFixture('mlp', 7, 1, true);
  });
  afterAll(() => {
    fixture.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  const cases: [string, () => RuleChoice, string][] = [
    ['byName', () => composite({ byName: { nope: epsilon() } }), 'byName "nope"'],
    ['byIndex', () => composite({ byIndex: { 99: epsilon() } }), 'byIndex 99'],
    ['byClass', () => composite({ byClass: { Conv3D: epsilon() } }), 'byClass "Conv3D"'],
    ['byFamily', () => composite({ byFamily: { add: epsilon() } }), 'byFamily "add"'],
    [
      'firstLayer of a missing family',
      () => composite({ firstLayer: { rule: zPlus(), family: 'convolution' } }),
      'firstLayer (family "convolution")',
    ],
  ];
  it.each(cases)('%s', (_label, choice, entry) => {
    const tensors = tf.memory().numTensors;
    let error: unknown;
    try {
      fixture.session.explain({ rule: choice(), target: 0 }).dispose();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompositeEntryError);
    const message = (error as Error).message;
    expect(message).toContain(entry);
    const dense = fixture.ref.nodes.filter((n) => n.className === 'Dense');
    for (const node of dense) expect(message).toContain(node.name);
    expect(message).toContain('(Dense)');
    expect(message).toContain('convolution = Conv2D, DepthwiseConv2D');
    expect((error as CompositeEntryError).layers.length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('entries that do match are accepted', () => {
    const dense = fixture.ref.nodes.filter((n) => n.className === 'Dense');
    const index = fixture.net.model.layers.findIndex((l) => l.name === dense[0].name);
    const rule = composite({
      byName: { [dense[0].name]: zPlus() },
      byIndex: { [index]: epsilon(0.1) },
      byClass: { Dense: epsilon(0.01) },
      byFamily: { dense: gamma() },
    });
    expect(() => fixture.session.explain({ rule, target: 0 }).dispose()).not.toThrow();
  });
});

describe('rule names that are Object.prototype keys', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    "rule: '%s' is an UnknownRuleError",
    (name) => {
      const before = tf.memory().numTensors;
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [3], units: 2 })],
      });
      const x = tf.tensor2d([[1, 2, 3]]);
      expect(() => explain(model, x, { rule: name as RuleChoice })).toThrow(UnknownRuleError);
      x.dispose();
      model.dispose();
      releaseExplainCache();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
