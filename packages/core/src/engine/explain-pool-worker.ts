/*
 * One worker of an ExplainPool (explain-pool.ts): its own single-threaded wasm engine and its own
 * copy of the model, built from the artifacts the pool shares; it explains the slices of a batch
 * it is sent and transfers the relevance back, and runs compareMethods on the slices of a dataset
 * it takes from the queue it shares with the other threads.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'worker_threads';
import { compareTakenSlices } from '../evaluate/comparison-set';
import { explain } from '../explain';
import { releaseExplainCache } from '../recent-model';
import { initEngine } from './init-engine';
import { loadOneDnnAddon } from './onednn-addon';
import type { PoolReply, PoolRequest } from './explain-pool-protocol';

let model: tf.LayersModel | null = null;

async function handle(request: PoolRequest): Promise<PoolReply> {
  switch (request.kind) {
    case 'load': {
      await initEngine({
        engine: 'wasm',
        threads: 1,
        nativeKernels: request.nativeKernels,
        env: {},
      });
      if (request.core !== null) loadOneDnnAddon().addon?.pinToCore(request.core);
      model = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: request.modelTopology,
          weightSpecs: request.weightSpecs,
          // The pool's SharedArrayBuffer is read once, into this engine's own heap.
          weightData: new Uint8Array(request.weightData).slice().buffer,
        }),
      );
      return { kind: 'loaded', id: request.id };
    }
    case 'explain': {
      if (!model) throw new Error('the pool worker has no model yet');
      const input = tf.tensor(new Float32Array(request.input), request.shape, 'float32');
      try {
        const e = explain(model, input, { rule: request.rule, target: request.target });
        const relevance = (e.relevance.dataSync() as Float32Array).slice();
        e.dispose();
        return { kind: 'explained', id: request.id, relevance: relevance.buffer };
      } finally {
        input.dispose();
      }
    }
    case 'compare': {
      if (!model) throw new Error('the pool worker has no model yet');
      const { id } = request;
      await compareTakenSlices(
        model,
        request,
        (slice, comparison) =>
          parentPort?.postMessage(
            { kind: 'slice-compared', id, slice, comparison } satisfies PoolReply,
            // The relevance maps are this worker's own fresh arrays: handed over, not copied.
            [...new Set(comparison.relevance.map((maps) => maps.scores.buffer as ArrayBuffer))],
          ),
        (slice, progress) =>
          parentPort?.postMessage({ kind: 'progress', id, slice, progress } satisfies PoolReply),
      );
      return { kind: 'compared', id };
    }
    case 'close': {
      releaseExplainCache();
      model?.dispose();
      model = null;
      return { kind: 'closed', id: request.id };
    }
  }
}

/** The requests answered so far, in the order they came: the next one starts after them. */
let answered: Promise<void> = Promise.resolve();

// One request at a time, in order: the pool may send slices before the model has loaded (they
// wait behind it here), and loading awaits the engine's start.
parentPort?.on('message', (request: PoolRequest) => {
  answered = answered.then(() => answer(request));
});

function answer(request: PoolRequest): Promise<void> {
  return handle(request).then(
    (reply) => {
      // The relevance is this worker's own fresh array: handed over, not copied.
      parentPort?.postMessage(reply, reply.kind === 'explained' ? [reply.relevance] : []);
    },
    (error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      parentPort?.postMessage({ kind: 'failed', id: request.id, message } satisfies PoolReply);
    },
  );
}
