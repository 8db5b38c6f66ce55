/**
 * What a session accepts as input: int32 and bool are read as float32 (the same relevance as the
 * float32 tensor with the same values), an empty batch and non-numeric dtypes are typed errors.
 */
import * as tf from '@tensorflow/tfjs';
import { EmptyBatchError, InputTypeError, prepare, RlrpError } from '@rlrp/core';

function smallCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [4, 4, 1],
        filters: 2,
        kernelSize: 2,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) }),
    ],
  });
}

function relevanceOf(model: tf.LayersModel, x: tf.Tensor): number[] {
  const session = prepare(model, x);
  const e = session.explain({ rule: 'rlrp', target: 0 });
  const values = Array.from(e.relevance.dataSync());
  e.dispose();
  session.dispose();
  return values;
}

describe('session inputs', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = smallCnn(); // after the engine is ready (test/setup/engine.ts)
  });
  afterAll(() => model.dispose());

  it('int32 and bool inputs explain like the float32 tensor of the same values', () => {
    const before = tf.memory().numTensors;
    const values = Array.from({ length: 16 }, (_, i) => (i * 7) % 3);
    const asFloat = tf.tensor4d(values, [1, 4, 4, 1], 'float32');
    const asInt = tf.tensor4d(values, [1, 4, 4, 1], 'int32');
    const asBool = tf.tensor4d(
      values.map((v) => (v > 0 ? 1 : 0)),
      [1, 4, 4, 1],
      'bool',
    );
    const boolAsFloat = tf.cast(asBool, 'float32');
    expect(relevanceOf(model, asInt)).toEqual(relevanceOf(model, asFloat));
    expect(relevanceOf(model, asBool)).toEqual(relevanceOf(model, boolAsFloat));
    tf.dispose([asFloat, asInt, asBool, boolAsFloat]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an empty batch is an EmptyBatchError that says so', () => {
    const empty = tf.zeros([0, 4, 4, 1]);
    expect(() => prepare(model, empty)).toThrow(EmptyBatchError);
    expect(() => prepare(model, empty)).toThrow(/batch is empty \(shape \[0, 4, 4, 1\]\)/);
    empty.dispose();
  });

  // (complex64 cannot even be made on the wasm engine; the check lists what is accepted instead.)
  it('a string input is an InputTypeError naming the dtype', () => {
    const text = tf.tensor(
      Array.from({ length: 16 }, () => 'a'),
      [1, 4, 4, 1],
      'string',
    );
    expect(() => prepare(model, text)).toThrow(InputTypeError);
    expect(() => prepare(model, text)).toThrow(/dtype string/);
    expect(() => prepare(model, text)).toThrow(RlrpError);
    text.dispose();
  });
});
