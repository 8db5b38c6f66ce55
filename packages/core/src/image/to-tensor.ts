/**
 * From decoded RGBA pixels to a model-ready `[1, H, W, C]` tensor: channel conversion, resizing,
 * value scaling.
 */
import * as tf from '@tensorflow/tfjs';
import { ImageFileError, OptionError } from '../errors';
import { DEFAULT_MAX_MEGAPIXELS, type DecodedImage } from './decode';
import {
  borderMean,
  changesAspect,
  containBox,
  coverCrop,
  cropPixels,
  IMAGE_FITS,
  padPixels,
  type ImageFit,
} from './fit';
import { toGrayscale } from './grayscale';
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
  /**
   * How the image meets a target of another aspect ratio (see {@link ImageFit}); default `'fill'`,
   * which stretches and warns through `onWarning` when the aspect ratio changes.
   */
  readonly fit?: ImageFit;
  /**
   * Padding for `fit: 'contain'`, as a byte value 0–255 (before `invert`); default the mean colour
   * of the image's border, so a photo of paper is padded with paper.
   */
  readonly background?: number;
  /**
   * Turn dark-on-light into light-on-dark (byte v ↦ 255 − v, alpha kept) before scaling: MNIST
   * models were trained on white digits on black, a digit drawn on paper is the opposite.
   */
  readonly invert?: boolean;
  /**
   * Convert colour to grayscale (BT.601 luma) even when the target has 3 or 4 channels (the gray
   * value is repeated). A 1-channel target always gets the luma.
   */
  readonly grayscale?: boolean;
  /**
   * Largest output size in megapixels (height × width of `shape` or the model input); default
   * 100, as for decoding.
   */
  readonly maxMegapixels?: number;
  /** Receives warnings (an aspect ratio changed by `fit: 'fill'`); default `console.warn`. */
  readonly onWarning?: (message: string) => void;
}

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
  const shape = fromModel ?? options.shape ?? [image.height, image.width, 3];
  const maxMegapixels = options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS;
  if (!(maxMegapixels > 0) || maxMegapixels === Infinity) {
    throw new OptionError('maxMegapixels', maxMegapixels, 'a positive finite number of megapixels');
  }
  if (shape[0] * shape[1] > maxMegapixels * 1e6) {
    throw new OptionError(
      'shape',
      `[${shape.join(', ')}]`,
      `at most ${maxMegapixels} megapixels (maxMegapixels = ${maxMegapixels}); raise maxMegapixels for a larger output`,
    );
  }
  return shape;
}

/**
 * RGBA bytes → float pixels (0…255) with 1 (luma), 3 (RGB) or 4 (RGBA) channels; with
 * `grayscale`, colour becomes its luma in every colour channel.
 */
function convertChannels(image: DecodedImage, channels: number, grayscale: boolean): FloatPixels {
  if (channels === 1) return toGrayscale(image);
  const pixels = image.width * image.height;
  const gray = grayscale ? toGrayscale(image).data : undefined;
  const data = new Float32Array(pixels * channels);
  const rgba = image.data;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      data[p * channels + c] = gray !== undefined && c < 3 ? gray[p] : rgba[4 * p + c];
    }
  }
  return { data, height: image.height, width: image.width, channels };
}

function checkOptions(options: ImageTensorOptions, source: string): void {
  const method = options.resize ?? 'bilinear';
  if (!RESIZE_METHODS.includes(method)) {
    throw new ImageFileError(
      source,
      `Unknown resize method "${String(method)}"`,
      `Use one of: ${RESIZE_METHODS.join(', ')}.`,
    );
  }
  if (options.fit !== undefined && !IMAGE_FITS.includes(options.fit)) {
    throw new OptionError('fit', options.fit, `one of ${IMAGE_FITS.join(', ')}`);
  }
  const { background } = options;
  if (background !== undefined && !(background >= 0 && background <= 255)) {
    throw new OptionError('background', background, 'a byte value from 0 to 255');
  }
}

/** Fits `pixels` to `height × width` as `options.fit` says, warning when a stretch distorts. */
function fitPixels(
  pixels: FloatPixels,
  height: number,
  width: number,
  options: ImageTensorOptions,
  source: string,
): FloatPixels {
  const method = options.resize ?? 'bilinear';
  const fit = options.fit ?? 'fill';
  const distorts = changesAspect(pixels.width, pixels.height, width, height);
  if (!distorts || fit === 'fill') {
    if (distorts) {
      (options.onWarning ?? console.warn)(
        `${source} is ${pixels.width}×${pixels.height} and is stretched to ${width}×${height}, which changes its aspect ratio; ` +
          "pass fit: 'contain' (pad) or fit: 'cover' (crop) to keep its shape.",
      );
    }
    return resizePixels(pixels, height, width, method);
  }
  if (fit === 'cover') {
    const crop = cropPixels(pixels, coverCrop(pixels.width, pixels.height, width, height));
    return resizePixels(crop, height, width, method);
  }
  const box = containBox(pixels.width, pixels.height, width, height);
  const background =
    options.background === undefined
      ? borderMean(pixels)
      : new Array<number>(pixels.channels)
          .fill(options.background)
          .map((v, c) => (pixels.channels === 4 && c === 3 ? 255 : v));
  return padPixels(
    resizePixels(pixels, box.height, box.width, method),
    box,
    width,
    height,
    background,
  );
}

/**
 * Converts a decoded image to the float pixels a model reads, in this order: channels converted
 * (RGB → gray by BT.601 luma, see {@link toGrayscale}; gray → RGB by copying; alpha is dropped
 * unless C = 4; `grayscale` makes colour gray first), fitted to the model's or the given size
 * (`fit`: stretched, padded or cropped), inverted if asked (`invert`), and bytes scaled linearly
 * to `scale` (default `[0, 1]`). {@link imageToTensor} is the
 * same as a tensor; this form fills datasets without a tensor per image.
 *
 * @param source - Name for error messages (the file path).
 * @throws {@link ImageFileError} for a model whose input is not an image, a bad shape, scale or
 *   resize method; {@link OptionError} for a bad `fit`, `background` or `maxMegapixels`, or an
 *   output larger than `maxMegapixels`.
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
  checkOptions(options, source);
  const converted = convertChannels(image, channels, options.grayscale === true);
  const fitted = fitPixels(converted, height, width, options, source);
  // Fresh pixels (converted here, then fitted into new arrays or left as they are): scaled in place.
  const values = fitted.data;
  const factor = (hi - lo) / 255;
  for (let i = 0; i < values.length; i++) {
    const isAlpha = channels === 4 && i % 4 === 3;
    const byte = options.invert === true && !isAlpha ? 255 - values[i] : values[i];
    values[i] = lo + byte * factor;
  }
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
