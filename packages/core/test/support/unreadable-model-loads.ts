import { Worker } from 'worker_threads';

/**
 * Makes every pool worker's load message carry a topology the worker cannot read, as a model whose
 * layers only this thread knows would: the worker's `tf.loadLayersModel` throws. Restore the spy
 * it gives when done.
 */
export function mockUnreadableModelLoads(): jest.SpyInstance {
  const post = Worker.prototype.postMessage;
  return jest.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
    this: Worker,
    ...[message, transfer]
  ) {
    const request = message as { kind?: string };
    const sent =
      request.kind === 'load'
        ? { ...request, modelTopology: { class_name: 'NoSuchModel' } }
        : message;
    post.call(this, sent, transfer);
  });
}
