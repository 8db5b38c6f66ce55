import * as tf from '@tensorflow/tfjs';

/** What the metrics evaluate: a layers model, or any function from an image batch to class scores. */
export type Classifier = tf.LayersModel | ((images: tf.Tensor4D) => tf.Tensor2D);

/**
 * How to read the classifier's output for the curves: `'probabilities'` takes it as is, `'logits'`
 * takes the raw output (no softmax), `'auto'` uses the output as probabilities when a layers model ends
 * in softmax and applies a softmax otherwise.
 */
export type ScoreOutput = 'auto' | 'probabilities' | 'logits';

/** Whether the last layer of a layers model applies a softmax. */
export function endsInSoftmax(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  if (!last) return false;
  if (last.getClassName() === 'Softmax') return true;
  const config = last.getConfig() as { activation?: unknown };
  return config.activation === 'softmax';
}

/**
 * Raw class outputs of a batch, in one forward pass. The caller owns the result. The metrics size
 * their batches (`batchSize`); `predict` would cut them again into its default of 32 images, and
 * on the MNIST CNN a forward pass of 64 images took 10 % less per image than two of 32 (one-off
 * benchmark, one thread; the shipped models gave the same bits either way).
 */
export function classify(classifier: Classifier, images: tf.Tensor4D): tf.Tensor2D {
  if (typeof classifier === 'function') return classifier(images);
  return classifier.predict(images, { batchSize: Math.max(1, images.shape[0]) }) as tf.Tensor2D;
}

/** Class scores for the curves, per `ScoreOutput`. The caller owns the result. */
export function classScores(
  classifier: Classifier,
  images: tf.Tensor4D,
  output: ScoreOutput,
): tf.Tensor2D {
  return tf.tidy(() => {
    const raw = classify(classifier, images);
    if (output === 'logits' || output === 'probabilities') return raw;
    if (typeof classifier !== 'function' && endsInSoftmax(classifier)) return raw;
    return tf.softmax(raw);
  });
}

/**
 * Number of classes the classifier outputs: from a layers model's output shape, otherwise from one
 * forward pass of the first image.
 */
export function classCount(classifier: Classifier, images: tf.Tensor4D): number {
  if (typeof classifier !== 'function') {
    const shape = classifier.outputs[0].shape;
    const classes = shape[shape.length - 1];
    if (typeof classes === 'number') return classes;
  }
  return tf.tidy(() => classify(classifier, images.slice(0, 1)).shape[1]);
}

/** Every {@link ScoreOutput}. */
export const SCORE_OUTPUTS: readonly ScoreOutput[] = Object.freeze([
  'auto',
  'probabilities',
  'logits',
]);
