import * as tf from '@tensorflow/tfjs';
import {
  explain,
  prepare,
  epsilonPlusFlat,
  composite,
  epsilon,
  rlrp,
  InputShapeError,
  NonFiniteInputError,
  UnknownRuleError,
  TargetError,
  UnsupportedLayerError,
  RuleParameterError,
  DisposedError,
  RULE_CHOICES,
  releaseExplainCache,
} from '../src/index';

function residualCnn(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 2] });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input) as tf.SymbolicTensor;
  const bn = tf.layers
    .batchNormalization({
      movingMeanInitializer: 'randomNormal',
      gammaInitializer: 'randomUniform',
    })
    .apply(
      tf.layers
        .conv2d({ filters: 4, kernelSize: 3, padding: 'same' })
        .apply(conv) as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
  const merged = tf.layers.add().apply([conv, bn]) as tf.SymbolicTensor;
  const act = tf.layers.reLU().apply(merged) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(act) as tf.SymbolicTensor;
  const other = tf.layers.averagePooling2d({ poolSize: 2 }).apply(act) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate().apply([pooled, other]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(cat) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function logitsOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  // Reference logits: the model with its softmax removed, run by tfjs-layers itself.
  const last = model.layers[model.layers.length - 1];
  const inner = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
  const config = last.getConfig();
  const dense = last as unknown as { getWeights(): tf.Tensor[] };
  const [k, b] = dense.getWeights();
  void config;
  return tf.tidy(() => tf.matMul(inner.predict(x) as tf.Tensor2D, k as tf.Tensor2D).add(b));
}

describe('prepare / explain', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  beforeAll(() => {
    model = residualCnn();
    x = tf.randomUniform([3, 8, 8, 2], 0, 1, 'float32', 11);
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  test('the cached forward pass reproduces the model (softmax stripped), with and without BN folding', () => {
    const expected = logitsOf(model, x);
    for (const foldBatchNorm of [true, false]) {
      const session = prepare(model, x, { foldBatchNorm });
      const diff = tf.tidy(() => tf.max(tf.abs(session.logits.sub(expected))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-4);
      session.dispose();
    }
    expected.dispose();
  });

  test('input relevance is input-shaped, finite, and the trace runs output → input', () => {
    const e = explain(model, x, { rule: 'rlrp', trace: true });
    expect(e.relevance.shape).toEqual(x.shape);
    expect(e.target).toHaveLength(3);
    const trace = e.trace ?? [];
    expect(trace[0].className).toBe('Dense');
    expect(trace[trace.length - 1].className).toBe('InputLayer');
    expect(trace.map((t) => t.index)).toEqual(trace.map((_, i) => i));
    for (const layer of trace) {
      expect(layer.relevance.shape.slice(1)).toEqual(layer.outputShape);
      expect(layer.mass).toHaveLength(3);
    }
    e.dispose();
  });

  test('changing rule and target reuses the forward pass and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const session = prepare(model, x);
    const explainAll = () => {
      for (const rule of RULE_CHOICES) {
        const e = session.explain({ rule: rule as never, target: 1, trace: true });
        expect(e.ruleDescription.length).toBeGreaterThan(0);
        e.dispose();
      }
    };
    // By design the session keeps, per layer, the rules' rewritten weights and their transposed
    // kernels (made on a rule's first explanation, Winograd's matrices on its second).
    explainAll();
    explainAll();
    const baseline = tf.memory().numTensors;
    explainAll();
    expect(tf.memory().numTensors).toBe(baseline);
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('prepare → explain → dispose returns to the tensor baseline', () => {
    const baseline = tf.memory().numTensors;
    const session = prepare(model, x);
    session.explain({ trace: true }).dispose();
    session.explain({ rule: epsilonPlusFlat(), target: [0, 1, 2] }).dispose();
    session.dispose();
    explain(model, x, { rule: 'EpsilonGammaBox' }).dispose();
    releaseExplainCache(); // what one-shot explain() keeps for the model
    expect(tf.memory().numTensors).toBe(baseline);
  });

  test('targets: class, predicted, per sample, explicit output relevance', () => {
    const session = prepare(model, x);
    expect(session.explain({ target: 'predicted' }).target).toEqual(session.predicted);
    expect(session.explain({ target: 4 }).target).toEqual([4, 4, 4]);
    expect(session.explain({ target: [0, 1, 2] }).target).toEqual([0, 1, 2]);
    const explicit = session.explain({ target: { outputRelevance: [1, 0, 0, 0, 0] }, trace: true });
    expect(explicit.target).toEqual([-1, -1, -1]);
    expect(explicit.trace?.[0].mass[0]).toBeCloseTo(1, 5);
    session.dispose();
  });

  test('bad input gets typed errors that say what to do', () => {
    const session = prepare(model, x);
    expect(() => session.explain({ target: 9 })).toThrow(TargetError);
    expect(() => session.explain({ target: 1.5 })).toThrow(/integer from 0 to 4/);
    expect(() => session.explain({ target: [1, 2] })).toThrow(/one class per sample/);
    expect(() => session.explain({ target: { outputRelevance: [1, 2] } })).toThrow(TargetError);
    expect(() => session.explain({ rule: 'lrp-epsilon' as never })).toThrow(UnknownRuleError);
    expect(() => session.explain({ rule: 'epsilonplus' as never })).toThrow(
      /did you mean "EpsilonPlus"/,
    );
    expect(() => composite({ byClass: { Dense: rlrp() } })).toThrow(RuleParameterError);
    expect(() => epsilon(-1)).toThrow(RuleParameterError);
    session.dispose();
    expect(() => session.explain()).toThrow(DisposedError);

    const unbatched = tf.zeros([8, 8, 2]);
    expect(() => prepare(model, unbatched)).toThrow(/expandDims\(0\)/);
    const wrong = tf.zeros([1, 9, 8, 2]);
    expect(() => prepare(model, wrong)).toThrow(InputShapeError);
    expect(() => prepare(model, wrong)).toThrow(/\[1, 9, 8, 2\].*\[batch, 8, 8, 2\]/);
    const nan = tf.fill([1, 8, 8, 2], NaN);
    expect(() => prepare(model, nan)).toThrow(NonFiniteInputError);
    tf.dispose([unbatched, wrong, nan]);
  });

  test('an unsupported layer names itself, its class and the supported list', () => {
    const lstm = tf.sequential({
      layers: [tf.layers.lstm({ inputShape: [3, 2], units: 2 }), tf.layers.dense({ units: 2 })],
    });
    const input = tf.zeros([1, 3, 2]);
    expect(() => prepare(lstm, input)).toThrow(UnsupportedLayerError);
    expect(() => prepare(lstm, input)).toThrow(/of class LSTM is not supported.*Conv2D/);
    input.dispose();
    lstm.dispose();
  });
});
