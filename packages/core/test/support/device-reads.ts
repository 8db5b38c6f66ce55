import * as tf from '@tensorflow/tfjs';

/** Counts the backend's device reads while `run` runs (the real backend, called through). */
export function readsDuring(run: () => void): number {
  const backend = tf.backend();
  const spy = jest.spyOn(backend, 'readSync');
  try {
    run();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}
