import type { DatasetSplit } from './dataset';
import { seededPermutation } from './seeded-permutation';

/** Images of one class as a flat array of `count · pixelsPerImage` values in [0, 1]. */
export interface ClassImages {
  readonly label: number;
  readonly pixels: ArrayLike<number>;
  readonly count: number;
}

/** Fraction of each class that goes to the test split of a per-class split. */
export const PER_CLASS_TEST_FRACTION = 0.2;

/**
 * Split class-sorted data into train and test: the first 80 % (or `1 − testFraction`) of each class
 * in file order train, the rest (rounded up) test. Each split is then put in a fixed seeded order so that classes are interleaved and
 * "the first N test images" is a balanced, reproducible subset.
 */
export function splitPerClass(
  classes: readonly ClassImages[],
  pixelsPerImage: number,
  seed: number,
  testFraction: number = PER_CLASS_TEST_FRACTION,
): { train: DatasetSplit; test: DatasetSplit } {
  const trainRefs: [number, number][] = [];
  const testRefs: [number, number][] = [];
  classes.forEach((c, classIndex) => {
    const testCount = Math.ceil(c.count * testFraction);
    const trainCount = c.count - testCount;
    for (let i = 0; i < c.count; i++) {
      (i < trainCount ? trainRefs : testRefs).push([classIndex, i]);
    }
  });
  const build = (refs: [number, number][], splitSeed: number): DatasetSplit => {
    const order = seededPermutation(refs.length, splitSeed);
    const images = new Float32Array(refs.length * pixelsPerImage);
    const labels = new Int32Array(refs.length);
    for (let out = 0; out < refs.length; out++) {
      const [classIndex, inClass] = refs[order[out]];
      const source = classes[classIndex];
      labels[out] = source.label;
      const from = inClass * pixelsPerImage;
      const to = out * pixelsPerImage;
      for (let p = 0; p < pixelsPerImage; p++) images[to + p] = source.pixels[from + p];
    }
    return { images, labels, count: refs.length };
  };
  return { train: build(trainRefs, seed), test: build(testRefs, seed + 1) };
}
