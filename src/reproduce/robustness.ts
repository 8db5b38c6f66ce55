/**
 * Heatmap stability: Spearman rank correlation between the map of an image and the map of the same
 * image with small Gaussian noise, or scaled, explaining the class predicted on the clean image.
 */
import * as tf from '@tensorflow/tfjs';
import {
  relevanceScores,
  spearmanRankCorrelation,
  type RelevanceScores,
  type RuleChoice,
} from '@rlrp/core';

/** Noise standard deviation (images are in [0, 1]; the noisy image is clipped back to [0, 1]). */
export const NOISE_STD = 0.05;
/** Input scale factor. */
export const INPUT_SCALE = 0.5;
/** Seed of the noise. */
export const NOISE_SEED = 777;

/** Stability of one method. */
export interface Robustness {
  /** Mean Spearman ρ over images (clean vs noisy), over the images where ρ is defined. */
  readonly noiseCorrelation: number;
  /** Mean Spearman ρ over images (clean vs scaled). */
  readonly scaleCorrelation: number;
  /** Images where ρ is undefined (a constant or non-finite map), noise and scale runs together. */
  readonly undefinedCorrelations: number;
  /** Non-finite relevance values in the noisy and scaled runs. */
  readonly nonFinite: number;
}

function meanCorrelation(a: Float32Array, b: Float32Array, n: number, pixels: number) {
  let sum = 0;
  let defined = 0;
  for (let s = 0; s < n; s++) {
    const rho = spearmanRankCorrelation(
      a.subarray(s * pixels, (s + 1) * pixels),
      b.subarray(s * pixels, (s + 1) * pixels),
    );
    if (Number.isFinite(rho)) {
      sum += rho;
      defined += 1;
    }
  }
  return { mean: defined > 0 ? sum / defined : NaN, undefinedCount: n - defined };
}

/**
 * Robustness of every rule on `images` (one forward pass per batch and perturbation), against the
 * clean maps the comparison already made: `clean[r]` holds rule r's maps of at least these images
 * (first in order), explained for their predicted classes.
 */
export function measureRobustness(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  rules: readonly RuleChoice[],
  clean: readonly RelevanceScores[],
  onBatch?: () => void,
): Robustness[] {
  if (rules.length === 0) return []; // only rule-free methods (random) were chosen
  const [n, h, w] = images.shape;
  const pixels = h * w;
  const targets = clean[0].targets.slice(0, n);
  const noisy = tf.tidy(() =>
    images
      .add(tf.randomNormal(images.shape, 0, NOISE_STD, 'float32', NOISE_SEED))
      .clipByValue(0, 1),
  ) as tf.Tensor4D;
  const scaled = tf.tidy(() => images.mul(INPUT_SCALE)) as tf.Tensor4D;
  const run = (x: tf.Tensor4D) =>
    relevanceScores(model, x, { rules, target: targets, onProgress: onBatch && (() => onBatch()) });
  const withNoise = run(noisy);
  const withScale = run(scaled);
  noisy.dispose();
  scaled.dispose();
  return rules.map((_, r) => {
    const noise = meanCorrelation(clean[r].scores, withNoise[r].scores, n, pixels);
    const scale = meanCorrelation(clean[r].scores, withScale[r].scores, n, pixels);
    return {
      noiseCorrelation: noise.mean,
      scaleCorrelation: scale.mean,
      undefinedCorrelations: noise.undefinedCount + scale.undefinedCount,
      nonFinite: withNoise[r].nonFinite + withScale[r].nonFinite,
    };
  });
}
