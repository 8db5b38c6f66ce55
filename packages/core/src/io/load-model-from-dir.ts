import * as tf from '@tensorflow/tfjs';
import { assignWeights } from './assign-weights';
import { ModelLimitError } from '../errors';
import { cannotBuild } from './cannot-build';
import type { ModelLoadLimits } from './load-limits';
import { readLayersModelJson } from './model-json-file';
import { countTopologyLayers } from './topology-layer-count';
import { checkTopologyParameters } from './topology-parameters';
import { readWeightData } from './weight-shards';
import { manifestTotals } from './weights-manifest';

/**
 * Options of {@link loadModelFromDir}: progress reporting, and the safety limits (see
 * {@link ModelLoadLimits}) to raise for a large model you trust.
 */
export interface LoadModelOptions extends ModelLoadLimits {
  /**
   * Called after each weight shard is read with the fraction read so far (0–1); large models
   * (VGG16: 528 MB) take seconds, so a notebook or terminal can show a progress bar.
   */
  readonly onProgress?: (fraction: number) => void;
}

/**
 * Loads a tfjs layers model (model.json plus its weight shards) from a local directory, in Node,
 * without `@tensorflow/tfjs-node`. Works for models saved by {@link saveModelToDir}, by tfjs'
 * `model.save('file://...')`, and for Keras models converted with
 * `tensorflowjs_converter --input_format=keras`.
 *
 * The files are treated as untrusted (a downloaded model): shard paths must stay inside the model
 * folder and name regular files, sizes are checked before reading, model.json's size and nesting
 * and the layer and parameter counts (of the manifest, and of the topology before any layer is
 * built) are limited. Files are checked before any tensor is made, so damaged files give a precise error and
 * leak nothing. Weights quantised by `tensorflowjs_converter` (uint8, uint16, float16) are
 * dequantised to float32.
 *
 * @param dirOrModelJsonPath - the directory holding `model.json`, or the path of the JSON file.
 * @param options - progress reporting and limits.
 * @throws ModelFileError for a missing directory or model.json, malformed JSON (with its
 *   position), a graph model or other non-layers JSON, a missing shard (named), truncated or
 *   oversized shards (expected vs actual bytes), or weights that do not fit the model;
 *   its subclasses UnsafeModelPathError, ModelLimitError and UnsupportedWeightDtypeError.
 * @throws OptionError for a limit that is not a positive integer.
 */
export async function loadModelFromDir(
  dirOrModelJsonPath: string,
  options: LoadModelOptions = {},
): Promise<tf.LayersModel> {
  const modelJson = readLayersModelJson(dirOrModelJsonPath, options);
  const layerCount = countTopologyLayers(modelJson.json.modelTopology);
  if (layerCount > modelJson.limits.maxLayers) {
    throw new ModelLimitError(
      modelJson.path,
      'maxLayers',
      modelJson.limits.maxLayers,
      `The model's topology declares ${layerCount} layers`,
    );
  }
  await checkTopologyParameters(modelJson.json.modelTopology as object, {
    file: modelJson.path,
    maxParameters: modelJson.limits.maxParameters,
    manifestParameters: manifestTotals(modelJson.json.weightsManifest).modelParameters,
  });
  const weights = readWeightData(modelJson, options.onProgress);
  const { modelTopology, format, generatedBy, convertedBy, trainingConfig, userDefinedMetadata } =
    modelJson.json;
  let model: tf.LayersModel;
  try {
    // Topology only: weights are checked against the built model and written by assignWeights,
    // which owns every tensor it makes (tfjs' own loader leaks on a weight mismatch). The training
    // config and metadata are applied below, where a failure can still dispose the model.
    model = await tf.loadLayersModel({
      load: async () => ({ modelTopology, format, generatedBy, convertedBy }),
    });
  } catch (error) {
    throw cannotBuild(modelJson.path, error);
  }
  try {
    try {
      if (trainingConfig != null)
        model.loadTrainingConfig(
          // tfjs-core and tfjs-layers declare the same JSON with different types.
          trainingConfig as unknown as Parameters<tf.LayersModel['loadTrainingConfig']>[0],
        );
      if (userDefinedMetadata != null) model.setUserDefinedMetadata(userDefinedMetadata);
    } catch (error) {
      throw cannotBuild(modelJson.path, error);
    }
    assignWeights(model, weights, modelJson.path);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
