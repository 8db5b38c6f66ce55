/**
 * The R-LRP properties P1–P6 of docs/rules.md, checked on the engine (and, where it is a
 * statement about the rule itself, on the reference too) over the random networks.
 */
import * as tf from '@tensorflow/tfjs';
import { composite, epsilon, explain, RlrpError, rlrp, releaseExplainCache } from '@rlrp/core';
import {
  makeFixture,
  perSample,
  relativeTolerance,
  type Fixture,
} from './reference/engine-harness';
import { explainWithTrace } from './reference/engine-trace';
import {
  closeness,
  describeCloseness,
  describeModel,
  explainSample,
  forward,
  l1,
  linearRelevance,
  SEQUENTIAL_NETWORK_NAMES,
  uniform,
} from './reference';

const SEQUENTIAL = SEQUENTIAL_NETWORK_NAMES;
const RESIDUAL = ['residual-projection', 'residual-identity'];
const BATCH = 2;

function withFixture<T>(name: string, seed: number, run: (f: Fixture) => T, biasFree = false): T {
  const before = tf.memory().numTensors;
  const fixture = makeFixture(name, seed, BATCH, true, { biasFree });
  try {
    return run(fixture);
  } finally {
    fixture.dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    const leaked = tf.memory().numTensors - before;
    // Reported after the property itself; properties-leaks.test.ts pins down which call leaks.
    expect(`${leaked} tensor(s) left after prepare/explain/dispose of ${name}`).toBe(
      `0 tensor(s) left after prepare/explain/dispose of ${name}`,
    );
  }
}

const targetsFor = (f: Fixture): number[] => [0, f.session.logits.shape[1] - 1];

describe('P1: R-LRP has no parameter at all', () => {
  it('the factory takes no argument and every instance is the same rule', () => {
    expect(rlrp.length).toBe(0);
    const a = rlrp();
    const b = rlrp();
    expect(a.name).toBe(b.name);
    expect(a.description).toBe(b.description);
    const numeric = Object.entries(a).filter(([, v]) => typeof v === 'number');
    expect(numeric).toEqual([]);
  });
  it('R-LRP cannot be mixed into a composite (it is always uniform): a typed error', () => {
    withFixture('mlp', 21, (f) => {
      expect(() => {
        const mixed = composite({ byClass: { Dense: rlrp() }, otherwise: epsilon() });
        f.session.explain({ rule: mixed }).dispose();
      }).toThrow(RlrpError);
    });
  });
  it("'rlrp' by name and rlrp() give identical relevance", () => {
    withFixture('conv-strided', 21, (f) => {
      const byName = explainWithTrace(f, 'rlrp', targetsFor(f)).input;
      const byObject = explainWithTrace(f, rlrp(), targetsFor(f)).input;
      byName.forEach((r, b) => expect(Array.from(r)).toEqual(Array.from(byObject[b])));
    });
  });
});

describe('P2: sequential nets carry the mass |f_target(x)| through every layer', () => {
  for (const name of SEQUENTIAL) {
    it(`${name}: engine trace masses (and the reference's) equal |f_target|`, () => {
      withFixture(name, 22, (f) => {
        const targets = targetsFor(f);
        const e = explainWithTrace(f, 'rlrp', targets);
        const problems: string[] = [];
        targets.forEach((t, b) => {
          const expected = Math.abs(e.logits[b][t]);
          for (const layer of e.layers) {
            const mass = layer.mass[b];
            if (Math.abs(mass - expected) > 1e-4 * expected) {
              problems.push(
                `sample ${b} layer ${layer.name} (${layer.className}): mass ${mass}, |f_target| ${expected}`,
              );
            }
            if (Math.abs(l1(layer.relevance[b]) - mass) > 1e-4 * expected) {
              problems.push(
                `sample ${b} layer ${layer.name}: reported mass ${mass} but Σ|R| = ${l1(layer.relevance[b])}`,
              );
            }
          }
          const ref = explainSample(f.ref, f.samples[b], uniform({ name: 'rlrp' }), t);
          for (const [node, r] of ref.relevance) {
            if (Math.abs(l1(r) - expected) > 1e-4 * expected)
              problems.push(`reference sample ${b} ${node}: ${l1(r)}`);
          }
        });
        expect(problems).toEqual([]);
      });
    });
  }
});

describe('P3: every linear step of the engine equals the dense-matrix a ⊙ Wᵀ R after normalisation', () => {
  for (const name of SEQUENTIAL) {
    it(`${name}: each step from the engine's own R_out`, () => {
      withFixture(name, 23, (f) => {
        const targets = targetsFor(f);
        const e = explainWithTrace(f, 'rlrp', targets);
        const problems: string[] = [];
        f.samples.forEach((x, b) => {
          const fwd = forward(f.ref, x);
          for (const node of f.ref.nodes) {
            if (node.op.kind !== 'linear') continue;
            const out = e.byName.get(node.name);
            const inp = e.byName.get(node.inputs[0]);
            if (!out || !inp) {
              problems.push(`trace lacks ${out ? node.inputs[0] : node.name}`);
              continue;
            }
            const stats = { worst: 0 };
            const expected = linearRelevance(
              { name: 'rlrp' },
              node.op.map,
              fwd.values.get(node.inputs[0])!,
              Float64Array.from(out.relevance[b]),
              stats,
            );
            const c = closeness(inp.relevance[b], expected, relativeTolerance(stats.worst), 1e-7);
            if (!c.ok)
              problems.push(
                describeCloseness(`sample ${b} step ${node.name} → ${node.inputs[0]}`, c),
              );
          }
        });
        expect(problems).toEqual([]);
      });
    });
  }
});

