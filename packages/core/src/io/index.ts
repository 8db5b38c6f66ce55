// Model files: load and save tfjs layers models from local directories, without tfjs-node.
export { loadModelFromDir } from './load-model-from-dir';
export type { LoadModelOptions } from './load-model-from-dir';
export { loadWeightsFromDir } from './load-weights-from-dir';
export type { WeightMatching } from './assign-weights';
export { saveModelToDir } from './save-model-to-dir';
export type { SavedModelFiles, SaveModelOptions } from './save-model-to-dir';
export { MODEL_JSON, readLayersModelJson } from './model-json-file';
export type { LayersModelJson } from './model-json-file';
export { findJsonErrorPosition } from './json-error-position';
export type { JsonErrorPosition } from './json-error-position';
