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
