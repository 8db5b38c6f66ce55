import * as tf from '@tensorflow/tfjs';
import {
  ArchitectureOptionError,
  type ArchitectureOptions,
  resolveArchitectureOptions,
} from './architecture-options';
import { KernelInitializers, withWeightsFrom } from './initial-weights';
import { softmaxClassifier } from './softmax-classifier';

/** Options of {@link mnistCnn}. */
export interface MnistCnnOptions extends ArchitectureOptions {
  /** Dropout rate before the classifier (identity at inference); default 0.25. */
  readonly dropout?: number;
}

/**
 * A simple CNN for 28×28×1 digits or clothes (MNIST, Fashion-MNIST): conv 3×3×32 (ReLU) → max
 * pool 2 → conv 3×3×64 (ReLU) → max pool 2 → flatten → dense 128 (ReLU) → dropout → dense softmax.
 * A Sequential model (225,034 parameters at the defaults: 28×28×1, 10 classes).
 */
export function mnistCnn(options: MnistCnnOptions = {}): tf.LayersModel {
  const resolved = resolveArchitectureOptions(
    'mnistCnn',
    options,
    { inputShape: [28, 28, 1], classes: 10 },
    10,
  );
  const rate = options.dropout ?? 0.25;
  if (!(rate >= 0 && rate < 1)) {
    throw new ArchitectureOptionError(`mnistCnn: dropout must be in [0, 1), got ${rate}.`);
  }
  const kernels = new KernelInitializers(resolved);
  const model = tf.sequential({ name: 'mnist_cnn' });
  model.add(
    tf.layers.conv2d({
      inputShape: resolved.inputShape,
      filters: 32,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: kernels.next(),
      name: 'conv1',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  model.add(
    tf.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: kernels.next(),
      name: 'conv2',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      units: 128,
      activation: 'relu',
      kernelInitializer: kernels.next(),
      name: 'fc1',
    }),
  );
  model.add(tf.layers.dropout({ rate, name: 'dropout' }));
  model.add(softmaxClassifier(kernels, resolved.classes));
  return withWeightsFrom(model, resolved);
}
