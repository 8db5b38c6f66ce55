import * as tf from '@tensorflow/tfjs';
import { TargetError } from './errors';
import type { Target } from './types';

/** A target resolved against a batch of logits. */
export interface ResolvedTarget {
  /** The explained class per sample, `-1` where an explicit output relevance was given. */
  readonly classes: number[];
  /** One-hot selection `[batch, classes]`, or `null` for an explicit output relevance. */
  readonly selection: tf.Tensor2D | null;
  /** The explicit output relevance `[batch, classes]`, when given. */
  readonly outputRelevance: tf.Tensor2D | null;
}

function checkClass(c: number, numClasses: number, where: string): number {
  if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
    throw new TargetError(
      `Target class ${c}${where} is not a class of this model: use an integer from 0 to ${numClasses - 1}, or 'predicted'.`,
    );
  }
  return c;
}

function explicitRelevance(value: Target & object, batch: number, numClasses: number): tf.Tensor2D {
  const given = (value as { outputRelevance: unknown }).outputRelevance;
  const tensor =
    given instanceof tf.Tensor ? given.clone() : tf.tensor(given as number[] | number[][]);
  const shape = tensor.shape;
  const ok =
    (shape.length === 1 && shape[0] === numClasses) ||
    (shape.length === 2 && shape[0] === batch && shape[1] === numClasses);
  if (!ok) {
    tensor.dispose();
    throw new TargetError(
      `The output relevance has shape [${shape.join(', ')}]; it must be [${numClasses}] or [${batch}, ${numClasses}] (one value per class).`,
    );
  }
  const finite = tf.tidy(() => tf.isFinite(tensor).all().dataSync()[0] === 1);
  if (!finite) {
    tensor.dispose();
    throw new TargetError('The output relevance contains NaN or infinite values.');
  }
  const start = tf.tidy(() => tf.broadcastTo(tensor, [batch, numClasses]).toFloat() as tf.Tensor2D);
  tensor.dispose();
  return start;
}

/** Turns a {@link Target} into classes and a one-hot selection (or an explicit start relevance). */
export function resolveTarget(
  target: Target,
  logits: tf.Tensor2D,
  predicted: readonly number[],
): ResolvedTarget {
  const [batch, numClasses] = logits.shape;
  if (
    typeof target === 'object' &&
    target !== null &&
    !Array.isArray(target) &&
    'outputRelevance' in target
  ) {
    return {
      classes: new Array<number>(batch).fill(-1),
      selection: null,
      outputRelevance: explicitRelevance(target, batch, numClasses),
    };
  }
  let classes: number[];
  if (target === 'predicted') classes = [...predicted];
  else if (typeof target === 'number')
    classes = new Array<number>(batch).fill(checkClass(target, numClasses, ''));
  else if (Array.isArray(target)) {
    if (target.length !== batch) {
      throw new TargetError(
        `${target.length} target classes were given for a batch of ${batch}: give one class per sample, a single class, or 'predicted'.`,
      );
    }
    classes = target.map((c: number, i: number) => checkClass(c, numClasses, ` (sample ${i})`));
  } else {
    throw new TargetError(
      `Unknown target ${JSON.stringify(target)}: use a class index, 'predicted', one class per sample, or { outputRelevance }.`,
    );
  }
  const selection = tf.tidy(
    () => tf.oneHot(tf.tensor1d(classes, 'int32'), numClasses).toFloat() as tf.Tensor2D,
  );
  return { classes, selection, outputRelevance: null };
}
