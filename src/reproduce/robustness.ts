/**
 * Heatmap stability: Spearman rank correlation between the map of an image and the map of the same
 * image with small Gaussian noise, or scaled, explaining the class predicted on the clean image.
 */
import * as tf from '@tensorflow/tfjs';
import {
  relevanceScoresOnWorkers,
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
 * Robustness of every rule on `images`, against the clean maps the comparison already made:
 * `clean[r]` holds rule r's maps of at least these images (first in order), explained for their
 * predicted classes. The noisy and the scaled images are explained as one set (one forward pass
 * per batch shared by the rules) on `workers` threads (`undefined`: `relevanceScoresOnWorkers`'
 * default). The pool the comparison kept serves them where both ask for as many threads: always
 * with `--workers N`, and by default on machines of up to 3 cores (the default gives 200 images
 * at most 3 threads); elsewhere a pool of their own starts.
 */
export async function measureRobustness(
  model: tf.LayersModel,
  images: tf.Tensor4D,
  rules: readonly RuleChoice[],
  clean: readonly RelevanceScores[],
  workers: number | undefined,
  onBatch?: () => void,
): Promise<Robustness[]> {
  if (rules.length === 0) return []; // only rule-free methods (random) were chosen
  const [n, h, w] = images.shape;
  const pixels = h * w;
  const targets = clean[0].targets.slice(0, n);
  const perturbed = tf.tidy(() =>
    tf.concat([
      images
        .add(tf.randomNormal(images.shape, 0, NOISE_STD, 'float32', NOISE_SEED))
        .clipByValue(0, 1),
      images.mul(INPUT_SCALE),
    ]),
  ) as tf.Tensor4D;
  let explained: RelevanceScores[];
  try {
    explained = await relevanceScoresOnWorkers(model, perturbed, {
      rules,
      target: [...targets, ...targets],
      workers,
      onProgress: onBatch && (() => onBatch()),
    });
  } finally {
    perturbed.dispose();
  }
  return rules.map((_, r) => {
    // The noisy images' maps first, then the scaled ones'.
    const maps = explained[r].scores;
    const noisy = maps.subarray(0, n * pixels);
    const scaled = maps.subarray(n * pixels);
    const noise = meanCorrelation(clean[r].scores, noisy, n, pixels);
    const scale = meanCorrelation(clean[r].scores, scaled, n, pixels);
    return {
      noiseCorrelation: noise.mean,
      scaleCorrelation: scale.mean,
      undefinedCorrelations: noise.undefinedCount + scale.undefinedCount,
      nonFinite: explained[r].nonFinite,
    };
  });
}
