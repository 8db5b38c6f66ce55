import * as tf from '@tensorflow/tfjs';
import { ModelFileError } from '../errors';
import { decodeWeightValues } from './decode-weights';
import type { WeightData } from './weight-shards';
import { weightByteLength } from './weights-manifest';

/** How file weights were matched to the model's variables. */
export type WeightMatching = 'by-name' | 'by-order';

/**
 * Writes the weights read from a model file into `model`'s variables. Weights are matched by
 * name (`layer/kernel`, as Keras and tfjs write them); when no name matches but the file lists
 * exactly the model's weight shapes in the model's order (a Keras model converted under other
 * layer names), they are matched by order. Quantised weights are dequantised to float32. Every
 * decoded tensor is released.
 *
 * @returns how the weights were matched.
 * @throws ModelFileError when the weights do not fit the model: counts, missing and unexpected
 *   names, shape mismatches.
 */
export function assignWeights(
  model: tf.LayersModel,
  weights: WeightData,
  file: string,
): WeightMatching {
  const specs = weights.specs.filter((spec) => spec.group !== 'optimizer');
  const variables = model.weights;
  const byName = new Map(variables.map((variable) => [variable.originalName, variable]));
  const matched = specs.filter((spec) => byName.has(spec.name));
  const sameShapesInOrder =
    specs.length === variables.length &&
    specs.every((spec, i) => sameShape(spec.shape, variables[i].shape));
  const matching: WeightMatching =
    matched.length === 0 && sameShapesInOrder ? 'by-order' : 'by-name';
  if (matching === 'by-name') checkNamesAndShapes(specs, variables, byName, file);

  // Byte offsets over every entry (optimizer state included: it sits in the shards too).
  const offsets = new Map<tf.io.WeightsManifestEntry, number>();
  weights.specs.reduce((offset, spec) => {
    offsets.set(spec, offset);
    return offset + weightByteLength(spec);
  }, 0);
  specs.forEach((spec, i) => {
    const variable = matching === 'by-order' ? variables[i] : byName.get(spec.name);
    if (variable === undefined) return;
    const start = offsets.get(spec) ?? 0;
    const bytes = weights.data.subarray(start, start + weightByteLength(spec));
    const value = tf.tensor(decodeWeightValues(spec, bytes), spec.shape, 'float32');
    try {
      variable.write(value);
    } finally {
      value.dispose();
    }
  });
  return matching;
}

function checkNamesAndShapes(
  specs: readonly tf.io.WeightsManifestEntry[],
  variables: readonly tf.LayerVariable[],
  byName: ReadonlyMap<string, tf.LayerVariable>,
  file: string,
): void {
  const provided = new Set(specs.map((spec) => spec.name));
  const missing = variables.map((v) => v.originalName).filter((name) => !provided.has(name));
  const unexpected = specs.map((spec) => spec.name).filter((name) => !byName.has(name));
  const shapeMismatches = specs
    .filter((spec) => {
      const variable = byName.get(spec.name);
      return variable !== undefined && !sameShape(spec.shape, variable.shape);
    })
    .map(
      (spec) =>
        `${spec.name}: file [${spec.shape.join(', ')}], model [${byName.get(spec.name)?.shape.join(', ')}]`,
    );
  if (missing.length === 0 && unexpected.length === 0 && shapeMismatches.length === 0) return;
  const problems = [
    `the file has ${specs.length} weights, the model ${variables.length}`,
    missing.length > 0 ? `missing from the file: ${listSome(missing)}` : '',
    unexpected.length > 0 ? `not in the model: ${listSome(unexpected)}` : '',
    shapeMismatches.length > 0 ? `shape mismatch: ${listSome(shapeMismatches)}` : '',
  ].filter((text) => text !== '');
  throw new ModelFileError(
    file,
    `The weights do not match the model: ${problems.join('; ')}`,
    'The weight files belong to a different model (or another number of classes / input size); load them with the architecture and options they were saved from.',
  );
}

function sameShape(a: readonly number[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function listSome(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
