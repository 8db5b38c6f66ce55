import * as tf from '@tensorflow/tfjs';
import { ExplainableModel } from '../explainable-model';
import type { ExplanationSession } from '../session';
import type { RuleChoice, Target } from '../types';
import { checkImages, resolveBatchSize, type ProgressCallback } from './metric-options';

/** Images per explanation batch when none is given (what the memory of a 224² batch allows). */
export const DEFAULT_EXPLAIN_BATCH_SIZE = 32;

/** Channel-summed relevance of a batch of images for one rule, with its count of non-finite values. */
export interface RelevanceScores {
  /** Signed relevance summed over channels, `[n · h · w]` (NHW order). */
  readonly scores: Float32Array;
  /** NaN or ±Infinity values in the (per-channel) relevance. */
  readonly nonFinite: number;
  /** The explained class per image. */
  readonly targets: readonly number[];
}

/** Options of `relevanceScores`. */
export interface RelevanceScoresOptions {
  readonly rules: readonly RuleChoice[];
  /**
   * Default `'predicted'`: the class predicted on the intact image, as the protocol says. Per-sample
   * targets (one class or one output-relevance row per image) are sliced to each batch.
   */
  readonly target?: Target;
  /** Images per forward/backward pass; default 32. */
  readonly batchSize?: number;
  readonly onProgress?: ProgressCallback;
}

/**
 * The target of samples `[from, to)`: per-sample arrays and `[batch, classes]` output relevance are
 * sliced to the batch, the rest is shared. `owned` is a tensor made here, for the caller to dispose.
 */
function batchTarget(
  target: Target | undefined,
  from: number,
  to: number,
): { target: Target; owned?: tf.Tensor } {
  if (target === undefined) return { target: 'predicted' };
  if (Array.isArray(target)) return { target: target.slice(from, to) as readonly number[] };
  if (typeof target === 'object' && 'outputRelevance' in target) {
    const start = target.outputRelevance;
    if (Array.isArray(start) && Array.isArray(start[0])) {
      return {
        target: { outputRelevance: (start as readonly (readonly number[])[]).slice(from, to) },
      };
    }
    if (start instanceof tf.Tensor && start.rank === 2) {
      const owned = tf.slice(start, [from, 0], [to - from, -1]);
      return { target: { outputRelevance: owned }, owned };
    }
  }
  return { target: target as Target };
}

/**
 * Explain `images` under every rule, sharing one forward pass per batch among the rules and one
 * graph (with its prepared kernels) among the batches, and return the channel-summed relevance per
 * rule.
 */
export function relevanceScores(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  options: RelevanceScoresOptions,
): RelevanceScores[] {
  checkImages(images);
  // Nothing to explain: no forward pass, no progress.
  if (options.rules.length === 0) return [];
  const explainable = new ExplainableModel(model);
  try {
    return relevanceScoresOf(explainable, images, options);
  } finally {
    explainable.dispose();
  }
}

/**
 * {@link relevanceScores} on a model already turned into the engine's graph, which a caller keeps
 * for several sets of images (a pool's thread, for every slice it takes): the graph and the
 * kernels its layers prepare are made once.
 */
export function relevanceScoresOf(
  explainable: ExplainableModel,
  images: tf.Tensor4D,
  options: RelevanceScoresOptions,
): RelevanceScores[] {
  checkImages(images);
  if (options.rules.length === 0) return [];
  const [n, h, w] = images.shape;
  const pixels = h * w;
  const batchSize = resolveBatchSize(options.batchSize, DEFAULT_EXPLAIN_BATCH_SIZE);
  const results = options.rules.map(() => ({
    scores: new Float32Array(n * pixels),
    nonFinite: 0,
    targets: new Array<number>(n),
  }));
  const batches = Math.ceil(n / batchSize);
  for (let b = 0; b < batches; b++) {
    const from = b * batchSize;
    const to = Math.min(n, from + batchSize);
    explainBatch(explainable, images, from, to, options, results, pixels);
    options.onProgress?.({ stage: 'explain', done: b + 1, total: batches });
  }
  return results;
}

/** Images `[from, to)` under every rule, written into `results`. */
function explainBatch(
  explainable: ExplainableModel,
  images: tf.Tensor4D,
  from: number,
  to: number,
  options: RelevanceScoresOptions,
  results: { scores: Float32Array; nonFinite: number; targets: number[] }[],
  pixels: number,
): void {
  const [, h, w, c] = images.shape;
  const batch = images.slice([from, 0, 0, 0], [to - from, h, w, c]);
  let session: ExplanationSession;
  try {
    session = explainable.prepare(batch);
  } catch (error) {
    batch.dispose(); // e.g. a NonFiniteInputError: nothing else was made yet
    throw error;
  }
  const { target, owned } = batchTarget(options.target, from, to);
  try {
    options.rules.forEach((rule, r) => {
      const explanation = session.explain({ rule, target });
      try {
        const values = explanation.relevance.dataSync();
        const out = results[r];
        for (let p = 0; p < (to - from) * pixels; p++) {
          let sum = 0;
          for (let ch = 0; ch < c; ch++) {
            const v = values[p * c + ch];
            if (!Number.isFinite(v)) out.nonFinite += 1;
            sum += v;
          }
          out.scores[from * pixels + p] = sum;
        }
        explanation.target.forEach((t, i) => (out.targets[from + i] = t));
      } finally {
        explanation.dispose();
      }
    });
  } finally {
    owned?.dispose();
    session.dispose();
    batch.dispose();
  }
}
