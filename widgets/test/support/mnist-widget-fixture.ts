import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromDir } from '@rlrp/core';
import { installLocalRuntime, type LocalRuntime } from 'tslab-widgets';

const MODEL_DIR = path.resolve(__dirname, '..', '..', '..', 'models', 'mnist-cnn');

/** A 28×28 image of a vertical bar, which the shipped CNN reads as a digit. Dispose it. */
export function digitLike(): tf.Tensor4D {
  const values = new Float32Array(28 * 28);
  for (let y = 6; y < 22; y++) for (let x = 12; x < 16; x++) values[y * 28 + x] = 1;
  return tf.tensor4d(values, [1, 28, 28, 1]);
}

/** What the widget tests run on; read its fields inside tests (they are set by the hooks). */
export interface MnistWidgetFixture {
  /** The shipped MNIST CNN, loaded once for the `describe`. */
  readonly model: tf.LayersModel;
  /** tslab-widgets' local runtime, fresh for every test: it records what the kernel would send. */
  readonly local: LocalRuntime;
}

/**
 * Registers, in the `describe` it is called from, the hooks that load the MNIST CNN (disposed
 * after the last test) and install a fresh local runtime before each test.
 */
export function useMnistWidgetFixture(): MnistWidgetFixture {
  let model: tf.LayersModel | undefined;
  let local: LocalRuntime | undefined;
  beforeAll(async () => {
    model = await loadModelFromDir(MODEL_DIR);
  });
  beforeEach(() => {
    local = installLocalRuntime();
  });
  afterAll(() => model?.dispose());
  return {
    get model() {
      if (model === undefined)
        throw new Error('the MNIST CNN is loaded in beforeAll: read it in a test');
      return model;
    },
    get local() {
      if (local === undefined)
        throw new Error('the local runtime is installed in beforeEach: read it in a test');
      return local;
    },
  };
}
