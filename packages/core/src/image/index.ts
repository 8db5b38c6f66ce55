/**
 * Image files as model inputs: PNG / JPEG decoding (pngjs, jpeg-js), channel conversion, resizing
 * and scaling to a model's input.
 */
export { detectImageFormat, type ImageFormat } from './format';
export { decodeImage, type DecodeOptions, type DecodedImage } from './decode';
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
