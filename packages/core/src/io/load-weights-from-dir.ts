import type * as tf from '@tensorflow/tfjs';
import { assignWeights, type WeightMatching } from './assign-weights';
import type { ModelLoadLimits } from './load-limits';
import { readLayersModelJson } from './model-json-file';
import { readWeightData } from './weight-shards';

/**
 * Loads only the weights of a saved or converted layers model into an already built `model`
 * (for example a {@link vgg16} built here, filled with Keras weights converted elsewhere by
 * `tensorflowjs_converter --input_format=keras`). Synchronous, so that architecture builders can
 * take a `weightsPath` option.
 *
 * @param dirOrModelJsonPath - directory holding model.json, or the JSON file's path.
 * @returns how weights were matched: by name (`block1_conv1/kernel`) or, when no name matches but
 *   all shapes do, by order.
 * @param limits - safety limits (see {@link loadModelFromDir}); the topology is not built here.
 * @throws ModelFileError for any damaged or unsafe file (see {@link loadModelFromDir}) or weights
 *   that do not fit `model`.
 */
export function loadWeightsFromDir(
  model: tf.LayersModel,
  dirOrModelJsonPath: string,
  limits: ModelLoadLimits = {},
): WeightMatching {
  const modelJson = readLayersModelJson(dirOrModelJsonPath, limits);
  return assignWeights(model, readWeightData(modelJson), modelJson.path);
}
