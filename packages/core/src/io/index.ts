// Model files: load and save tfjs layers models from local directories, without tfjs-node.
export { loadModelFromDir } from './load-model-from-dir';
export type { LoadModelOptions } from './load-model-from-dir';
export { loadWeightsFromDir } from './load-weights-from-dir';
export type { WeightMatching } from './assign-weights';
export { saveModelToDir } from './save-model-to-dir';
export type { SavedModelFiles, SaveModelOptions } from './save-model-to-dir';
export { MODEL_JSON, readLayersModelJson } from './model-json-file';
export { DEFAULT_MODEL_LOAD_LIMITS } from './load-limits';
export type { ModelLoadLimits } from './load-limits';
export { SUPPORTED_WEIGHT_DTYPES } from './weights-manifest';
export type { LayersModelJson } from './model-json-file';
export { findJsonErrorPosition } from './json-error-position';
export type { JsonErrorPosition } from './json-error-position';
export { isInside } from './model-folder';
