/**
 * Checks of model.json's `weightsManifest`: every group, weight name, shape, dtype and
 * quantisation is validated, and the total parameter count limited, before any file is opened.
 */
import type * as tf from '@tensorflow/tfjs';
import {
  ModelFileError,
  ModelLimitError,
  quoteForMessage,
  UnsupportedWeightDtypeError,
} from '../errors';
import type { ResolvedModelLoadLimits } from './load-limits';

/** Weight encodings the loader reads, as they are named in error messages. */
export const SUPPORTED_WEIGHT_DTYPES: readonly string[] = Object.freeze([
  'float32',
  'float32 quantised as uint8 (scale, min)',
  'float32 quantised as uint16 (scale, min)',
  'float32 quantised as float16',
]);

const QUANTIZED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

/** What {@link checkWeightsManifest} counted. */
export interface ManifestTotals {
  /** Weight values of the model (optimizer state excluded). */
  readonly modelParameters: number;
  /** Weight values of every entry, optimizer state included. */
  readonly allParameters: number;
}

/** Number of values of a checked weight. */
export function weightValueCount(spec: tf.io.WeightsManifestEntry): number {
  return spec.shape.reduce((product, dim) => product * dim, 1);
}

/** Bytes a checked weight occupies in its shard. */
export function weightByteLength(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype;
  return weightValueCount(spec) * (dtype === undefined ? 4 : QUANTIZED_BYTES[dtype]);
}

const malformedHint =
  'The file was edited by hand or damaged; restore it or save (convert) the model again.';

/**
 * Validates a parsed `weightsManifest`.
 *
 * @throws ModelFileError for a malformed group or weight entry, or a duplicate weight name.
 * @throws UnsupportedWeightDtypeError for a dtype other than (quantised) float32.
 * @throws ModelLimitError when the weights hold more values than `limits.maxParameters`.
 */
export function checkWeightsManifest(
  manifest: unknown,
  file: string,
  limits: ResolvedModelLoadLimits,
): asserts manifest is tf.io.WeightsManifestConfig {
  const malformed = (where: string, problem: string): never => {
    throw new ModelFileError(file, `${where} is malformed: ${problem}`, malformedHint);
  };
  if (!Array.isArray(manifest)) {
    throw new ModelFileError(
      file,
      'The model file has no "weightsManifest", so the model has no weights',
      'Save the model with its weights: saveModelToDir(model, dir) or model.save(...) in tfjs, tensorflowjs_converter for Keras.',
    );
  }
  const names = new Set<string>();
  let allParameters = 0;
  manifest.forEach((group: unknown, g) => {
    const where = `"weightsManifest[${g}]"`;
    if (typeof group !== 'object' || group === null || Array.isArray(group)) {
      malformed(where, 'not an object');
    }
    const { paths, weights } = group as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      malformed(where, '"paths" must be a list of shard file names');
    }
    if (!Array.isArray(weights)) malformed(where, '"weights" must be a list');
    (weights as unknown[]).forEach((weight, i) => {
      const spec = checkWeightEntry(weight, `${where}.weights[${i}]`, file, malformed);
      if (names.has(spec.name)) {
        malformed(
          `${where}.weights[${i}]`,
          `the weight name ${quoteForMessage(spec.name)} appears twice`,
        );
      }
      names.add(spec.name);
      const count = checkedValueCount(spec, file, limits.maxParameters);
      allParameters += count;
      if (allParameters > limits.maxParameters) {
        throw new ModelLimitError(
          file,
          'maxParameters',
          limits.maxParameters,
          `The weights manifest declares at least ${allParameters} weight values`,
        );
      }
    });
  });
}

/** Totals of a manifest that passed {@link checkWeightsManifest}. */
export function manifestTotals(manifest: tf.io.WeightsManifestConfig): ManifestTotals {
  let modelParameters = 0;
  let allParameters = 0;
  for (const group of manifest) {
    for (const spec of group.weights) {
      const count = weightValueCount(spec);
      allParameters += count;
      if (spec.group !== 'optimizer') modelParameters += count;
    }
  }
  return { modelParameters, allParameters };
}

function checkWeightEntry(
  weight: unknown,
  where: string,
  file: string,
  malformed: (where: string, problem: string) => never,
): tf.io.WeightsManifestEntry {
  if (typeof weight !== 'object' || weight === null || Array.isArray(weight)) {
    return malformed(where, 'not an object');
  }
  const { name, shape, dtype, quantization } = weight as Record<string, unknown>;
  if (typeof name !== 'string' || name === '')
    malformed(where, 'it needs a non-empty string "name"');
  const shapeOk =
    Array.isArray(shape) &&
    shape.length <= 16 &&
    shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
  if (!shapeOk) {
    malformed(where, '"shape" must be a list of at most 16 non-negative integers');
  }
  if (typeof dtype !== 'string') malformed(where, 'it needs a string "dtype"');
  const weightName = name as string;
  if (dtype !== 'float32') {
    throw new UnsupportedWeightDtypeError(file, weightName, String(dtype), SUPPORTED_WEIGHT_DTYPES);
  }
  if (quantization !== undefined) {
    if (typeof quantization !== 'object' || quantization === null) {
      malformed(where, '"quantization" must be an object');
    }
    const q = quantization as Record<string, unknown>;
    if (typeof q.dtype !== 'string' || !(q.dtype in QUANTIZED_BYTES)) {
      throw new UnsupportedWeightDtypeError(
        file,
        weightName,
        `float32 quantised as ${String(q.dtype)}`,
        SUPPORTED_WEIGHT_DTYPES,
      );
    }
    const affine = q.dtype !== 'float16';
    const finite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
    if (affine && (!finite(q.scale) || !finite(q.min))) {
      malformed(where, `${q.dtype} quantisation needs finite numbers "scale" and "min"`);
    }
  }
  return weight as tf.io.WeightsManifestEntry;
}

/** Value count of one weight, refusing shapes whose product exceeds the limit on the way. */
function checkedValueCount(
  spec: tf.io.WeightsManifestEntry,
  file: string,
  maxParameters: number,
): number {
  let count = 1;
  for (const dim of spec.shape) {
    count *= dim;
    if (count > maxParameters) {
      throw new ModelLimitError(
        file,
        'maxParameters',
        maxParameters,
        `Weight ${quoteForMessage(spec.name)} declares the shape [${spec.shape.join(', ')}]`,
      );
    }
  }
  return count;
}
