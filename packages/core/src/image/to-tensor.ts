/**
 * From decoded RGBA pixels to a model-ready `[1, H, W, C]` tensor: channel conversion, resizing,
 * value scaling.
 */
import * as tf from '@tensorflow/tfjs';
import { ImageFileError } from '../errors';
import type { DecodedImage } from './decode';
import { RESIZE_METHODS, resizePixels, type FloatPixels, type ResizeMethod } from './resize';

/** Height, width and channels of an image input (channels 1, 3 or 4). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/**
 * A model whose first input is an image batch `[batch, H, W, C]`: a `tf.LayersModel`, a
 * `tf.GraphModel`, or anything with the same `inputs[0].shape`.
 */
export interface ImageModel {
  readonly inputs: readonly { readonly shape?: readonly (number | null)[] }[];
}

/** Options shared by {@link imageToTensor} and `loadImage`. */
export interface ImageTensorOptions {
  /** Fit the image to this model's input (height, width, channels). */
  readonly model?: ImageModel;
  /** Fit the image to this `[H, W, C]`; default the image's own size with 3 channels. */
  readonly shape?: ImageShape;
  /** Pixel value range `[lo, hi]`: byte 0 ↦ lo, byte 255 ↦ hi; default `[0, 1]`. */
  readonly scale?: readonly [number, number];
  /** Resampling when the size differs; default `'bilinear'`. */
  readonly resize?: ResizeMethod;
}

/** ITU-R BT.601 luma weights: the usual RGB → gray conversion of image libraries. */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * The `[H, W, C]` image input of a model.
 *
 * @throws {@link ImageFileError} (naming `source`) when the input is not `[batch, H, W, C]` with
 *   known H, W and C ∈ {1, 3, 4}.
 */
export function imageShapeOfModel(model: ImageModel, source = '<model>'): ImageShape {
  const shape = model.inputs[0]?.shape;
  const [, height, width, channels] = shape ?? [];
  const known = (d: number | null | undefined): d is number => typeof d === 'number' && d > 0;
  if (
    !shape ||
    shape.length !== 4 ||
    !known(height) ||
    !known(width) ||
    !known(channels) ||
    ![1, 3, 4].includes(channels)
  ) {
    const shown = shape
      ? `[${shape.map((d) => (d === null || d === -1 ? 'batch' : d)).join(', ')}]`
      : 'unknown';
    throw new ImageFileError(
      source,
      `The model's input ${shown} is not an image batch [batch, height, width, 1|3|4]`,
      'Pass { shape: [H, W, C] } instead and reshape the tensor for the model ' +
        '(e.g. tf.reshape(x, [1, 784]) for a dense MNIST model).',
    );
  }
  return [height, width, channels];
}

function checkShape(shape: ImageShape, source: string): void {
  const [height, width, channels] = shape;
  if (
    shape.length !== 3 ||
    !Number.isInteger(height) ||
    !Number.isInteger(width) ||
    height < 1 ||
    width < 1 ||
    ![1, 3, 4].includes(channels)
  ) {
    throw new ImageFileError(
      source,
      `Cannot produce an image of shape [${shape.join(', ')}]`,
      'Give shape as [height, width, channels] with positive integer sizes and 1, 3 or 4 channels.',
    );
  }
}

/** Resolves the target shape from `model`, `shape` or the image itself. */
function targetShape(image: DecodedImage, options: ImageTensorOptions, source: string): ImageShape {
  const fromModel = options.model ? imageShapeOfModel(options.model, source) : undefined;
  if (options.shape) checkShape(options.shape, source);
  if (fromModel && options.shape && fromModel.join() !== options.shape.join()) {
    throw new ImageFileError(
      source,
      `The shape [${options.shape.join(', ')}] contradicts the model's input [${fromModel.join(', ')}]`,
      'Pass either model or shape.',
    );
  }
  return fromModel ?? options.shape ?? [image.height, image.width, 3];
}

/** RGBA bytes → float pixels (0…255) with 1 (luma), 3 (RGB) or 4 (RGBA) channels. */
function convertChannels(image: DecodedImage, channels: number): FloatPixels {
  const pixels = image.width * image.height;
  const data = new Float32Array(pixels * channels);
  const rgba = image.data;
  for (let p = 0; p < pixels; p++) {
    if (channels === 1) {
      data[p] = LUMA[0] * rgba[4 * p] + LUMA[1] * rgba[4 * p + 1] + LUMA[2] * rgba[4 * p + 2];
    } else {
      for (let c = 0; c < channels; c++) data[p * channels + c] = rgba[4 * p + c];
    }
  }
  return { data, height: image.height, width: image.width, channels };
}

/**
 * Converts a decoded image to the float pixels a model reads: channels converted (RGB → gray by
 * BT.601 luma, gray → RGB by copying; alpha is dropped unless C = 4), resized to the model's or the
 * given size, and bytes scaled linearly to `scale` (default `[0, 1]`). {@link imageToTensor} is the
 * same as a tensor; this form fills datasets without a tensor per image.
 *
 * @param source - Name for error messages (the file path).
 * @throws {@link ImageFileError} for a model whose input is not an image, a bad shape, scale or
 *   resize method.
 */
export function imagePixels(
  image: DecodedImage,
  options: ImageTensorOptions = {},
  source = '<buffer>',
): FloatPixels {
  const [height, width, channels] = targetShape(image, options, source);
  const [lo, hi] = options.scale ?? [0, 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) {
    throw new ImageFileError(
      source,
      `The scale [${lo}, ${hi}] is not a value range`,
      'Pass two different finite numbers, e.g. [0, 1] or [-1, 1] or [0, 255].',
    );
  }
  const method = options.resize ?? 'bilinear';
  if (!RESIZE_METHODS.includes(method)) {
    throw new ImageFileError(
      source,
      `Unknown resize method "${String(method)}"`,
      `Use one of: ${RESIZE_METHODS.join(', ')}.`,
    );
  }
  const resized = resizePixels(convertChannels(image, channels), height, width, method);
  const values = resized.data; // a fresh array (convertChannels made it), so scaled in place
  const factor = (hi - lo) / 255;
  for (let i = 0; i < values.length; i++) values[i] = lo + values[i] * factor;
  return { data: values, height, width, channels };
}

/**
 * Converts a decoded image to a `[1, H, W, C]` float32 tensor for a model (see
 * {@link imagePixels}). The caller owns (and disposes) the returned tensor.
 *
 * @param source - Name for error messages (the file path).
 * @throws {@link ImageFileError} for a model whose input is not an image, a bad shape, scale or
 *   resize method.
 */
export function imageToTensor(
  image: DecodedImage,
  options: ImageTensorOptions = {},
  source = '<buffer>',
): tf.Tensor4D {
  const { data, height, width, channels } = imagePixels(image, options, source);
  return tf.tensor4d(data, [1, height, width, channels], 'float32');
}
