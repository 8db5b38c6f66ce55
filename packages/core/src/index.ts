/**
 * @rlrp/core — Relative Layer-wise Relevance Propagation (R-LRP) and the classical LRP rules for
 * TensorFlow.js models.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './types';
export * from './heatmap/index';
export * from './image/index';
export * from './io/index';
export * from './engine/index';
export * from './architectures/index';
export * from './evaluate/index';
export { prepare, explain } from './explain';
export { releaseExplainCache } from './recent-model';
export { massPerSample } from './rules/unit-scale';
export { readComputed } from './read-computed';
export type { SendableRule } from './rule-from-recipe';
export { explainCacheMemory, setExplainCacheLimit } from './explain-cache-memory';
export type { ExplainCacheMemory } from './explain-cache-memory';
export { ExplanationSession, type SessionOrigin } from './session';
export { ExplainableModel } from './explainable-model';
export * from './rules/index';
export {
  composite,
  uniform,
  epsilonPlus,
  epsilonPlusFlat,
  epsilonGammaBox,
  epsilonAlpha2Beta1,
  epsilonAlpha2Beta1Flat,
  PRESETS,
  RULE_CHOICES,
  type Composite,
  type CompositeSpec,
  type FirstLayerRule,
  type LayerFamily,
  LAYER_FAMILIES,
  type NonWeightedTreatment,
  type UniformOptions,
  type PresetOptions,
} from './composites';
export { foldBatchNorm, type CanonizedGraph } from './canonizers';
export { buildGraph } from './graph/build-graph';
export type { Graph, GraphNode, NodeOp } from './graph/graph';
export { SUPPORTED_LAYERS } from './layers/registry';
export type { LinearOp, LinearParams } from './layers/linear-op';
export type { DerivedParams, Rewrite, WeightRewrite } from './layers/derived-params';
export type { WindowGeometry } from './layers/window-transpose';
export type { Activation } from './layers/activation';
export type { StructuralOp } from './graph/graph';
