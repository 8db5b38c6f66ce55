/**
 * @rlrp/datasets — MNIST, Fashion-MNIST and folders of labelled images as TensorFlow.js tensors, read
 * from locally installed packages (never the network), with fixed train/test splits.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './dataset';
export * from './class-names';
export * from './to-tensors';
export * from './mnist';
export * from './fashion-mnist';
export * from './idx';
export { seededPermutation } from './seeded-permutation';
export * from './image-folder';
export { decodeImageFile, IMAGE_EXTENSIONS } from './decode-image-file';
