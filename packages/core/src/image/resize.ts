/**
 * Resizing channel-last float pixels, in plain TypeScript so the result is the same on every tfjs
 * backend and no tensors are involved.
 */

/** Resampling used to fit an image to a model's input. */
export type ResizeMethod = 'bilinear' | 'nearest';

/** Names of every {@link ResizeMethod}. */
export const RESIZE_METHODS: readonly ResizeMethod[] = Object.freeze(['bilinear', 'nearest']);

/** Channel-last float pixels `[height, width, channels]`, row-major. */
export interface FloatPixels {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Resizes pixels to `height × width`. Both methods use half-pixel centres (the output pixel centre
 * `(x + ½)` maps to input coordinate `(x + ½) · in/out`), so the image is neither shifted nor
 * cropped; bilinear clamps at the borders.
 */
export function resizePixels(
  pixels: FloatPixels,
  height: number,
  width: number,
  method: ResizeMethod,
): FloatPixels {
  if (pixels.height === height && pixels.width === width) return pixels;
  const { channels } = pixels;
  const out = new Float32Array(height * width * channels);
  const scaleY = pixels.height / height;
  const scaleX = pixels.width / width;
  const at = (y: number, x: number) => (y * pixels.width + x) * channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * channels;
      if (method === 'nearest') {
        const sy = Math.min(pixels.height - 1, Math.floor((y + 0.5) * scaleY));
        const sx = Math.min(pixels.width - 1, Math.floor((x + 0.5) * scaleX));
        for (let c = 0; c < channels; c++) out[target + c] = pixels.data[at(sy, sx) + c];
        continue;
      }
      const fy = Math.min(pixels.height - 1, Math.max(0, (y + 0.5) * scaleY - 0.5));
      const fx = Math.min(pixels.width - 1, Math.max(0, (x + 0.5) * scaleX - 0.5));
      const y0 = Math.floor(fy);
      const x0 = Math.floor(fx);
      const y1 = Math.min(pixels.height - 1, y0 + 1);
      const x1 = Math.min(pixels.width - 1, x0 + 1);
      const dy = fy - y0;
      const dx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const top = pixels.data[at(y0, x0) + c] * (1 - dx) + pixels.data[at(y0, x1) + c] * dx;
        const bottom = pixels.data[at(y1, x0) + c] * (1 - dx) + pixels.data[at(y1, x1) + c] * dx;
        out[target + c] = top * (1 - dy) + bottom * dy;
      }
    }
  }
  return { data: out, height, width, channels };
}
