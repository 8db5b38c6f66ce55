/*
 * One worker of an ExplainPool (explain-pool.ts): its own single-threaded wasm engine and its own
 * copy of the model, built from the artifacts the pool shares; it explains the slices of a batch
 * it is sent and transfers the relevance back, and runs compareMethods on the slices of a dataset.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'worker_threads';
import { compareInThisThread } from '../evaluate/compare-in-thread';
import type { MethodComparisonWithMaps } from '../evaluate/compare-methods';
import { explain } from '../explain';
import { releaseExplainCache } from '../recent-model';
import { initEngine } from './init-engine';
import { loadOneDnnAddon } from './onednn-addon';
import type { PoolCompareRequest, PoolReply, PoolRequest } from './explain-pool-protocol';

let model: tf.LayersModel | null = null;

async function handle(request: PoolRequest): Promise<PoolReply> {
  switch (request.kind) {
    case 'load': {
      await initEngine({ engine: 'wasm', threads: 1, env: {} });
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
      return { kind: 'compared', id: request.id, comparison: compareSlice(model, request) };
    }
    case 'close': {
      releaseExplainCache();
      model?.dispose();
      model = null;
      return { kind: 'closed', id: request.id };
    }
  }
}

/** The evaluation protocol on one slice, reporting its progress to the pool as it goes. */
function compareSlice(
  model: tf.LayersModel,
  request: PoolCompareRequest & { id: number },
): MethodComparisonWithMaps {
  const { baseline } = request;
  const images = tf.tensor4d(new Float32Array(request.images), request.shape, 'float32');
  const baselineTensor =
    typeof baseline === 'object'
      ? tf.tensor(baseline.values, baseline.shape, 'float32')
      : undefined;
  try {
    return compareInThisThread({
      ...request,
      model,
      images,
      baseline: baselineTensor ?? (baseline as number | undefined),
      onProgress: (progress) =>
        parentPort?.postMessage({ kind: 'progress', id: request.id, progress } satisfies PoolReply),
    });
  } finally {
    images.dispose();
    baselineTensor?.dispose();
  }
}

parentPort?.on('message', (request: PoolRequest) => {
  handle(request).then(
    (reply) => {
      // The relevance maps are this worker's own fresh arrays: handed over, not copied.
      const transfer =
        reply.kind === 'explained'
          ? [reply.relevance]
          : reply.kind === 'compared'
            ? [
                ...new Set(
                  reply.comparison.relevance.map((maps) => maps.scores.buffer as ArrayBuffer),
                ),
              ]
            : [];
      parentPort?.postMessage(reply, transfer);
    },
    (error: unknown) => {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      parentPort?.postMessage({ kind: 'failed', id: request.id, message } satisfies PoolReply);
    },
  );
});
