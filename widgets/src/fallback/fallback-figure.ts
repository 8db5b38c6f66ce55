/**
 * Builds the figure description embedded in the `text/html` fallback (see `FallbackFigure` in
 * the schema) from a trace whose values are Float32Arrays.
 */
import type {
  ColormapName,
  FallbackFigure,
  FallbackLayer,
  ImageState,
  LayerState,
} from '../schema';

/** A layer whose `data` is a Float32Array (the kernel-side form of {@link LayerState}). */
export type KernelLayer = Omit<LayerState, 'data'> & { data: Float32Array };

/** The kernel-side form of {@link ImageState}. */
export type KernelImage = Omit<ImageState, 'data'> & { data: Float32Array };

/** base64 of the little-endian bytes of a Float32Array (every supported platform is little-endian). */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return Buffer.from(bytes).toString('base64');
}

/** Sums a channels-last `[H, W, C]` array over C. */
export function sumChannels(
  values: Float32Array,
  height: number,
  width: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let total = 0;
    for (let c = 0; c < channels; c++) total += values[p * channels + c];
    out[p] = total;
  }
  return out;
}

/** Reduces a layer to its fallback form (channel sum for spatial layers, flat otherwise). */
export function fallbackLayer(layer: KernelLayer): FallbackLayer {
  const shape = layer.shape;
  let reduced: Float32Array = layer.data;
  let drawnShape: number[] = [layer.data.length];
  if (shape.length === 3) {
    reduced = sumChannels(layer.data, shape[0], shape[1], shape[2]);
    drawnShape = [shape[0], shape[1]];
  } else if (shape.length === 2) {
    drawnShape = [shape[0], shape[1]];
  }
  return {
    name: layer.name,
    class_name: layer.class_name,
    shape: drawnShape,
    original_shape: [...shape],
    data: float32ToBase64(reduced),
    sum: layer.sum,
    mass: layer.mass,
  };
}

/** Builds the fallback figure of a trace; starts at the input layer (the last one). */
export function fallbackFigure(
  title: string,
  layers: readonly KernelLayer[],
  input: KernelImage,
  colormap: ColormapName,
): FallbackFigure {
  const [height, width] = input.shape;
  const channels = input.shape.length === 3 ? input.shape[2] : 1;
  const grey = channels === 1 ? input.data : sumChannels(input.data, height, width, channels);
  const range: [number, number] =
    channels === 1 ? input.range : [input.range[0] * channels, input.range[1] * channels];
  return {
    title,
    colormap,
    start: Math.max(0, layers.length - 1),
    layers: layers.map(fallbackLayer),
    input: { shape: [height, width ?? 1], data: float32ToBase64(grey), range },
  };
}
