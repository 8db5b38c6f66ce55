/**
 * The largest image the heatmap functions make. An RGBA image takes 4 bytes a pixel, so this bounds
 * one allocation at 256 MiB — far beyond any screen, well below what makes Node or a browser tab fail.
 */
import { HeatmapSizeError } from './errors';

/** The most pixels (width · height) of any image the heatmap functions make: 8192 × 8192. */
export const MAX_HEATMAP_PIXELS = 8192 * 8192;

/**
 * Checks a size before its pixels are allocated.
 * @param what - What would be made, for the message.
 * @param hint - How to stay within the limit.
 * @throws HeatmapSizeError when `width · height` exceeds {@link MAX_HEATMAP_PIXELS}.
 */
export function checkImageSize(width: number, height: number, what: string, hint: string): void {
  if (width * height > MAX_HEATMAP_PIXELS) {
    throw new HeatmapSizeError(what, width, height, MAX_HEATMAP_PIXELS, hint);
  }
}

/** The largest integer upscale factor that keeps a `width × height` image within the limit. */
export function largestUpscale(width: number, height: number): number {
  return Math.max(1, Math.floor(Math.sqrt(MAX_HEATMAP_PIXELS / (width * height))));
}
