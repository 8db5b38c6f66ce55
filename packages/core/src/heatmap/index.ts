/**
 * Heatmaps of relevance: channel reduction, normalisation, zennit's colormaps, RGBA arrays, PNG
 * export, overlays on the input image and upscaling of small maps.
 */
export { HeatmapInputError, HeatmapSizeError, UnknownColormapError } from './errors';
export { MAX_HEATMAP_PIXELS } from './image-size';
export {
  COLORMAP_SIZE,
  colorOf,
  colormapIndex,
  parseCmsl,
  type Colormap,
  type Rgb,
} from './colormap';
export {
  COLORMAPS,
  COLORMAP_NAMES,
  getColormap,
  isColormapName,
  type ColormapChoice,
  type ColormapName,
} from './colormaps';
export {
  CHANNEL_REDUCTIONS,
  reduceChannels,
  type ChannelReduction,
  type ReduceOptions,
  type RelevanceMap,
  type RelevanceSource,
  type ShapedArray,
} from './relevance-map';
export {
  DEFAULT_PERCENTILE,
  NORMALIZATIONS,
  absMaxBound,
  normalizeRelevance,
  percentileBound,
  sharedSymmetricBound,
  type NormalizeOptions,
  type NormalizedMap,
  type Normalization,
  type SharedBoundOptions,
} from './normalize';
export { colorize, type PositionMap, type RgbaImage } from './rgba';
export { upscaleFactorFor, upscaleNearest } from './upscale';
export { encodePng, pngDataUrl, writePng, writePngSync } from './png';
export { colorbar, type ColorbarOptions } from './colorbar';
export { tileImages, type TileOptions } from './grid';
export { heatmap, normalizeFor, type Heatmap, type HeatmapOptions } from './heatmap';
export { overlayHeatmap, type ImageSource, type OverlayOptions } from './overlay';
