/**
 * The forward pass's overflow check (forward-check.ts) with the native kernels: one probe per
 * distinct tensor except ReLU outputs, which take their input's verdict and are known to be
 * non-negative; an overflow is still named at the layer where it happens.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { nativeKernelsActive } from '../src/engine/native-kernels';
import { ForwardOverflowError } from '../src/errors';
import { assertForwardFinite } from '../src/forward-check';
import { runForward } from '../src/forward';
import { buildGraph } from '../src/graph/build-graph';
import { knownNonNegative } from '../src/rules/known-signs';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

beforeAll(async () => {
  await initEngine({ engine: 'wasm', nativeKernels: true });
});

/** conv (relu) → ReLU layer → max pooling → dense (relu) → dense, weights scaled by `scale`. */
function model(scale: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 2],
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.constant({ value: 0.5 * scale }),
    }),
  );
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'relu', kernelInitializer: 'ones' }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: 'ones' }));
  return m;
}

/** The native probes (`RlrpFiniteMinimum` kernels) the check makes, and what it throws. */
async function check(scale: number, input: tf.Tensor): Promise<{ probes: number; error: unknown }> {
  const m = model(scale);
  const graph = buildGraph(m);
  const forward = runForward(graph, input);
  let error: unknown;
  try {
    const profile = await tf.profile(() => {
      try {
        assertForwardFinite(graph, forward);
      } catch (e) {
        error = e;
      }
    });
    const probes = profile.kernels.filter((k) => k.name === 'RlrpFiniteMinimum').length;
    return { probes, error };
  } finally {
    forward.dispose();
    m.dispose();
  }
}

describe('the forward check', () => {
  it('does not reduce ReLU outputs, and knows them non-negative', async () => {
    expect(nativeKernelsActive()).toBe(true);
    const input = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3);
    const m = model(1);
    const graph = buildGraph(m);
    const forward = runForward(graph, input);
    try {
      assertForwardFinite(graph, forward);
      const rectifiedOutputs = graph.nodes.filter(
        (node) =>
          (node.op.kind === 'linear' || node.op.kind === 'activation') &&
          node.op.activation.name === 'relu',
      );
      // The conv layer's relu, the ReLU layer and the dense layer's relu.
      expect(rectifiedOutputs).toHaveLength(3);
      for (const node of rectifiedOutputs) {
        expect(knownNonNegative(forward.outputs[node.id])).toBe(true);
      }
    } finally {
      forward.dispose();
      m.dispose();
      input.dispose();
    }
    // Probed: the input, the conv's z, the pooled map (the flatten shares its data but is another
    // tensor), the flattened map, the first dense layer's z and the logits: not the three ReLU
    // outputs.
    const finiteInput = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3);
    const { probes, error } = await check(1, finiteInput);
    finiteInput.dispose();
    expect(error).toBeUndefined();
    expect(probes).toBe(6);
  });

  it('still names the layer whose pre-activation overflowed', async () => {
    const input = tf.fill([1, 6, 6, 2], 1e30);
    const { error } = await check(1e10, input);
    input.dispose();
    expect(error).toBeInstanceOf(ForwardOverflowError);
    expect((error as Error).message).toMatch(/conv2d/);
    expect((error as Error).message).toMatch(/pre-activation/);
  });
});
