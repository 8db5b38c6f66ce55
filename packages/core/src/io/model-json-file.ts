import type * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError, ModelLimitError, quoteForMessage } from '../errors';
import { findJsonErrorPosition } from './json-error-position';
import { jsonNestsDeeperThan } from './json-nesting-depth';
import {
  resolveModelLoadLimits,
  type ModelLoadLimits,
  type ResolvedModelLoadLimits,
} from './load-limits';
import {
  readFolderFile,
  resolveInsideFolder,
  type ConfinedPath,
  type FolderFile,
} from './model-folder';
import { checkWeightsManifest } from './weights-manifest';

/** The name tfjs gives the model file inside a model directory. */
export const MODEL_JSON = 'model.json';

/** A parsed, checked model.json of a tfjs layers model. */
export interface LayersModelJson {
  /** Absolute path of model.json, as given (before links are followed). */
  readonly path: string;
  /** Real path of the directory the weight shard paths are relative to and confined to. */
  readonly directory: string;
  /** The load limits in force. */
  readonly limits: ResolvedModelLoadLimits;
  /** The parsed file; `modelTopology` is a Keras layers topology, `weightsManifest` is present. */
  readonly json: tf.io.ModelJSON & { readonly weightsManifest: tf.io.WeightsManifestConfig };
}

/**
 * Finds model.json: `dirOrModelJsonPath` is either a directory holding `model.json` or the path of
 * a model JSON file itself. The file must be a regular file inside that folder, also when it is a
 * symbolic link.
 *
 * @throws ModelFileError when neither exists; UnsafeModelPathError when model.json is a link
 *   leading out of its folder, a directory, FIFO, device or socket.
 */
export function resolveModelJson(dirOrModelJsonPath: string): {
  readonly file: FolderFile;
  readonly target: ConfinedPath;
} {
  const given = path.resolve(dirOrModelJsonPath);
  let givenStats: fs.Stats;
  try {
    givenStats = fs.statSync(given);
  } catch {
    throw new ModelFileError(
      given,
      'Model directory or file not found',
      `Pass the directory that contains ${MODEL_JSON} (as written by saveModelToDir, model.save or tensorflowjs_converter), or the path of ${MODEL_JSON} itself.`,
    );
  }
  const isDirectory = givenStats.isDirectory();
  const folderGiven = isDirectory ? given : path.dirname(given);
  const written = isDirectory ? MODEL_JSON : path.basename(given);
  const modelJsonPath = path.join(folderGiven, written);
  if (isDirectory && !fs.existsSync(modelJsonPath) && !isSymbolicLink(modelJsonPath)) {
    const otherJson = fs.readdirSync(given).filter((name) => name.endsWith('.json'));
    throw new ModelFileError(
      modelJsonPath,
      `The directory has no ${MODEL_JSON}`,
      otherJson.length > 0
        ? `It holds ${otherJson.slice(0, 10).map(quoteForMessage).join(', ')}${otherJson.length > 10 ? ', …' : ''}: pass the path of the model's JSON file instead of the directory.`
        : 'Pass the directory a tfjs layers model was saved to (model.json plus its .bin weight shards).',
    );
  }
  const target: ConfinedPath = {
    folder: fs.realpathSync(folderGiven),
    written,
    modelJsonPath,
    kind: 'Model file',
  };
  return { file: resolveInsideFolder(target), target };
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Reads and checks a layers model's model.json: size and nesting depth within `limits`, valid
 * JSON (a UTF-8 byte order mark is skipped), a Keras layers topology, and a well-formed weights
 * manifest of supported dtypes within `maxParameters`.
 *
 * @throws ModelFileError for a missing file, malformed JSON (with line, column and offset), a
 *   graph model or any other JSON that is not a layers model, or a malformed weights manifest;
 *   ModelLimitError beyond a limit; UnsupportedWeightDtypeError; UnsafeModelPathError.
 */
export function readLayersModelJson(
  dirOrModelJsonPath: string,
  limits: ModelLoadLimits = {},
): LayersModelJson {
  const resolvedLimits = resolveModelLoadLimits(limits);
  const { file, target } = resolveModelJson(dirOrModelJsonPath);
  const modelJsonPath = target.modelJsonPath;
  if (file.size > resolvedLimits.maxModelJsonBytes) {
    throw new ModelLimitError(
      modelJsonPath,
      'maxModelJsonBytes',
      resolvedLimits.maxModelJsonBytes,
      `The model file has ${file.size} bytes`,
    );
  }
  const text = decodeText(readFolderFile(file, target), modelJsonPath);
  if (jsonNestsDeeperThan(text, resolvedLimits.maxJsonDepth)) {
    throw new ModelLimitError(
      modelJsonPath,
      'maxJsonDepth',
      resolvedLimits.maxJsonDepth,
      'The model file nests its JSON arrays and objects too deeply',
    );
  }
  const parsed = parseJson(text, modelJsonPath);
  checkIsLayersModel(parsed, modelJsonPath);
  checkWeightsManifest(parsed.weightsManifest, modelJsonPath, resolvedLimits);
  return { path: modelJsonPath, directory: target.folder, json: parsed, limits: resolvedLimits };
}

/** UTF-8 text of model.json; a UTF-8 byte order mark (some Windows editors add one) is skipped. */
function decodeText(bytes: Buffer, file: string): string {
  const utf16 =
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (utf16) {
    throw new ModelFileError(
      file,
      'The model file is UTF-16 text (it starts with a UTF-16 byte order mark); model.json must be UTF-8',
      'Save model.json again as UTF-8 (any editor offers the encoding when saving), or re-export the model.',
    );
  }
  const hasUtf8Bom =
    bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', hasUtf8Bom ? 3 : 0);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = findJsonErrorPosition(text);
    const where = position
      ? ` at line ${position.line}, column ${position.column} (character ${position.offset} of ${text.length})`
      : '';
    // V8 appends an excerpt of the text to some messages (`"root:x:0:0"... is not valid JSON`): it
    // is dropped, the position says more and echoes nothing of the file.
    const reason = (error as Error).message
      .replace(/, "[\s\S]*"(\.\.\.)? is not valid JSON$/, '')
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
  const { modelTopology, format } = parsed as Record<string, unknown>;
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
  if (typeof modelTopology !== 'object' || modelTopology === null) {
    throw new ModelFileError(file, 'The model file has no "modelTopology"', notAModelHint);
  }
  const config = (topology.model_config ?? topology) as Record<string, unknown>;
  if (typeof config.class_name !== 'string' || typeof config.config !== 'object') {
    throw new ModelFileError(
      file,
      `"modelTopology" is not a Keras layers model (format: ${typeof format === 'string' ? quoteForMessage(format) : 'not given'})`,
      notAModelHint,
    );
  }
}

const notAModelHint =
  'Pass the model.json of a tfjs layers model (written by saveModelToDir, model.save or `tensorflowjs_converter --input_format=keras`).';
