import * as fs from 'fs';
import * as path from 'path';
import type { LabelledImageDataset } from './dataset';
import { DatasetError, DatasetNotFoundError } from './errors';
import { decodeImageFile, IMAGE_EXTENSIONS, imageFloats } from './decode-image-file';
import { splitPerClass, type ClassImages } from './per-class-split';

/** Options of `loadImageFolder`. */
export interface ImageFolderOptions {
  /** Output height; default: the first image's height. Other sizes are resampled bilinearly. */
  readonly height?: number;
  /** Output width; default: the first image's width. */
  readonly width?: number;
  /** 1 = grey (luminance), 3 = RGB; default 3. */
  readonly channels?: 1 | 3;
  /**
   * Fraction of each class (the last files in name order) that goes to the test split; default 1:
   * everything is test data, the usual case of evaluating a pretrained model on one's own images.
   */
  readonly testFraction?: number;
  /** Seed of the fixed order of each split; default 0. */
  readonly seed?: number;
}

/**
 * A dataset from a folder with one sub-folder per class (`root/cat/*.png`, `root/dog/*.jpg`, …). Class
 * names are the sub-folder names in sorted order; labels index them. PNG and JPEG files are read (other
 * files are ignored), resampled to one size and scaled to [0, 1].
 * @throws DatasetNotFoundError when the folder is missing or holds no class folder with images.
 * @throws DatasetFormatError when an image cannot be decoded.
 */
export function loadImageFolder(
  root: string,
  options: ImageFolderOptions = {},
): LabelledImageDataset {
  const channels = options.channels ?? 3;
  const testFraction = options.testFraction ?? 1;
  if (!(testFraction >= 0 && testFraction <= 1)) {
    throw new DatasetError(`testFraction must lie in [0, 1], got ${testFraction}.`);
  }
  const hint =
    'Create one sub-folder per class holding its PNG/JPEG images, e.g. images/cat/1.png, images/dog/2.jpg.';
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new DatasetNotFoundError(`image folder`, [root], hint);
  }
  const isImage = (name: string): boolean =>
    IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
  const classFolders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      files: fs
        .readdirSync(path.join(root, name))
        .filter(isImage)
        .sort()
        .map((file) => path.join(root, name, file)),
    }))
    .filter((folder) => folder.files.length > 0);
  if (classFolders.length === 0) {
    throw new DatasetNotFoundError(
      `image folder`,
      [root],
      `No class sub-folder with images found. ${hint}`,
    );
  }
  // The first image sets the default size; decoded once, and reused below.
  const firstFile = classFolders[0].files[0];
  const first =
    options.height === undefined || options.width === undefined
      ? decodeImageFile(firstFile)
      : undefined;
  const height = options.height ?? first?.height ?? 0;
  const width = options.width ?? first?.width ?? 0;
  const pixelsPerImage = height * width * channels;
  const classes: ClassImages[] = classFolders.map((folder, label) => {
    const pixels = new Float32Array(folder.files.length * pixelsPerImage);
    folder.files.forEach((file, i) =>
      pixels.set(
        imageFloats(
          file === firstFile && first ? first : decodeImageFile(file),
          height,
          width,
          channels,
          file,
        ),
        i * pixelsPerImage,
      ),
    );
    return { label, pixels, count: folder.files.length };
  });
  const { train, test } = splitPerClass(classes, pixelsPerImage, options.seed ?? 0, testFraction);
  return {
    name: path.basename(path.resolve(root)),
    classNames: classFolders.map((folder) => folder.name),
    height,
    width,
    channels,
    train,
    test,
    source: `image folder ${root}; ${Math.round(testFraction * 100)} % of each class as test`,
  };
}