describe('P4: finite relevance where LRP-0 divides by an exact zero', () => {
  // z₀ = 1e4·x₀ − 1e4·x₁ is exactly 0 at x = [1, 1] (large cancelling contributions), z₁ = x₀ + x₁.
  function cancellingModel(): tf.LayersModel {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 2, useBias: false }),
        tf.layers.dense({ units: 2, useBias: false }),
      ],
    });
    const weights = [
      tf.tensor2d([
        [1e4, 1],
        [-1e4, 1],
      ]),
      tf.tensor2d([
        [1, -1],
        [1, 1],
      ]),
    ];
    model.layers[0].setWeights([weights[0]]);
    model.layers[1].setWeights([weights[1]]);
    tf.dispose(weights);
    return model;
  }
  it('LRP-0 returns non-finite values, R-LRP finite ones equal to the reference', () => {
    const before = tf.memory().numTensors;
    const model = cancellingModel();
    const x = tf.tensor2d([
      [1, 1],
      [2, 2],
    ]);
    const zero = explain(model, x, { rule: 'lrp0', target: 0 });
    const relative = explain(model, x, { rule: 'rlrp', target: 0 });
    const lrp0 = perSample(zero.relevance);
    const rl = perSample(relative.relevance);
    expect(lrp0.every((r) => r.some((v) => !Number.isFinite(v)))).toBe(true);
    expect(rl.every((r) => r.every(Number.isFinite))).toBe(true);
    const net = describeModel(model);
    [
      [1, 1],
      [2, 2],
    ].forEach((sample, b) => {
      const ref = explainSample(net, sample, uniform({ name: 'rlrp' }), 0).input;
      expect(
        closeness(rl[b], ref).ok ? 'ok' : describeCloseness('rlrp', closeness(rl[b], ref)),
      ).toBe('ok');
      expect(
        explainSample(net, sample, uniform({ name: 'lrp0' }), 0).input.some(
          (v) => !Number.isFinite(v),
        ),
      ).toBe(true);
    });
    tf.dispose([x]);
    zero.dispose();
    relative.dispose();
    model.dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('P5: bias-free ReLU nets are homogeneous, R(c·x) = c·R(x)', () => {
  for (const name of ['relu-mlp', 'relu-cnn', 'conv-strided', 'residual-projection']) {
    it(`${name} (bias-free) for c = 0.25 and c = 7`, () => {
      withFixture(
        name,
        24,
        (f) => {
          const targets = targetsFor(f);
          const base = explainWithTrace(f, 'rlrp', targets).input;
          const problems: string[] = [];
          for (const c of [0.25, 7]) {
            const scaled = f.input.mul(c);
            const e = explain(f.net.model, scaled, { rule: 'rlrp', target: targets });
            perSample(e.relevance).forEach((r, b) => {
              const expected = Float64Array.from(base[b], (v) => c * v);
              const cl = closeness(r, expected, 1e-4, 1e-7);
              if (!cl.ok) problems.push(describeCloseness(`c = ${c} sample ${b}`, cl));
            });
            e.dispose();
            scaled.dispose();
          }
          expect(problems).toEqual([]);
        },
        true,
      );
    });
  }
});

describe('P6: residual nets stay finite and ‖R_input‖₁ ≤ Σ of the masses the Add splits assigned', () => {
  for (const name of RESIDUAL) {
    it(`${name}`, () => {
      withFixture(name, 25, (f) => {
        const targets = targetsFor(f);
        const e = explainWithTrace(f, 'rlrp', targets);
        const problems: string[] = [];
        for (const layer of e.layers) {
          layer.relevance.forEach((r, b) => {
            if (!r.every(Number.isFinite))
              problems.push(`sample ${b}: non-finite relevance at ${layer.name}`);
          });
        }
        f.samples.forEach((x, b) => {
          const ref = explainSample(f.ref, x, uniform({ name: 'rlrp' }), targets[b]);
          const assigned = [...ref.addShares.values()]
            .flat()
            .reduce((s, share) => s + l1(share), 0);
          const engineInput = l1(e.input[b]);
          if (engineInput > assigned * (1 + 1e-4))
            problems.push(`sample ${b}: engine ‖R_input‖₁ ${engineInput} > ${assigned}`);
          if (l1(ref.input) > assigned * (1 + 1e-9))
            problems.push(`sample ${b}: reference ‖R_input‖₁ ${l1(ref.input)} > ${assigned}`);
          // With a projection skip both summands are dedicated layers: their trace masses are the split.
          const add = f.ref.nodes.find((n) => n.op.kind === 'add')!;
          const traced = add.inputs.map((n) => e.byName.get(n));
          if (name === 'residual-projection' && traced.every((t) => t !== undefined)) {
            const split = traced.reduce((s, t) => s + t!.mass[b], 0);
            if (engineInput > split * (1 + 1e-4))
              problems.push(`sample ${b}: ‖R_input‖₁ ${engineInput} > Add split ${split}`);
          }
        });
        expect(problems).toEqual([]);
      });
    });
  }
});
