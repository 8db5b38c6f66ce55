import { messageOf, ModelFileError } from '../errors';

/** The error for a topology tfjs cannot turn into a model (unknown layer class, bad config). */
export function cannotBuild(file: string, error: unknown): ModelFileError {
  return new ModelFileError(
    file,
    `tfjs cannot build the model described in the file: ${messageOf(error)}`,
    'Custom layers must be registered with tf.serialization.registerClass before loading; otherwise re-export the model with a tfjs-compatible Keras version.',
  );
}
