/**
 * The static pictures of the text/html fallbacks, drawn with @rlrp/core's heatmap functions (the
 * colour maps the views' plotly colour scales are sampled from): what a page without plotly
 * shows, e.g. plain `jupyter nbconvert --to html`.
 */
import { heatmap, tileImages, type RgbaImage } from '@rlrp/core';
import type { ColormapName } from '../schema';
import { bytesToValues } from '../quantise';
import type { KernelImage, KernelLayer } from '../kernel/tensors';

/** Smallest side a snapshot tile is upscaled to (nearest neighbour: a 28² digit stays crisp). */
const TILE_SIZE = 224;

/** The input as a grey tile (colour inputs are summed over their channels). */
export function inputTile(image: KernelImage): RgbaImage {
  return heatmap(
    { data: bytesToValues(image.data, image.range), shape: image.shape },
    { colormap: 'gray', normalization: 'minmax', minSize: TILE_SIZE },
  );
}

/** A reduced `[H, W]` relevance map as a tile, on a symmetric scale (or the given `bound`). */
export function relevanceTile(
  data: Float32Array,
  shape: readonly number[],
  colormap: ColormapName,
  bound?: number,
): RgbaImage {
  return heatmap(
    { data, shape: [shape[0], shape[1] ?? 1] },
    { colormap, bound, minSize: TILE_SIZE },
  );
}

/** The explorer's first view: the input beside the input layer's relevance. */
export function explorerSnapshot(
  input: KernelImage,
  inputLayer: KernelLayer | undefined,
  colormap: ColormapName,
): RgbaImage {
  const tiles = [inputTile(input)];
  if (inputLayer && inputLayer.shape.length >= 2)
    tiles.push(relevanceTile(inputLayer.data, inputLayer.shape, colormap));
  return tileImages(tiles, { gap: 8 });
}

/** The rule grid: the input, then each rule's map on one shared symmetric scale. */
export function comparisonSnapshot(
  input: KernelImage,
  maps: readonly { shape: readonly number[]; data: Float32Array }[],
  colormap: ColormapName,
  columns: number,
): RgbaImage {
  let bound = 1e-12;
  for (const m of maps) for (const v of m.data) bound = Math.max(bound, Math.abs(v));
  const tiles = [
    inputTile(input),
    ...maps.map((m) => relevanceTile(m.data, m.shape, colormap, bound)),
  ];
  return tileImages(tiles, { gap: 8, columns: Math.max(1, Math.min(columns, tiles.length)) });
}
