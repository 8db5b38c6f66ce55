/**
 * P4 at every float32 scale: whenever the forward pass is finite, R-LRP's relevance is finite — at
 * the input and at every layer of the trace — over inputs and kernels from 1e-38 to 1e38, denormal
 * inputs, exact zeros, all-zero inputs and dead channels before pooling; and it agrees with the
 * float64 reference there. A forward pass that is not finite is refused with a typed error naming
 * the layer, never explained into a NaN map.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {
  explain,
  ForwardOverflowError,
  loadModelFromDir,
  NonFiniteWeightError,
  prepare,
  RlrpError,
  type RuleName,
} from '@rlrp/core';
import {
  closeness,
  describeCloseness,
  describeModel,
  explainSample,
  l1,
  uniform,
} from './reference';
import { initEngine } from '../src/engine/init-engine';
import { MAX_ADD_MASS } from '../src/rules/rlrp-add-split';
import { NATIVE, WASM_OWN } from './support/native-engine';
import { perSample, relativeTolerance } from './reference/engine-harness';
import {
  buildScaledCase,
  describeScaledCase,
  SCALED_INPUT_KINDS,
  type ScaledCase,
} from './reference/scaled-cases';
import { RANDOM_NETWORK_NAMES, SEQUENTIAL_NETWORK_NAMES } from './reference/random-networks';

const SEQUENTIAL = new Set(SEQUENTIAL_NETWORK_NAMES);

const scaledCase: fc.Arbitrary<ScaledCase> = fc.record({
  network: fc.constantFrom(...RANDOM_NETWORK_NAMES),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  inputExponent: fc.double({ min: -38, max: 38, noNaN: true }),
  inputKind: fc.constantFrom(...SCALED_INPUT_KINDS),
  weightExponent: fc.oneof(
    fc.constant(0),
    fc.double({ min: -3, max: 3, noNaN: true }),
    fc.double({ min: -38, max: 38, noNaN: true }),
  ),
  layerSpread: fc.constantFrom(0, 3, 12, 38),
  deadChannels: fc.boolean(),
});

/** What a case showed: why it was not explained, or the problems found in its explanation. */
type Outcome = { readonly refused: string } | { readonly problems: readonly string[] };

function checkCase(c: ScaledCase): Outcome {
  const built = buildScaledCase(c);
  try {
    let session;
    try {
      session = prepare(built.net.model, built.input);
    } catch (error) {
      // Refusing is allowed only with a typed error naming a layer: the forward pass overflowed,
      // or the kernels themselves did not fit in float32.
      if (error instanceof ForwardOverflowError || error instanceof NonFiniteWeightError) {
        return { refused: error.name };
      }
      throw error;
    }
    const problems: string[] = [];
    try {
      const classes = session.logits.shape[1];
      const targets = [c.seed % classes, (c.seed + 1) % classes];
      const e = session.explain({ rule: 'rlrp', target: targets, trace: true });
      const relevance = perSample(e.relevance);
      const logits = perSample(e.logits);
      relevance.forEach((r, b) => {
        if (!r.every(Number.isFinite)) problems.push(`sample ${b}: non-finite input relevance`);
      });
      for (const layer of e.trace ?? []) {
        perSample(layer.relevance).forEach((r, b) => {
          if (!r.every(Number.isFinite)) problems.push(`sample ${b}: non-finite at ${layer.name}`);
        });
      }
      e.dispose();
      const ref = describeModel(built.net.model);
      built.samples.forEach((x, b) => {
        const f = Math.abs(logits[b][targets[b]]);
        const mass = l1(relevance[b]);
        // Sequential nets carry |f| to the input, or nothing where all relevance vanished.
        if (SEQUENTIAL.has(c.network) && mass !== 0 && Math.abs(mass - f) > 1e-4 * f) {
          problems.push(`sample ${b}: mass ${mass} vs |f_target| ${f}`);
        }
        const expected = explainSample(ref, x, uniform({ name: 'rlrp' }), targets[b]);
        const handedOn = [...expected.addShares.values()].map((shares) =>
          shares.reduce((sum, share) => sum + l1(share), 0),
        );
        if (handedOn.some((m) => m > MAX_ADD_MASS)) {
          // An Add whose shares leave float32 hands on at most MAX_ADD_MASS (finite, same shares);
          // the float64 reference keeps the larger mass, so only finiteness is compared.
          return;
        }
        if (mass === 0 && l1(expected.input) > 0) {
          // float32 may lose a sample whose every message underflows; the reference (float64)
          // does not. Finite zeros are what P4 asks for; count, don't compare.
          return;
        }
        const closenessOf = closeness(
          relevance[b],
          expected.input,
          relativeTolerance(expected.conditioning),
          1e-7 * Math.max(f, Number.MIN_VALUE),
        );
        if (!closenessOf.ok)
          problems.push(describeCloseness(`sample ${b} vs reference`, closenessOf));
      });
    } finally {
      session.dispose();
    }
    return { problems };
  } finally {
    built.dispose();
  }
}

