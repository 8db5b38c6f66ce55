/**
 * A Node file-system save handler for the tfjs layers format writing model.json + one weights.bin.
 * It stays beside @rlrp/core's saveModelToDir (which writes group1-shardNofM.bin) because the
 * shipped models use this layout (docs/models.md quotes a checksum of one weights.bin); loadModelFromDir reads both.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';

/** Write `model` to `dir/model.json` and `dir/weights.bin`, creating `dir` if needed. */
export async function saveModelToDirectory(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      if (!weightData || !artifacts.weightSpecs) {
        throw new Error('The model has no weights to save.');
      }
      const buffer = tf.io.CompositeArrayBuffer.join(weightData);
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(buffer));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: buffer.byteLength,
        },
      };
    }),
  );
}
