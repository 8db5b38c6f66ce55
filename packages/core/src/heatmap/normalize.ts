/**
 * Normalisation of a relevance map to colormap values in [0, 1].
 */
import { HeatmapInputError } from './errors';
import {
  reduceChannels,
  type ReduceOptions,
  type RelevanceMap,
  type RelevanceSource,
} from './relevance-map';

/**
 * How relevance values become colormap positions:
 * - `'symmetric'` (default): zero-aligned with bound b = max|R|: for a signed colormap
 *   [−b, b] ↦ [0, 1], so R = 0 lands on the colormap's centre; for an unsigned one [0, b] ↦ [0, 1]
 *   (negative values clip to the start);
 * - `'percentile'`: like `'symmetric'` but b is a percentile of |R| (default 99.5), so a few extreme
 *   pixels do not wash out the rest; values beyond ±b are clipped;
 * - `'minmax'`: unaligned, [min R, max R] ↦ [0, 1]; zero has no fixed colour.
 */
export type Normalization = 'symmetric' | 'percentile' | 'minmax';

/** Names of every {@link Normalization}. */
export const NORMALIZATIONS: readonly Normalization[] = Object.freeze([
  'symmetric',
  'percentile',
  'minmax',
]);

/** Options of {@link normalizeRelevance}. */
export interface NormalizeOptions {
  /** Normalisation mode; default `'symmetric'`. */
  readonly normalization?: Normalization;
  /** Percentile of |R| used as bound in `'percentile'` mode, in (0, 100]; default 99.5. */
  readonly percentile?: number;
  /**
   * Explicit bound b for the zero-aligned modes, e.g. from {@link sharedSymmetricBound} so that
   * several heatmaps share one colour scale. Overrides the bound computed from the map.
   */
  readonly bound?: number;
  /**
   * Whether the colormap is diverging (zero ↦ 0.5) or monotonic (zero ↦ 0); default `true`.
   * Only affects the zero-aligned modes.
   */
  readonly signed?: boolean;
}

/** A map of colormap positions in [0, 1], with the relevance values its ends stand for. */
export interface NormalizedMap {
  /** Colormap positions in [0, 1], row-major. */
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
  /** Relevance value drawn with the colormap's first colour (position 0). */
  readonly low: number;
  /** Relevance value drawn with the colormap's last colour (position 1). */
  readonly high: number;
}

/** Default percentile of |R| for `'percentile'` normalisation. */
export const DEFAULT_PERCENTILE = 99.5;

/** Largest finite |R| of a map (0 when it has none). */
export function absMaxBound(map: RelevanceMap): number {
  let bound = 0;
  for (const v of map.values) {
    if (Number.isFinite(v) && Math.abs(v) > bound) bound = Math.abs(v);
  }
  return bound;
}

/**
 * The `percentile`-th percentile of the finite |R| of a map, with linear interpolation between
 * order statistics (rank = p/100 · (n − 1), as numpy's default).
 *
 * @throws {@link HeatmapInputError} if `percentile` is not in (0, 100].
 */
export function percentileBound(map: RelevanceMap, percentile = DEFAULT_PERCENTILE): number {
  if (!(percentile > 0 && percentile <= 100)) {
    throw new HeatmapInputError(
      `Percentile ${percentile} is out of range; pass a number in (0, 100], e.g. 99.5.`,
    );
  }
  const magnitudes = Float64Array.from(map.values, Math.abs).filter(Number.isFinite).sort();
  if (magnitudes.length === 0) return 0;
  const rank = (percentile / 100) * (magnitudes.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, magnitudes.length - 1);
  return magnitudes[below] + (rank - below) * (magnitudes[above] - magnitudes[below]);
}

/** Options of {@link sharedSymmetricBound}. */
export interface SharedBoundOptions extends ReduceOptions {
  /** Use this percentile of |R| of each map instead of its maximum. */
  readonly percentile?: number;
}

/**
 * One symmetric colour-scale bound for several maps at once (e.g. a grid comparing rules): the
 * largest of their individual bounds (max |R|, or the given percentile of |R|). Pass the result as
 * `bound` to {@link normalizeRelevance} or `heatmap()` so equal relevance gets equal colour.
 */
export function sharedSymmetricBound(
  sources: readonly RelevanceSource[],
  options: SharedBoundOptions = {},
): number {
  let bound = 0;
  for (const source of sources) {
    const map = reduceChannels(source, options);
    const own =
      options.percentile === undefined
        ? absMaxBound(map)
        : percentileBound(map, options.percentile);
    bound = Math.max(bound, own);
  }
  return bound;
}

function finiteRange(map: RelevanceMap): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map.values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/**
 * Maps relevance to colormap positions in [0, 1] (see {@link Normalization}). Values outside the
 * scale are clipped; ±Infinity clip to the ends and NaN is drawn as relevance 0. A map whose scale
 * is empty (all zero, or constant in `'minmax'` mode) is drawn in the colour of relevance 0
 * (the centre of a signed colormap, the start otherwise).
 *
 * @throws {@link HeatmapInputError} for an unknown mode, a bad percentile or a negative bound.
 */
export function normalizeRelevance(
  map: RelevanceMap,
  options: NormalizeOptions = {},
): NormalizedMap {
  const mode = options.normalization ?? 'symmetric';
  if (!NORMALIZATIONS.includes(mode)) {
    throw new HeatmapInputError(
      `Unknown normalization "${String(mode)}". Use one of: ${NORMALIZATIONS.join(', ')}.`,
    );
  }
  if (options.bound !== undefined && !(options.bound >= 0 && Number.isFinite(options.bound))) {
    throw new HeatmapInputError(
      `The colour-scale bound must be a finite number ≥ 0, got ${options.bound}.`,
    );
  }
  let low: number;
  let high: number;
  if (mode === 'minmax') {
    ({ min: low, max: high } = finiteRange(map));
  } else {
    const bound =
      options.bound ??
      (mode === 'percentile'
        ? percentileBound(map, options.percentile ?? DEFAULT_PERCENTILE)
        : absMaxBound(map));
    low = options.signed === false ? 0 : -bound;
    high = bound;
  }
  const span = high - low;
  // Where relevance 0 lands; an empty scale draws everything there.
  const emptyScalePosition = mode !== 'minmax' && options.signed !== false ? 0.5 : 0;
  const zeroAt = span > 0 ? Math.min(1, Math.max(0, -low / span)) : emptyScalePosition;
  const values = new Float32Array(map.values.length);
  for (let p = 0; p < values.length; p++) {
    const v = map.values[p];
    if (Number.isNaN(v) || span <= 0) values[p] = zeroAt;
    else values[p] = Math.min(1, Math.max(0, (v - low) / span));
  }
  return { values, height: map.height, width: map.width, low, high };
}
