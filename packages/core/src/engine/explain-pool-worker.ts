/*
 * One worker of an ExplainPool (explain-pool.ts): its own single-threaded wasm engine and its own
 * copy of the model, built from the artifacts the pool shares; it explains its slice of a batch
 * the pool shares and writes the relevance back beside it, and runs compareMethods (or explains
 * under several rules) on the slices of a dataset it takes from the queue it shares with the
 * other threads.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'worker_threads';
import { compareTakenSlices } from '../evaluate/comparison-set';
import { scoreTakenSlices } from '../evaluate/scores-set';
import { receivedRule } from '../rule-from-recipe';
import { explain } from '../explain';
import { releaseExplainCache } from '../recent-model';
import { initEngine } from './init-engine';
import { loadOneDnnAddon } from './onednn-addon';
import type { PoolReply, PoolRequest } from './explain-pool-protocol';
import { valuesOf } from './shared-batch';

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
      // A kept pool hands its workers the next model: the one held so far goes first.
      releaseModel();
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
      const count = request.shape.reduce((product, d) => product * d, 1);
      const slice = (buffer: SharedArrayBuffer) =>
        new Float32Array(buffer, request.offset * Float32Array.BYTES_PER_ELEMENT, count);
      // The engine copies the values into its heap: the pool may reuse the buffer afterwards.
      const input = tf.tensor(slice(request.input), request.shape, 'float32');
      try {
        const rule = receivedRule(request.rule);
        const e = explain(model, input, { rule, target: request.target });
        try {
          slice(request.output).set(valuesOf(e.relevance));
        } finally {
          e.dispose();
        }
        return { kind: 'explained', id: request.id };
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
      return { kind: 'drained', id };
    }
    case 'scores': {
      if (!model) throw new Error('the pool worker has no model yet');
      const { id } = request;
      await scoreTakenSlices(
        model,
        request,
        (slice, scores) =>
          parentPort?.postMessage(
            { kind: 'slice-scored', id, slice, scores } satisfies PoolReply,
            // The maps are this worker's own fresh arrays: handed over, not copied.
            scores.map((maps) => maps.scores.buffer as ArrayBuffer),
          ),
        (slice, progress) =>
          parentPort?.postMessage({ kind: 'progress', id, slice, progress } satisfies PoolReply),
      );
      return { kind: 'drained', id };
    }
    case 'close': {
      releaseModel();
      return { kind: 'closed', id: request.id };
    }
  }
}

/** Disposes the model this worker holds, and what explanations of it keep. */
function releaseModel(): void {
  releaseExplainCache();
  model?.dispose();
  model = null;
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
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      parentPort?.postMessage({ kind: 'failed', id: request.id, message } satisfies PoolReply);
    },
  );
}
