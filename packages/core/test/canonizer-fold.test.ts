import * as tf from '@tensorflow/tfjs';
import { buildGraph, foldBatchNorm, prepare } from '../src/index';

/** Conv → BN → ReLU, Dense → BN, and a BN that cannot be folded (after a ReLU). */
function modelWithBatchNorms(): tf.LayersModel {
  const bn = () =>
    tf.layers.batchNormalization({
      movingMeanInitializer: tf.initializers.randomNormal({ seed: 1 }),
      movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 2 }),
      gammaInitializer: tf.initializers.randomNormal({ mean: 1, seed: 3 }),
      betaInitializer: tf.initializers.randomNormal({ seed: 4 }),
    });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 2],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        name: 'conv',
      }),
      bn(),
      tf.layers.reLU(),
      bn(),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' }),
      bn(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, name: 'dense' }),
      bn(),
    ],
  });
}

describe('batch-norm folding', () => {
  test('folds BN into the preceding linear layer, keeps the unfoldable one, leaves the original graph alone', () => {
    const model = modelWithBatchNorms();
    const graph = buildGraph(model);
    const folded = foldBatchNorm(graph);
    const classes = (g: typeof graph) => g.nodes.map((n) => n.className);
    expect(classes(graph).filter((c) => c === 'BatchNormalization')).toHaveLength(4);
    // Only the BN after the ReLU stays: it has no linear layer right before it.
    expect(classes(folded).filter((c) => c === 'BatchNormalization')).toHaveLength(1);
    expect(folded.original).toBe(graph);
    expect(classes(graph).filter((c) => c === 'BatchNormalization')).toHaveLength(4);
    folded.dispose();
    graph.dispose();
    model.dispose();
  });

  test('the model output is unchanged by folding, and so are the weights of the model', () => {
    const model = modelWithBatchNorms();
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 5);
    const weightsBefore = model.getWeights().map((w) => w.dataSync().slice());
    const baseline = tf.memory().numTensors;
    const foldedSession = prepare(model, x, { foldBatchNorm: true });
    const plainSession = prepare(model, x, { foldBatchNorm: false });
    const predicted = model.predict(x) as tf.Tensor;
    const gap = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
    expect(gap(foldedSession.logits, predicted)).toBeLessThan(1e-4);
    expect(gap(plainSession.logits, predicted)).toBeLessThan(1e-4);
    predicted.dispose();
    foldedSession.dispose();
    plainSession.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    model
      .getWeights()
      .forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(weightsBefore[i])));
    x.dispose();
    model.dispose();
  });
});

describe('batch norm in several models of one process', () => {
  test('a second model with the same layer names (suffixed weight names) explains too', () => {
    const build = () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 3, name: 'fc' }),
          tf.layers.batchNormalization({ name: 'bn', center: false }),
          tf.layers.dense({ units: 2, name: 'out' }),
        ],
      });
    const first = build();
    const second = build();
    const x = tf.ones([1, 4]);
    for (const model of [first, second]) {
      for (const foldBatchNorm of [true, false]) {
        const session = prepare(model, x, { foldBatchNorm });
        const predicted = model.predict(x) as tf.Tensor;
        expect(
          tf.tidy(() => tf.max(tf.abs(session.logits.sub(predicted))).dataSync()[0]),
        ).toBeLessThan(1e-5);
        predicted.dispose();
        session.dispose();
      }
    }
    tf.dispose([x]);
    first.dispose();
    second.dispose();
  });
});
