import type * as tf from '@tensorflow/tfjs';
import { ModelFileError, quoteForMessage } from '../errors';
import { readFolderFile, resolveInsideFolder, type ConfinedPath } from './model-folder';
import type { LayersModelJson } from './model-json-file';
import { weightByteLength } from './weights-manifest';

/** The weight values of a model file: their specs in manifest order and the concatenated bytes. */
export interface WeightData {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: Uint8Array;
}

/**
 * Reads every weight shard listed in model.json. Each shard path must lead to a regular file
 * inside the model folder; every group's shard sizes are checked (with `lstat`) against the bytes
 * its weights need before any byte is read, and each read is bounded by that size, so a damaged
 * download is reported as such and a crafted path reads nothing outside the folder.
 *
 * @param onProgress - called after each shard with the fraction of shards read.
 * @throws UnsafeModelPathError for a shard path that breaks a rule; ModelFileError naming a
 *   missing shard, or the shard(s) with too few or too many bytes.
 */
export function readWeightData(
  modelJson: LayersModelJson,
  onProgress?: (fraction: number) => void,
): WeightData {
  const manifest = modelJson.json.weightsManifest;
  const groups = manifest.map((group) => {
    const targets = group.paths.map((written): ConfinedPath => ({
      folder: modelJson.directory,
      written,
      modelJsonPath: modelJson.path,
      kind: 'Weight shard',
    }));
    const files = targets.map(resolveInsideFolder);
    return { group, targets, files };
  });
  groups.forEach(({ group, targets, files }, groupIndex) =>
    checkGroupSize(
      group,
      groupIndex,
      targets.map((target) => target.written),
      files.map((file) => file.size),
      modelJson.path,
    ),
  );
  const totalShards = groups.reduce((n, { files }) => n + files.length, 0);
  const totalBytes = groups.reduce(
    (n, { files }) => n + files.reduce((sum, file) => sum + file.size, 0),
    0,
  );
  const data = new Uint8Array(totalBytes);
  let offset = 0;
  let shardsRead = 0;
  for (const { targets, files } of groups) {
    files.forEach((file, i) => {
      data.set(readFolderFile(file, targets[i]), offset);
      offset += file.size;
      onProgress?.(++shardsRead / totalShards);
    });
  }
  return { specs: manifest.flatMap((group) => group.weights), data };
}

function checkGroupSize(
  group: tf.io.WeightsManifestConfig[number],
  groupIndex: number,
  shardNames: readonly string[],
  actual: readonly number[],
  file: string,
): void {
  const expectedTotal = group.weights.reduce((sum, spec) => sum + weightByteLength(spec), 0);
  const actualTotal = actual.reduce((sum, size) => sum + size, 0);
  if (actualTotal === expectedTotal) return;
  const expected = expectedShardSizes(actual, expectedTotal);
  const perShard = actual
    .map((bytes, i) => ({ name: shardNames[i], bytes, expected: expected[i] }))
    .filter((shard) => shard.bytes !== shard.expected)
    .slice(0, 6)
    .map(
      (shard) =>
        `${quoteForMessage(shard.name)} has ${shard.bytes} bytes, expected ${shard.expected}`,
    );
  const summary = `weight group ${groupIndex + 1} (${group.weights.length} weights) needs ${expectedTotal} bytes in total, its ${actual.length} shard(s) hold ${actualTotal}`;
  if (actualTotal < expectedTotal) {
    throw new ModelFileError(
      file,
      `Weights are truncated: ${[...perShard, summary].join('; ')}`,
      'A shard was cut off while copying or downloading; copy the .bin files again.',
    );
  }
  throw new ModelFileError(
    file,
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
  if (actual.length === 0) return [];
  if (actual.length === 1) return [expectedTotal];
  const shardSize = actual.slice(0, -1).reduce((max, size) => Math.max(max, size), 0);
  const full =
    shardSize === 0 ? 0 : Math.min(actual.length - 1, Math.floor(expectedTotal / shardSize));
  return actual.map((_, i) => {
    if (i < full) return shardSize;
    if (i === full) return Math.max(0, expectedTotal - full * shardSize);
    return 0;
  });
}
