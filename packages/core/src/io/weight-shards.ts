import type * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError } from '../errors';
import type { LayersModelJson } from './model-json-file';

/** The weight values of a model file: their specs in manifest order and the concatenated bytes. */
export interface WeightData {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: ArrayBuffer;
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Bytes one weight occupies in its shard, or `undefined` when that depends on the data (strings
 * are stored with per-element length prefixes).
 */
export function weightByteLength(spec: tf.io.WeightsManifestEntry): number | undefined {
  const storedDtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_ELEMENT[storedDtype];
  if (bytes === undefined) return undefined;
  return spec.shape.reduce((product, dim) => product * dim, 1) * bytes;
}

/**
 * Reads every weight shard listed in model.json and checks that each group holds exactly the
 * bytes its weights need, so that a damaged download is reported as such instead of as garbage
 * weights.
 *
 * @param onProgress - called after each shard with the fraction of shards read.
 * @throws ModelFileError naming a missing shard, or the shard(s) with too few or too many bytes.
 */
export function readWeightData(
  modelJson: LayersModelJson,
  onProgress?: (fraction: number) => void,
): WeightData {
  const totalShards = modelJson.json.weightsManifest.reduce(
    (n, group) => n + group.paths.length,
    0,
  );
  let shardsRead = 0;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  modelJson.json.weightsManifest.forEach((group, groupIndex) => {
    const shardPaths = group.paths.map((shard) => path.resolve(modelJson.directory, shard));
    const missing = shardPaths.filter((shard) => !fs.existsSync(shard));
    if (missing.length > 0) {
      const names = missing.map((shard) => path.relative(modelJson.directory, shard));
      throw new ModelFileError(
        missing[0],
        `Weight shard${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} listed in ${path.basename(modelJson.path)} ${names.length > 1 ? 'are' : 'is'} missing`,
        `Copy every .bin file named in "weightsManifest" into ${modelJson.directory}, next to ${path.basename(modelJson.path)}.`,
      );
    }
    const shards = shardPaths.map((shard) => {
      const bytes = fs.readFileSync(shard);
      onProgress?.(++shardsRead / totalShards);
      return bytes;
    });
    checkGroupSize(group, groupIndex, shardPaths, shards, modelJson);
    specs.push(...group.weights);
    buffers.push(...shards);
  });
  const joined = Buffer.concat(buffers);
  const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
  return { specs, data: data as ArrayBuffer };
}

function checkGroupSize(
  group: tf.io.WeightsManifestConfig[number],
  groupIndex: number,
  shardPaths: readonly string[],
  shards: readonly Buffer[],
  modelJson: LayersModelJson,
): void {
  const sizes = group.weights.map(weightByteLength);
  if (sizes.some((size) => size === undefined)) return; // string weights: size known only from data
  const expectedTotal = (sizes as number[]).reduce((sum, size) => sum + size, 0);
  const actual = shards.map((shard) => shard.byteLength);
  const actualTotal = actual.reduce((sum, size) => sum + size, 0);
  if (actualTotal === expectedTotal) return;
  const expected = expectedShardSizes(actual, expectedTotal);
  const wrong = actual
    .map((bytes, i) => ({
      name: path.relative(modelJson.directory, shardPaths[i]),
      bytes,
      expected: expected[i],
    }))
    .filter((shard) => shard.bytes !== shard.expected);
  const perShard = wrong.map(
    (shard) => `"${shard.name}" has ${shard.bytes} bytes, expected ${shard.expected}`,
  );
  const summary = `weight group ${groupIndex + 1} (${group.weights.length} weights) needs ${expectedTotal} bytes in total, its ${shards.length} shard(s) hold ${actualTotal}`;
  if (actualTotal < expectedTotal) {
    throw new ModelFileError(
      modelJson.path,
      `Weights are truncated: ${[...perShard, summary].join('; ')}`,
      'A shard was cut off while copying or downloading; copy the .bin files again.',
    );
  }
  throw new ModelFileError(
    modelJson.path,
    `Weight shards hold more bytes than model.json declares: ${[...perShard, summary].join('; ')}`,
    'The shards belong to another model, or model.json was replaced; keep model.json together with its own .bin files.',
  );
}

/**
 * The size each shard should have. Writers split a group into shards of one fixed size with a
 * shorter last shard, so the fixed size is the largest of the non-last shards (or the whole group
 * when there is one shard).
 */
function expectedShardSizes(actual: readonly number[], expectedTotal: number): number[] {
  if (actual.length === 1) return [expectedTotal];
  const shardSize = Math.max(...actual.slice(0, -1));
  const full = Math.min(actual.length - 1, Math.floor(expectedTotal / shardSize));
  return actual.map((_, i) => {
    if (i < full) return shardSize;
    if (i === full) return Math.max(0, expectedTotal - full * shardSize);
    return 0;
  });
}
