import * as fs from 'fs';
import * as path from 'path';
import type { LabelledImageDataset } from './dataset';
import { isInside } from '@rlrp/core';
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
  /**
   * Receives warnings: entries skipped because they are not regular files (FIFOs, devices,
   * sockets, directories named like images), images stretched to another aspect ratio; default
   * `console.warn`.
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * The image files of one class folder, in name order. Entries that are not regular files are
 * skipped (reading a FIFO blocks forever, a device never ends) and listed in `skipped`.
 */
function listImageFiles(folder: string, realRoot: string, skipped: string[]): string[] {
  const isImageName = (name: string): boolean =>
    IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
  return fs
    .readdirSync(folder)
    .filter(isImageName)
    .sort()
    .map((name) => path.join(folder, name))
    .filter((file) => {
      let regular = false;
      try {
        // stat follows links and never blocks on a FIFO; a link is kept only while it stays inside
        // the dataset folder, so a downloaded folder cannot make the loader read any file.
        regular = fs.statSync(file).isFile() && isInside(realRoot, fs.realpathSync(file));
      } catch {
        regular = false; // a dangling link
      }
      if (!regular) skipped.push(file);
      return regular;
    });
}

/**
 * A dataset from a folder with one sub-folder per class (`root/cat/*.png`, `root/dog/*.jpg`, …). Class
 * names are the sub-folder names in sorted order; labels index them. PNG and JPEG files are read (other
 * files are ignored; entries that are not regular files are skipped with a warning), resampled to one
 * size and scaled to [0, 1].
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
  const warn = options.onWarning ?? console.warn;
  const realRoot = fs.realpathSync(root);
  const skipped: string[] = [];
  const classFolders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      files: listImageFiles(path.join(root, name), realRoot, skipped),
    }))
    .filter((folder) => folder.files.length > 0);
  if (skipped.length > 0) {
    const shown = skipped.slice(0, 5).join(', ');
    warn(
      `loadImageFolder: skipped ${skipped.length} entr${skipped.length === 1 ? 'y' : 'ies'} that ${skipped.length === 1 ? 'is' : 'are'} not a regular file inside the folder (FIFO, device, socket, directory, broken link or a link leading outside): ${shown}${skipped.length > 5 ? ', …' : ''}.`,
    );
  }
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
  const stretched: string[] = [];
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
          () => stretched.push(file),
        ),
        i * pixelsPerImage,
      ),
    );
    return { label, pixels, count: folder.files.length };
  });
  if (stretched.length > 0) {
    warn(
      `loadImageFolder: ${stretched.length} image(s) were stretched to ${width}×${height}, which changes their aspect ratio (e.g. ${stretched[0]}); pass height and width of the images' own shape to avoid it.`,
    );
  }
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
