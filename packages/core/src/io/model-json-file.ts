import type * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError } from '../errors';
import { findJsonErrorPosition } from './json-error-position';

/** The name tfjs gives the model file inside a model directory. */
export const MODEL_JSON = 'model.json';

/** A parsed, checked model.json of a tfjs layers model. */
export interface LayersModelJson {
  /** Absolute path of model.json. */
  readonly path: string;
  /** Directory the weight shard paths are relative to. */
  readonly directory: string;
  /** The parsed file; `modelTopology` is a Keras layers topology, `weightsManifest` is present. */
  readonly json: tf.io.ModelJSON & { readonly weightsManifest: tf.io.WeightsManifestConfig };
}

/**
 * Finds model.json: `dirOrModelJsonPath` is either a directory holding `model.json` or the path of
 * a model JSON file itself.
 *
 * @throws ModelFileError when neither exists.
 */
export function resolveModelJsonPath(dirOrModelJsonPath: string): string {
  const given = path.resolve(dirOrModelJsonPath);
  if (!fs.existsSync(given)) {
    throw new ModelFileError(
      given,
      'Model directory or file not found',
      `Pass the directory that contains ${MODEL_JSON} (as written by saveModelToDir, model.save or tensorflowjs_converter), or the path of ${MODEL_JSON} itself.`,
    );
  }
  if (!fs.statSync(given).isDirectory()) return given;
  const modelJson = path.join(given, MODEL_JSON);
  if (!fs.existsSync(modelJson)) {
    const otherJson = fs.readdirSync(given).filter((name) => name.endsWith('.json'));
    throw new ModelFileError(
      modelJson,
      `The directory has no ${MODEL_JSON}`,
      otherJson.length > 0
        ? `It holds ${otherJson.join(', ')}: pass the path of the model's JSON file instead of the directory.`
        : 'Pass the directory a tfjs layers model was saved to (model.json plus its .bin weight shards).',
    );
  }
  return modelJson;
}

/**
 * Reads and checks a layers model's model.json.
 *
 * @throws ModelFileError for a missing file, malformed JSON (with line, column and offset), a
 *   graph model or any other JSON that is not a layers model, or a missing weights manifest.
 */
export function readLayersModelJson(dirOrModelJsonPath: string): LayersModelJson {
  const modelJsonPath = resolveModelJsonPath(dirOrModelJsonPath);
  const text = fs.readFileSync(modelJsonPath, 'utf8');
  const parsed = parseJson(text, modelJsonPath);
  checkIsLayersModel(parsed, modelJsonPath);
  return { path: modelJsonPath, directory: path.dirname(modelJsonPath), json: parsed };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = findJsonErrorPosition(text);
    const where = position
      ? ` at line ${position.line}, column ${position.column} (character ${position.offset} of ${text.length})`
      : '';
    // V8 appends an excerpt of the text to some messages; the position says more.
    const reason = (error as Error).message
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/\n/g, '\\n');
    throw new ModelFileError(
      file,
      `The model file is not valid JSON${where}: ${reason}`,
      position && position.offset >= text.length
        ? 'The file ends too early: it was probably cut off while copying or downloading; copy it again.'
        : 'The file is damaged or was edited by hand; restore it or save the model again.',
    );
  }
}

function checkIsLayersModel(
  parsed: unknown,
  file: string,
): asserts parsed is LayersModelJson['json'] {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelFileError(file, 'The model file does not contain a JSON object', notAModelHint);
  }
  const { modelTopology, format, weightsManifest } = parsed as Record<string, unknown>;
  const topology = (modelTopology ?? {}) as Record<string, unknown>;
  const isGraphModel =
    format === 'graph-model' || Array.isArray(topology.node) || topology.versions !== undefined;
  if (isGraphModel) {
    throw new ModelFileError(
      file,
      'This is a TensorFlow.js graph model (converted from a TensorFlow SavedModel or frozen graph), not a layers model; relevance propagation needs the layers',
      'Convert the original Keras model instead: `tensorflowjs_converter --input_format=keras model.h5 out_dir` ' +
        '(or --input_format=keras_saved_model), or save it from tfjs with saveModelToDir(model, dir).',
    );
  }
  if (modelTopology === undefined || modelTopology === null) {
    throw new ModelFileError(file, 'The model file has no "modelTopology"', notAModelHint);
  }
  const config = (topology.model_config ?? topology) as Record<string, unknown>;
  if (typeof config.class_name !== 'string' || typeof config.config !== 'object') {
    throw new ModelFileError(
      file,
      `"modelTopology" is not a Keras layers model (format: ${String(format ?? 'not given')})`,
      notAModelHint,
    );
  }
  if (!Array.isArray(weightsManifest)) {
    throw new ModelFileError(
      file,
      'The model file has no "weightsManifest", so the model has no weights',
      'Save the model with its weights: saveModelToDir(model, dir) or model.save(...) in tfjs, tensorflowjs_converter for Keras.',
    );
  }
  weightsManifest.forEach((group: unknown, g) => {
    const problem = manifestGroupProblem(group);
    if (problem !== undefined) {
      throw new ModelFileError(
        file,
        `"weightsManifest[${g}]" is malformed: ${problem}`,
        'The file was edited by hand or damaged; restore it or save the model again.',
      );
    }
  });
}

/** What is wrong with one weights-manifest group, or `undefined` when it is well formed. */
function manifestGroupProblem(group: unknown): string | undefined {
  if (typeof group !== 'object' || group === null) return 'not an object';
  const { paths, weights } = group as Record<string, unknown>;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
    return '"paths" must be a list of shard file names';
  }
  if (!Array.isArray(weights)) return '"weights" must be a list';
  for (const [i, weight] of weights.entries()) {
    const { name, shape, dtype } = (weight ?? {}) as Record<string, unknown>;
    const shapeOk =
      Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && (d as number) >= 0);
    if (typeof name !== 'string' || !shapeOk || typeof dtype !== 'string') {
      return `weight ${i} needs a string "name", a "shape" of non-negative integers and a "dtype"`;
    }
  }
  return undefined;
}

const notAModelHint =
  'Pass the model.json of a tfjs layers model (written by saveModelToDir, model.save or `tensorflowjs_converter --input_format=keras`).';
