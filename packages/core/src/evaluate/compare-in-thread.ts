import type {
  CompareMethodsOptions,
  ExplanationMethod,
  MethodComparisonWithMaps,
  MethodEvaluation,
} from './compare-methods';
import { resolveRuleChoice } from '../composites';
import { classCount } from './classifier';
import { evaluatePixelOrder, type PixelOrderEvaluation } from './evaluate-pixel-order';
import { KEEP_TOP_K_PERCENTS } from './keep-top-k';
import {
  checkBaseline,
  checkImages,
  checkPercents,
  resolveBatchSize,
  resolveSeed,
  toIndexArray,
} from './metric-options';
import { resolveFirstSample } from './seeded-random';
import {
  DEFAULT_EXPLAIN_BATCH_SIZE,
  relevanceScores,
  type RelevanceScores,
} from './method-relevance';

/**
 * Checks every option of `compareMethods` that the metrics check, and the rule names, so that a bad
 * one fails before anything is explained (and before a pool of workers is started).
 *
 * @throws EvaluationOptionError, ClassIndexError as the metrics do; UnknownRuleError.
 */
export function checkCompareOptions(options: CompareMethodsOptions): void {
  const { model, images } = options;
  checkImages(images);
  toIndexArray(options.labels, images.shape[0], 'labels', classCount(model, images));
  checkPercents(options.percents ?? KEEP_TOP_K_PERCENTS);
  checkBaseline(options.baseline, images.shape);
  resolveBatchSize(options.batchSize);
  resolveBatchSize(options.explainBatchSize, DEFAULT_EXPLAIN_BATCH_SIZE, 'explainBatchSize');
  resolveSeed(options.seed);
  resolveFirstSample(options.firstSample);
  // A rule name no thread knows fails here, with its own UnknownRuleError, whichever thread would
  // have met it first.
  for (const method of options.methods) {
    if (typeof method.rule === 'string') resolveRuleChoice(method.rule);
  }
}

/** A method to evaluate: explained here by its rule, or with its relevance computed elsewhere. */
export type SliceMethod =
  ExplanationMethod | { readonly name: string; readonly relevance: RelevanceScores };

/** `compareMethods`' options with methods that may come with their relevance. */
export type SliceCompareOptions = Omit<CompareMethodsOptions, 'methods'> & {
  readonly methods: readonly SliceMethod[];
};

/**
 * The evaluation protocol of `compareMethods` in this thread, on the engine this thread runs:
 * the single-threaded path, and what each worker of a pool runs on its slice. The methods without
 * relevance are explained here, sharing one forward pass per batch.
 */
export function compareInThisThread(options: SliceCompareOptions): MethodComparisonWithMaps {
  const { model, images } = options;
  const toExplain = options.methods.flatMap((m) => ('rule' in m ? [m.rule] : []));
  const explained = relevanceScores(model, images, {
    rules: toExplain,
    batchSize: options.explainBatchSize,
    onProgress: options.onProgress,
  });
  let next = 0;
  const maps = options.methods.map((m) => ('relevance' in m ? m.relevance : explained[next++]));
  const targets = maps[0]?.targets;
  const evaluate = (name: string, order: Float32Array | 'random'): PixelOrderEvaluation =>
    evaluatePixelOrder({
      classifier: model,
      images,
      labels: options.labels,
      targets,
      order,
      percents: options.percents,
      steps: options.steps,
      baseline: options.baseline,
      batchSize: options.batchSize,
      seed: options.seed,
      firstSample: options.firstSample,
      scoreOutput: options.scoreOutput,
      onProgress:
        options.onProgress && ((p) => options.onProgress?.({ ...p, stage: `${name}: ${p.stage}` })),
    });
  const randomEvaluation = evaluate('random', 'random');
  const methods = options.methods.map((method, i) =>
    relativeToRandom(
      method.name,
      evaluate(method.name, maps[i].scores),
      maps[i].nonFinite,
      randomEvaluation,
    ),
  );
  return {
    methods,
    random: relativeToRandom('random', randomEvaluation, 0, randomEvaluation),
    relevance: maps,
  };
}

/** A method's evaluation with its AOPC differences from the random ranking's. */
export function relativeToRandom(
  name: string,
  evaluation: PixelOrderEvaluation,
  nonFinite: number,
  random: PixelOrderEvaluation,
): MethodEvaluation {
  return {
    name,
    ...evaluation,
    nonFinite,
    deletionAopcVsRandom: evaluation.deletion.aopc - random.deletion.aopc,
    insertionAopcVsRandom: evaluation.insertion.aopc - random.insertion.aopc,
  };
}
