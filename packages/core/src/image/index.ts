/**
 * Image files as model inputs: PNG / JPEG decoding (pngjs, jpeg-js), channel conversion, resizing
 * and scaling to a model's input.
 */
export { detectImageFormat, type ImageFormat } from './format';
export {
  decodeImage,
  DEFAULT_MAX_MEGAPIXELS,
  type DecodeOptions,
  type DecodedImage,
} from './decode';
export { readImageDimensions, type ImageDimensions } from './dimensions';
export { IMAGE_FITS, type ImageFit } from './fit';
export { LUMA_WEIGHTS, toGrayscale } from './grayscale';
export { readImageFileBytes } from './read-file';
export { RESIZE_METHODS, resizePixels, type FloatPixels, type ResizeMethod } from './resize';
export {
  imagePixels,
  imageShapeOfModel,
  imageToTensor,
  type ImageModel,
  type ImageShape,
  type ImageTensorOptions,
} from './to-tensor';
export { loadImage, type LoadImageOptions } from './load';
export {
  applyOrientation,
  readJpegOrientation,
  type ExifOrientation,
  type RgbaPixels,
} from './orientation';
