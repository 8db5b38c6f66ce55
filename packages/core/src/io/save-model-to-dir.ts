import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { MODEL_JSON } from './model-json-file';

/** Files written by {@link saveModelToDir}. */
export interface SavedModelFiles {
  /** Absolute path of model.json. */
  readonly modelJsonPath: string;
  /** Absolute paths of the weight shards, in order. */
  readonly shardPaths: readonly string[];
  /** Total bytes of weight data. */
  readonly weightBytes: number;
}

/** Options of {@link saveModelToDir}. */
export interface SaveModelOptions {
  /** Largest shard in bytes; default 4 MiB, as `tensorflowjs_converter` writes. */
  readonly shardBytes?: number;
  /**
   * Write all weights to one file of this name (e.g. `weights.bin`, the shipped models' layout)
   * instead of `group1-shardNofM.bin` shards; `shardBytes` is then ignored.
   */
  readonly singleWeightsFile?: string;
}

const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Saves a tfjs layers model to a local directory as model.json plus weight shards
 * (`group1-shard1of3.bin`, …), the format `tf.loadLayersModel` and {@link loadModelFromDir} read,
 * in Node without `@tensorflow/tfjs-node`. The directory is created if needed; model.json is
 * written last, so an interrupted save never leaves a model.json pointing at missing shards.
 *
 * @param model - the model to save.
 * @param dir - target directory.
 */
export async function saveModelToDir(
  model: tf.LayersModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<SavedModelFiles> {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isInteger(shardBytes) || shardBytes <= 0) {
    throw new RangeError(`shardBytes must be a positive integer, got ${shardBytes}.`);
  }
  const single = options.singleWeightsFile;
  if (
    single !== undefined &&
    (single === '' || single !== path.basename(single) || single === MODEL_JSON)
  ) {
    throw new RangeError(
      `singleWeightsFile must be a plain file name other than ${MODEL_JSON} (e.g. "weights.bin"), got "${single}".`,
    );
  }
  const directory = path.resolve(dir);
  let saved: SavedModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.mkdirSync(directory, { recursive: true });
      const data = Buffer.from(
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
      );
      const shardCount =
        single !== undefined ? 1 : Math.max(1, Math.ceil(data.byteLength / shardBytes));
      const shardNames =
        single !== undefined
          ? [single]
          : Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
      const shardPaths = shardNames.map((name) => path.join(directory, name));
      const bytesPerShard = single !== undefined ? data.byteLength : shardBytes;
      shardPaths.forEach((shardPath, i) =>
        fs.writeFileSync(shardPath, data.subarray(i * bytesPerShard, (i + 1) * bytesPerShard)),
      );
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: shardNames, weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata
          ? { userDefinedMetadata: artifacts.userDefinedMetadata }
          : {}),
      };
      const modelJsonPath = path.join(directory, MODEL_JSON);
      fs.writeFileSync(modelJsonPath, JSON.stringify(modelJson));
      saved = { modelJsonPath, shardPaths, weightBytes: data.byteLength };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (saved === undefined) throw new Error('tfjs did not call the save handler');
  return saved;
}
