/**
 * Resizing channel-last float pixels, in plain TypeScript so the result is the same on every tfjs
 * backend and no tensors are involved.
 */

/**
 * Resampling used to fit an image to a model's input:
 * - `'bilinear'`: interpolates the 4 nearest pixels (as `tf.image.resizeBilinear` with half-pixel
 *   centres); smooth when enlarging, but aliases when shrinking a large photo by more than 2×;
 * - `'nearest'`: copies the nearest pixel; keeps hard edges (pixel art, masks, MNIST digits);
 * - `'area'`: averages the input pixels each output pixel covers (weighted by overlap); the right
 *   choice for shrinking photos, as it does not alias.
 */
export type ResizeMethod = 'bilinear' | 'nearest' | 'area';

/** Names of every {@link ResizeMethod}. */
export const RESIZE_METHODS: readonly ResizeMethod[] = Object.freeze([
  'bilinear',
  'nearest',
  'area',
]);

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
  if (method === 'area') return resizeArea(pixels, height, width);
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

/** Input pixels covered by one output pixel along an axis, with their overlap weights (sum 1). */
interface Coverage {
  readonly first: number;
  readonly weights: readonly number[];
}

function coverage(inSize: number, outSize: number): Coverage[] {
  const step = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const lo = o * step;
    const hi = (o + 1) * step;
    const first = Math.floor(lo);
    const weights: number[] = [];
    for (let i = first; i < Math.min(inSize, Math.ceil(hi)); i++) {
      weights.push((Math.min(hi, i + 1) - Math.max(lo, i)) / step);
    }
    return { first, weights };
  });
}

/** Area (box) resampling: each output pixel is the overlap-weighted mean of the input it covers. */
function resizeArea(pixels: FloatPixels, height: number, width: number): FloatPixels {
  const { channels } = pixels;
  const rows = coverage(pixels.height, height);
  const cols = coverage(pixels.width, width);
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    const row = rows[y];
    for (let x = 0; x < width; x++) {
      const col = cols[x];
      const target = (y * width + x) * channels;
      for (let i = 0; i < row.weights.length; i++) {
        for (let j = 0; j < col.weights.length; j++) {
          const w = row.weights[i] * col.weights[j];
          const source = ((row.first + i) * pixels.width + col.first + j) * channels;
          for (let c = 0; c < channels; c++) out[target + c] += w * pixels.data[source + c];
        }
      }
    }
  }
  return { data: out, height, width, channels };
}
