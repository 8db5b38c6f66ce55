/**
 * Validates the reference itself: its float64 forward pass of every random network equals tfjs's
 * model.predict at every layer (pre-softmax at the output), with BatchNorm unfolded and folded.
 */
import * as tf from '@tensorflow/tfjs';
import {
  COVERAGE_NETWORK_NAMES,
  RANDOM_NETWORK_NAMES,
  describeModel,
  expectClose,
  forward,
  randomInputs,
  randomNetwork,
  softmax,
} from './reference';

const BATCH = 2;

/** Every layer's output for a batch, read with tfjs (this is the thing the reference is checked against). */
function layerOutputs(
  model: tf.LayersModel,
  inputs: Float32Array[],
  shape: readonly number[],
): Map<string, Float32Array[]> {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const probe = tf.model({
    inputs: model.inputs,
    outputs: layers.map((l) => l.output as tf.SymbolicTensor),
  });
  const x = tf.tensor(concat(inputs), [inputs.length, ...shape]);
  const outs = probe.predict(x) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(outs) ? outs : [outs];
  const result = new Map<string, Float32Array[]>();
  layers.forEach((layer, i) => {
    const data = list[i].dataSync() as Float32Array;
    const per = data.length / inputs.length;
    result.set(
      layer.name,
      inputs.map((_, b) => data.slice(b * per, (b + 1) * per)),
    );
  });
  tf.dispose([x, ...list]);
  return result;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

describe('reference forward pass equals tfjs model.predict', () => {
  for (const name of RANDOM_NETWORK_NAMES) {
    for (const seed of [1, 2]) {
      it(`${name} seed ${seed}: every layer (BN unfolded), logits pre-softmax, folded logits`, () => {
        const before = tf.memory().numTensors;
        const net = randomNetwork(name, seed);
        const inputs = randomInputs(net.inputShape, BATCH, seed);
        const outputs = layerOutputs(net.model, inputs, net.inputShape);
        const unfolded = describeModel(net.model, { foldBatchNorm: false });
        const folded = describeModel(net.model, { foldBatchNorm: true });
        const batch = tf.tensor(concat(inputs), [BATCH, ...net.inputShape]);
        const probabilities = net.model.predict(batch) as tf.Tensor;
        const probs = probabilities.dataSync();
        const classes = probabilities.shape[1]!;
        inputs.forEach((x, b) => {
          const ref = forward(unfolded, x);
          for (const node of unfolded.nodes) {
            if (node.op.kind === 'input') continue;
            const tfOut = outputs.get(node.name)!;
            const mine = ref.values.get(node.name)!;
            const isSoftmaxDense =
              node.name === unfolded.output &&
              net.model.getLayer(node.name).getConfig().activation === 'softmax';
            expectClose(
              `${name} ${node.name} sample ${b}`,
              tfOut[b],
              isSoftmaxDense ? softmax(mine) : mine,
              1e-4,
              1e-5,
            );
          }
          const expectedProbs = probs.slice(b * classes, (b + 1) * classes);
          const last = net.model.layers[net.model.layers.length - 1];
          const hasSoftmax =
            last.getClassName() === 'Softmax' || last.getConfig().activation === 'softmax';
          expectClose(
            `${name} output sample ${b}`,
            expectedProbs,
            hasSoftmax ? softmax(ref.logits) : ref.logits,
            1e-4,
            1e-6,
          );
          expectClose(
            `${name} folded logits sample ${b}`,
            forward(folded, x).logits,
            ref.logits,
            1e-9,
            1e-9,
          );
        });
        tf.dispose([batch, probabilities]);
        net.model.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('folding removes exactly the BatchNorms that directly follow a Dense/Conv2D/DepthwiseConv2D with linear activation', () => {
    const counts: Record<string, [number, number]> = {};
    for (const name of RANDOM_NETWORK_NAMES) {
      const net = randomNetwork(name, 3);
      const unfolded = describeModel(net.model, { foldBatchNorm: false });
      const folded = describeModel(net.model);
      const bn = (n: typeof unfolded) =>
        n.nodes.filter((x) => x.className === 'BatchNormalization').length;
      counts[name] = [bn(unfolded), bn(folded)];
      net.model.dispose();
    }
    expect(counts).toEqual({
      mlp: [2, 1],
      'conv-strided': [1, 0],
      'dilated-depthwise': [1, 0],
      'pad-crop': [1, 1],
      'dilated-valid': [0, 0],
      'avgpool-partial': [0, 0],
      'residual-projection': [1, 0],
      'residual-identity': [0, 0],
      concat: [0, 0],
      'concat-axis-permute': [0, 0],
      'relu-mlp': [0, 0],
      'relu-cnn': [0, 0],
    });
  });

  it('the coverage networks use every layer class the engine must support', () => {
    const classes = new Set<string>();
    for (const name of COVERAGE_NETWORK_NAMES) {
      const net = randomNetwork(name, 4);
      net.model.layers.forEach((l) => classes.add(l.getClassName()));
      net.model.dispose();
    }
    const required = [
      'Dense',
      'Conv2D',
      'DepthwiseConv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
      'GlobalMaxPooling2D',
      'BatchNormalization',
      'Activation',
      'ReLU',
      'LeakyReLU',
      'ELU',
      'Softmax',
      'Flatten',
      'Reshape',
      'Permute',
      'Dropout',
      'ZeroPadding2D',
      'Cropping2D',
      'Add',
      'Concatenate',
    ];
    expect(required.filter((c) => !classes.has(c))).toEqual([]);
  });
});
