import type { MethodComparisonWithMaps, MethodEvaluation } from './compare-methods';
import { relativeToRandom } from './compare-in-thread';
import type { PixelOrderEvaluation } from './evaluate-pixel-order';
import { accuracyPerK, type KeepTopKResult } from './keep-top-k';
import type { RelevanceScores } from './method-relevance';
import { trapezoidArea, type PixelFlippingCurve } from './pixel-flipping';

/**
 * The comparison of a whole dataset from the comparisons of its consecutive slices (each run with
 * `firstSample` at its start, so every image has the random ranking it has in a whole run).
 * Per-image results (hits, relevance maps, targets) are concatenated, so they are those of a
 * whole run; the means are recombined weighted by the slice sizes, which reorders their float64
 * sums: they agree with a whole run to ~1e-15 relative, not always bit for bit.
 */
export function mergeComparisons(
  slices: readonly MethodComparisonWithMaps[],
): MethodComparisonWithMaps {
  const [first] = slices;
  const random = mergeEvaluations(slices.map((s) => s.random));
  const methods = first.methods.map((method, i) => {
    const parts = slices.map((s) => s.methods[i]);
    const nonFinite = parts.reduce((sum, p) => sum + p.nonFinite, 0);
    return relativeToRandom(method.name, mergeEvaluations(parts), nonFinite, random);
  });
  return {
    methods,
    random: relativeToRandom('random', random, 0, random),
    relevance: first.relevance.map((_, i) => mergeScores(slices.map((s) => s.relevance[i]))),
  };
}

function mergeEvaluations(parts: readonly MethodEvaluation[]): PixelOrderEvaluation {
  return {
    keepTopK: mergeKeepTopK(parts.map((p) => p.keepTopK)),
    deletion: mergeCurves(parts.map((p) => p.deletion)),
    insertion: mergeCurves(parts.map((p) => p.insertion)),
  };
}

function mergeKeepTopK(parts: readonly KeepTopKResult[]): KeepTopKResult {
  const [first] = parts;
  const correct = first.correct.map((_, k) => concatenate(parts.map((p) => p.correct[k])));
  const samples = parts.reduce((sum, p) => sum + p.samples, 0);
  return { ...first, accuracy: accuracyPerK(correct), correct, samples };
}

function mergeCurves(parts: readonly PixelFlippingCurve[]): PixelFlippingCurve {
  const [first] = parts;
  const samples = parts.reduce((sum, p) => sum + p.samples, 0);
  const weighted = (value: (p: PixelFlippingCurve) => number) =>
    parts.reduce((sum, p) => sum + value(p) * p.samples, 0) / samples;
  const meanScore = first.fractions.map((_, j) => weighted((p) => p.meanScore[j]));
  return {
    mode: first.mode,
    fractions: first.fractions,
    meanScore,
    auc: trapezoidArea(first.fractions, meanScore),
    aopc: weighted((p) => p.aopc),
    samples,
  };
}

/** The maps of consecutive slices as one set's: scores and targets in order, counts summed. */
export function mergeScores(parts: readonly RelevanceScores[]): RelevanceScores {
  return {
    scores: concatenate(parts.map((p) => p.scores)),
    nonFinite: parts.reduce((sum, p) => sum + p.nonFinite, 0),
    targets: parts.flatMap((p) => p.targets),
  };
}

function concatenate<T extends Float32Array | Uint8Array>(parts: readonly T[]): T {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new (parts[0].constructor as new (length: number) => T)(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
