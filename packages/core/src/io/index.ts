// Model files: load and save tfjs layers models from local directories, without tfjs-node.
export { loadModelFromDir } from './loadModelFromDir';
export type { LoadModelOptions } from './loadModelFromDir';
export { loadWeightsFromDir } from './loadWeightsFromDir';
export type { WeightMatching } from './assignWeights';
export { saveModelToDir } from './saveModelToDir';
export type { SavedModelFiles, SaveModelOptions } from './saveModelToDir';
export { MODEL_JSON, readLayersModelJson } from './modelJsonFile';
export type { LayersModelJson } from './modelJsonFile';
export { findJsonErrorPosition } from './jsonErrorPosition';
export type { JsonErrorPosition } from './jsonErrorPosition';