describe('P4: R-LRP is finite at every float32 scale whenever the forward pass is', () => {
  it('fast-check over networks, input and kernel scales 1e-38…1e38, denormals, zeros and dead channels', () => {
    const before = tf.memory().numTensors;
    let explained = 0;
    let refused = 0;
    fc.assert(
      fc.property(scaledCase, (c) => {
        const outcome = checkCase(c);
        if ('refused' in outcome) {
          refused++;
          return;
        }
        explained++;
        if (outcome.problems.length > 0) {
          throw new Error(`${describeScaledCase(c)}:\n${outcome.problems.join('\n')}`);
        }
      }),
      { numRuns: 300, seed: 20261201 },
    );
    // Most cases must be explained, or the property would say little.
    expect(explained).toBeGreaterThan(2 * refused);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("the issue's examples: finite maps or typed errors", () => {
  const denseOnes = (inputs: number, outputs: number, bias: number) => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [inputs], units: outputs })],
    });
    model.layers[0].setWeights([tf.ones([inputs, outputs]), tf.fill([outputs], bias)]);
    return model;
  };
  const relevanceOf = (model: tf.LayersModel, x: number[][], rule: RuleName = 'rlrp') => {
    const input = tf.tensor2d(x);
    const e = explain(model, input, { rule });
    const values = Array.from(e.relevance.dataSync());
    e.dispose();
    input.dispose();
    return values;
  };

  it('Dense(1→2), weights 1, input 2e19: R-LRP carries the whole logit, like LRP-ε', () => {
    const model = denseOnes(1, 2, 0);
    const [r] = relevanceOf(model, [[2e19]]);
    expect(r).toBeCloseTo(2e19, -14);
    expect(relevanceOf(model, [[2e19]], 'epsilon')[0]).toBeCloseTo(2e19, -14);
    model.dispose();
  });

  it('Dense(2→2), weights 1, bias 1, input [1e-40, 0]: finite, all mass on the non-zero input', () => {
    const model = denseOnes(2, 2, 1);
    expect(relevanceOf(model, [[1e-40, 0]])).toEqual([1, 0]);
    model.dispose();
  });

  it('models/mnist-cnn at 0.5e-40 and 1e19 per pixel: finite, mass |f_target|', async () => {
    const model = await loadModelFromDir('models/mnist-cnn');
    for (const pixel of [0.5e-40, 1e19]) {
      const input = tf.fill([1, 28, 28, 1], pixel);
      const e = explain(model, input, { rule: 'rlrp' });
      const values = e.relevance.dataSync();
      const f = Math.max(...Array.from(e.logits.dataSync()).map(Math.abs));
      expect(Array.from(values).filter((v) => !Number.isFinite(v))).toEqual([]);
      expect(l1(values)).toBeCloseTo(
        Math.abs(e.logits.dataSync()[e.target[0]]),
        -Math.log10(f) + 4,
      );
      e.dispose();
      input.dispose();
    }
    model.dispose();
  });

  it.each([1, 1e30, 1e37, 3e37, 1e38, 3e38])(
    'a 3×3 layer on Winograd’s kernels at input scale %d: the native forward pass gives the direct one’s finite logits, and R-LRP is finite',
    async (scale) => {
      // 16×16 × 32 → 32 channels: the native kernels take Winograd's (on AVX-512), whose
      // transforms alone would overflow at the largest scales; the addon then computes the layer
      // again with the direct kernel (native/onednn-kernels.cc, convolveBlocked). The addon
      // without that fallback fails here. wasm's own kernels, all direct, are the reference.
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [16, 16, 3],
            filters: 32,
            kernelSize: 3,
            padding: 'same',
          }),
          tf.layers.reLU(),
          tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 4 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4 }),
        ],
      });
      const input = tf.randomUniform([1, 16, 16, 3], 0, scale, 'float32', 5);
      try {
        // Seeded weights: each scale is finite or not for these weights, every run.
        const seeded = model
          .getWeights()
          .map((w, i) => tf.randomNormal(w.shape, 0, 0.05, 'float32', 30 + i));
        model.setWeights(seeded);
        tf.dispose(seeded);
        await initEngine(WASM_OWN);
        const direct = tf.tidy(() => Array.from((model.predict(input) as tf.Tensor).dataSync()));
        await initEngine(NATIVE);
        expect(direct.filter((v) => !Number.isFinite(v))).toEqual([]);
        // The native forward pass (Winograd where it can) gives the direct one's logits.
        const native = tf.tidy(() => Array.from((model.predict(input) as tf.Tensor).dataSync()));
        const largest = direct.reduce((peak, v) => Math.max(peak, Math.abs(v)), 0);
        native.forEach((v, i) =>
          expect(Math.abs(v - direct[i])).toBeLessThanOrEqual(1e-4 * largest),
        );
        const e = explain(model, input, { rule: 'rlrp' });
        const relevance = Array.from(e.relevance.dataSync());
        e.dispose();
        expect(relevance.filter((v) => !Number.isFinite(v))).toEqual([]);
      } finally {
        await initEngine(NATIVE);
        input.dispose();
        model.dispose();
      }
    },
  );

  it('a forward pass that overflows is a ForwardOverflowError naming the first layer', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 2, name: 'small' }),
        tf.layers.dense({ units: 2, name: 'huge' }),
      ],
    });
    model.layers[0].setWeights([tf.ones([1, 2]), tf.zeros([2])]);
    model.layers[1].setWeights([tf.fill([2, 2], 3e38), tf.zeros([2])]);
    const input = tf.tensor2d([[10]]);
    const attempt = () => explain(model, input);
    expect(attempt).toThrow(ForwardOverflowError);
    expect(attempt).toThrow(/layer "huge" \(Dense\)/);
    input.dispose();
    model.dispose();
  });

  it('finite values whose sum overflows float32 are explained, not taken for an overflow', () => {
    // Every value of 'wide' is finite, but their sum (4 × 3e38) overflows float32: a finiteness
    // check that summed the values themselves would refuse a forward pass that is fine.
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1], units: 4, name: 'wide' }),
        tf.layers.dense({ units: 2, name: 'shrink' }),
      ],
    });
    model.layers[0].setWeights([tf.ones([1, 4]), tf.zeros([4])]);
    model.layers[1].setWeights([tf.fill([4, 2], 1e-10), tf.zeros([2])]);
    const input = tf.tensor2d([[3e38]]);
    for (const rule of ['rlrp', 'epsilon'] as const) {
      const e = explain(model, input, { rule, target: 0 });
      const [relevance] = e.relevance.dataSync();
      const [logit] = e.logits.dataSync(); // class 0's
      expect(Number.isFinite(logit)).toBe(true);
      expect(relevance / logit).toBeCloseTo(1, 4);
      e.dispose();
    }
    input.dispose();
    model.dispose();
  });

  it('a NaN or infinite weight is a NonFiniteWeightError naming its layer and weight', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [2], units: 2, name: 'broken' })],
      });
      model.layers[0].setWeights([
        tf.tensor2d([
          [1, bad],
          [1, 1],
        ]),
        tf.zeros([2]),
      ]);
      const input = tf.tensor2d([[1, 2]]);
      const attempt = () => prepare(model, input);
      expect(attempt).toThrow(NonFiniteWeightError);
      expect(attempt).toThrow(/"broken\/kernel" of layer "broken/);
      input.dispose();
      model.dispose();
    }
  });

  it('every refusal is an RlrpError, so a notebook can catch one class', () => {
    expect(new ForwardOverflowError('l', 'Dense', 'output')).toBeInstanceOf(RlrpError);
    expect(new NonFiniteWeightError('l', 'l/kernel')).toBeInstanceOf(RlrpError);
  });
});
