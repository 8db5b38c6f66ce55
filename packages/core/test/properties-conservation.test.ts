/**
 * Conservation where theory says it holds (LRP-0 and LRP-ε on bias-free nets: Σ R_input = f_target;
 * exactly for LRP-0 on nets without pooling or Add, approximately where zennit's Norm (ε = 1e-6)
 * or LRP-ε absorbs a little), and constructed cancellations (exact zeros with large cancelling
 * contributions) where LRP-0 divides by zero while R-LRP stays finite.
 */
import * as tf from '@tensorflow/tfjs';
import { composite, epsilon, explain, lrp0, releaseExplainCache, uniform } from '@rlrp/core';
import { classicalUniform } from './reference/engine-cases';
import { makeFixture, perSample, relativeTolerance } from './reference/engine-harness';
import { explainWithTrace } from './reference/engine-trace';
import {
  closeness,
  describeCloseness,
  describeModel,
  explainSample,
  l1,
  RANDOM_NETWORK_NAMES,
  type RefRule,
  setLayerWeights,
  handSetReluConv,
} from './reference';

const sum = (r: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i];
  return s;
};

describe('LRP-0 and LRP-ε conserve relevance on bias-free nets: Σ R_input = f_target(x)', () => {
  for (const name of RANDOM_NETWORK_NAMES) {
    it(`${name} (bias-free)`, () => {
      const before = tf.memory().numTensors;
      const fixture = makeFixture(name, 41, 2, true, { biasFree: true });
      const targets = [0, fixture.session.logits.shape[1] - 1];
      const problems: string[] = [];
      const checked = { lrp0: 0, epsilon: 0 };
      const hasBatchNorm = fixture.ref.nodes.some((n) => n.className === 'BatchNormalization');
      const hasNorm = fixture.ref.nodes.some(
        (n) => n.op.kind === 'add' || n.className.includes('AveragePooling'),
      );
      try {
        for (const rule of ['lrp0', 'epsilon'] as const) {
          const refRule: RefRule =
            rule === 'lrp0' ? { name: 'lrp0' } : { name: 'epsilon', epsilon: 1e-6 };
          // An unfolded batch norm passes its gradient by default (zennit), which does not
          // conserve; conservation holds when the rule itself is asked for there too.
          const engineRule = rule === 'lrp0' ? lrp0() : epsilon(1e-6);
          const choice = hasBatchNorm
            ? composite({ otherwise: engineRule, byFamily: { batchnorm: engineRule } })
            : rule;
          const e = explainWithTrace(fixture, choice, targets);
          const assignment = classicalUniform(refRule);
          fixture.samples.forEach((x, b) => {
            const f = e.logits[b][targets[b]];
            const ref = explainSample(
              fixture.ref,
              x,
              (node) => (node.className === 'BatchNormalization' ? refRule : assignment(node)),
              targets[b],
            );
            if (!ref.input.every(Number.isFinite)) {
              // LRP-0 met an exact zero (e.g. a dead average-pooling window): conservation does not apply.
              if (e.input[b].every(Number.isFinite))
                problems.push(`${rule} sample ${b}: reference non-finite, engine finite`);
              return;
            }
            checked[rule]++;
            const scale = Math.max(Math.abs(f), l1(ref.input));
            // LRP-0 conserves exactly on Dense/Conv layers; LRP-ε (ε = 1e-6), and Norm at pooling and
            // Add under either rule, absorb ε/|z_k| of each neuron's share, which on these nets stays
            // below 1e-3 of the total.
            const absorbed = rule === 'epsilon' || hasNorm ? 1e-3 * scale : 0;
            const tol = relativeTolerance(ref.conditioning) * scale + absorbed;
            const refTol = 1e-9 * scale + absorbed;
            if (Math.abs(sum(e.input[b]) - f) > tol)
              problems.push(
                `${rule} sample ${b}: engine Σ R_input ${sum(e.input[b])} vs f_target ${f} (tol ${tol})`,
              );
            if (Math.abs(sum(ref.input) - ref.forward.logits[targets[b]]) > refTol)
              problems.push(
                `${rule} sample ${b}: reference Σ R_input ${sum(ref.input)} vs f_target ${ref.forward.logits[targets[b]]}`,
              );
          });
        }
      } finally {
        fixture.dispose();
      }
      expect(problems).toEqual([]);
      expect(checked.epsilon).toBe(2);
      releaseExplainCache(); // what one-shot explain() keeps for the model
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('constructed cancellations: exact zeros with large cancelling contributions', () => {
  it('Conv2D whose first filter sums to exactly 0 on a constant image (±1e3 taps): LRP-0 non-finite, R-LRP and ε finite', () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        handSetReluConv(2),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, useBias: false }),
      ],
    });
    // kernel [2, 2, 1, 2]: filter 0 = [[1e3, −1e3], [1e3, −1e3]], filter 1 = all ones.
    setLayerWeights(model.layers[0], [
      tf.tensor4d([1e3, 1, -1e3, 1, 1e3, 1, -1e3, 1], [2, 2, 1, 2]),
    ]);
    setLayerWeights(model.layers[2], [
      tf.tensor2d(
        Array.from({ length: 18 * 2 }, (_, i) => (i % 3 === 0 ? -0.5 : 1)),
        [18, 2],
      ),
    ]);
    const x = tf.tensor4d(
      Array.from({ length: 32 }, (_, i) => (i < 16 ? 1 : 0.5)),
      [2, 4, 4, 1],
    );
    const net = describeModel(model);
    const samples = perSample(x);
    const problems: string[] = [];
    for (const [rule, mustBeFinite] of [
      ['lrp0', false],
      ['rlrp', true],
      ['epsilon', true],
    ] as const) {
      const e = explain(model, x, { rule, target: 0 });
      perSample(e.relevance).forEach((r, b) => {
        const finite = r.every(Number.isFinite);
        if (finite !== mustBeFinite) problems.push(`${rule} sample ${b}: finite = ${finite}`);
        const ref = explainSample(
          net,
          samples[b],
          classicalUniform(
            rule === 'epsilon' ? { name: 'epsilon', epsilon: 1e-6 } : { name: rule },
          ),
          0,
        );
        if (ref.input.every(Number.isFinite) !== mustBeFinite)
          problems.push(`reference ${rule} sample ${b}: finite = ${!finite}`);
        if (mustBeFinite) {
          const c = closeness(r, ref.input, relativeTolerance(ref.conditioning), 1e-7);
          if (!c.ok) problems.push(describeCloseness(`${rule} sample ${b}`, c));
        }
      });
      e.dispose();
    }
    x.dispose();
    model.dispose();
    expect(problems).toEqual([]);
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Add of u and −u (y = 0 everywhere): R-LRP returns zeros and marks the trace vanished; LRP-0 finite (Norm at the Add), 0/0 only with LRP-0 on the Add', () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [3] });
    const plus = tf.layers.dense({ units: 3, useBias: false }).apply(input) as tf.SymbolicTensor;
    const minus = tf.layers.dense({ units: 3, useBias: false }).apply(input) as tf.SymbolicTensor;
    const sumLayer = tf.layers.add().apply([plus, minus]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(sumLayer) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    setLayerWeights(model.getLayer(plus.sourceLayer.name), [
      tf.tensor2d(
        eye.map((v) => 1e3 * v),
        [3, 3],
      ),
    ]);
    setLayerWeights(model.getLayer(minus.sourceLayer.name), [
      tf.tensor2d(
        eye.map((v) => -1e3 * v),
        [3, 3],
      ),
    ]);
    setLayerWeights(model.getLayer(out.sourceLayer.name), [
      tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]),
      tf.tensor1d([0.5, -2]),
    ]);
    const x = tf.tensor2d([[1, 2, 3]]);
    const e = explain(model, x, { rule: 'rlrp', target: 1, trace: true });
    const r = perSample(e.relevance)[0];
    expect(Array.from(r)).toEqual([0, 0, 0]);
    expect(e.trace!.some((l) => l.vanished[0])).toBe(true);
    e.dispose();
    const zero = explain(model, x, { rule: 'lrp0', target: 1 });
    // y = 0, so the Dense above gives R_y = y ⊙ … = 0; the Add is split by zennit's Norm
    // (u_i / (y + 1e-6) · R_y = 0), so LRP-0 stays finite and every share is 0.
    expect(Array.from(perSample(zero.relevance)[0])).toEqual([0, 0, 0]);
    zero.dispose();
    const raw = explain(model, x, {
      rule: uniform(lrp0(), { nonWeighted: 'same-rule' }),
      target: 1,
    });
    // LRP-0 on the Add itself (the old convention, now an explicit option): 0/0.
    expect(perSample(raw.relevance)[0].every(Number.isFinite)).toBe(false);
    raw.dispose();
    x.dispose();
    model.dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(before);
  });
});
