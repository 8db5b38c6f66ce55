import * as tf from '@tensorflow/tfjs';
import { buildGraph } from '../src/graph/build-graph';
import { GlobalAveragePoolingOp } from '../src/layers/global-average-pooling';

/**
 * Every linear op's `transpose` must be the adjoint of its `forward` (tfjs has no depthwise or
 * dilated gradient kernels on wasm to compare with, so the adjoint identity is the check), for
 * strided, padded and dilated convolutions, depthwise convolutions, pooling and batch norm.
 */
function checkTransposes(model: tf.LayersModel, batch = 2): void {
  const graph = buildGraph(model);
  const input = tf.randomNormal(
    [batch, ...(model.inputs[0].shape.slice(1) as number[])],
    0,
    1,
    'float32',
    1,
  );
  const outputs: tf.Tensor[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => outputs[i]);
    let out: tf.Tensor;
    if (node.op.kind === 'input') out = input;
    else if (node.op.kind === 'linear') {
      const op = node.op.linear;
      const a = inputs[0];
      const z = op.forward(a);
      // The adjoint identity ⟨W a, s⟩ = ⟨a, Wᵀ s⟩ for random a and s pins down Wᵀ exactly.
      const probe = tf.randomNormal(a.shape, 0, 1, 'float32', 3);
      const s = tf.randomNormal(z.shape, 0, 1, 'float32', 7);
      const noBias = { weight: op.params.weight, bias: null };
      const transposed = op.transpose(s, a.shape, noBias);
      expect(transposed.shape).toEqual(a.shape);
      const left = op.forward(probe, noBias).mul(s).sum().dataSync()[0];
      const right = probe.mul(transposed).sum().dataSync()[0];
      const scale = op.forward(probe, noBias).abs().mul(s.abs()).sum().dataSync()[0];
      expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-5 * scale);
      out = node.op.activation.apply(z);
    } else if (node.op.kind === 'activation') out = node.op.activation.apply(inputs[0]);
    else if (node.op.kind === 'structural') out = node.op.forward(inputs[0]);
    else if (node.op.kind === 'maxpool')
      out = tf.maxPool(
        inputs[0] as tf.Tensor4D,
        node.op.geometry.kernel as [number, number],
        node.op.geometry.strides as [number, number],
        node.op.padding,
      );
    else if (node.op.kind === 'add') out = tf.addN(inputs);
    else if (node.op.kind === 'concat') out = tf.concat(inputs, node.op.axis);
    else out = tf.max(inputs[0], [1, 2]);
    outputs.push(out);
  }
  graph.dispose();
}

describe('linear operations', () => {
  test.each([
    ['same', 1, 1],
    ['valid', 1, 1],
    ['same', 2, 1],
    ['valid', 2, 1],
    ['same', 3, 1],
    ['valid', 1, 2],
    ['same', 1, 2],
  ] as const)(
    'Conv2D and DepthwiseConv2D, padding %s, stride %d, dilation %d, transpose exactly',
    (padding, strides, dilationRate) => {
      tf.tidy(() => {
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [13, 12, 2],
              filters: 3,
              kernelSize: [3, 2],
              strides,
              padding,
              dilationRate,
            }),
            tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides, padding }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 3 }),
          ],
        });
        checkTransposes(model);
        model.dispose();
      });
    },
  );

  test.each(['same', 'valid'] as const)(
    '1×1 Conv2D with stride 2 (%s) transposes exactly',
    (padding) => {
      tf.tidy(() => {
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({
              inputShape: [13, 12, 3],
              filters: 4,
              kernelSize: 1,
              strides: 2,
              padding,
            }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 3 }),
          ],
        });
        checkTransposes(model);
        model.dispose();
      });
    },
  );

  test('Dense, average pooling, global average pooling and batch norm transpose exactly', () => {
    tf.tidy(() => {
      const model = tf.sequential({
        layers: [
          tf.layers.averagePooling2d({ inputShape: [8, 8, 3], poolSize: 2 }),
          tf.layers.batchNormalization({
            movingMeanInitializer: 'randomNormal',
            gammaInitializer: 'randomNormal',
          }),
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 4 }),
        ],
      });
      checkTransposes(model);
      model.dispose();
    });
  });

  test('global average pooling’s transpose spreads ±Infinity, NaN and −0 as a broadcast does', () => {
    const op = new GlobalAveragePoolingOp(4);
    const s = tf.tensor2d([[Infinity, -Infinity, NaN, -0, 8]]);
    const spread = op.transpose(s, [1, 2, 2, 5]);
    const broadcast = tf.tidy(() =>
      tf.broadcastTo(s.mul(0.25).reshape([1, 1, 1, 5]), [1, 2, 2, 5]),
    );
    const got = Array.from(spread.dataSync());
    expect(got).toEqual(Array.from(broadcast.dataSync()));
    expect(got.slice(0, 5)).toEqual([Infinity, -Infinity, NaN, -0, 2]);
    expect(Object.is(got[3], -0)).toBe(true);
    tf.dispose([s, spread, broadcast]);
    op.dispose();
  });
});
