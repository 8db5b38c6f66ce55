// The evaluation protocol of the R-LRP paper: keep-top-k accuracy, deletion/insertion curves, AOPC.
export {
  type Classifier,
  type ScoreOutput,
  endsInSoftmax,
  SCORE_OUTPUTS,
  classify,
  classScores,
  classCount,
} from './classifier';
export { type PixelBaseline, applyPixelMask, rankingMask } from './masking';
export {
  type RelevanceMaps,
  type BatchShape,
  DEFAULT_RANKING_SEED,
  pixelScores,
  rankPixels,
  randomPixelRanking,
} from './pixel-ranking';
export { mulberry32, randomRankings } from './seeded-random';
export {
  type EvaluationProgress,
  type ProgressCallback,
  type PixelOrder,
  type ClassIndices,
  type CommonMetricOptions,
  resolveRanking,
  checkRanking,
} from './metric-options';
export {
  KEEP_TOP_K_PERCENTS,
  type KeepTopKOptions,
  type KeepTopKResult,
  keepTopKAccuracy,
} from './keep-top-k';
export {
  FLIPPING_MODES,
  type FlippingMode,
  type PixelFlippingOptions,
  type PixelFlippingCurve,
  pixelFlippingCurve,
  trapezoidArea,
} from './pixel-flipping';
export {
  type PixelOrderEvaluationOptions,
  type PixelOrderEvaluation,
  evaluatePixelOrder,
} from './evaluate-pixel-order';
export {
  type RelevanceScores,
  type RelevanceScoresOptions,
  relevanceScores,
} from './method-relevance';
export {
  type RelevanceScoresOnWorkersOptions,
  relevanceScoresOnWorkers,
} from './relevance-scores-on-workers';
export {
  type ExplanationMethod,
  type CompareMethodsOptions,
  type MethodEvaluation,
  type MethodComparison,
  type MethodComparisonWithMaps,
  compareMethods,
} from './compare-methods';
export { spearmanRankCorrelation } from './rank-correlation';
// The statistics of the results: confidence intervals and paired tests.
export { normalQuantile } from './normal-quantile';
export { type ProportionInterval, wilsonInterval } from './wilson-interval';
export { type McNemarResult, mcNemarExact, mcNemarPaired } from './mcnemar-test';
export { holmAdjust } from './holm-adjustment';
