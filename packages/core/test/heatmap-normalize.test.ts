import * as tf from '@tensorflow/tfjs';
import {
  HeatmapInputError,
  absMaxBound,
  normalizeRelevance,
  percentileBound,
  reduceChannels,
  sharedSymmetricBound,
} from '../src/heatmap/index';

const map = (values: number[], width = values.length, height = 1) => ({
  values: Float32Array.from(values),
  width,
  height,
});

describe('channel reduction', () => {
  // One pixel, three channels: 1, −3, 2.
  const pixel = { data: [1, -3, 2], shape: [1, 1, 3] };

  it.each([
    ['sum', 0],
    ['absSum', 6],
    ['max-abs', -3],
    ['l2', Math.sqrt(14)],
    ['mean', 0],
    ['positive-sum', 3],
  ] as const)('%s', (reduction, expected) => {
    const { values } = reduceChannels(pixel, { reduction });
    expect(values[0]).toBeCloseTo(expected, 6);
  });

  it('defaults to sum and accepts [H, W], [H, W, C] and [1, H, W, C]', () => {
    expect([...reduceChannels({ data: [1, 2, 3, 4], shape: [2, 2] }).values]).toEqual([1, 2, 3, 4]);
    const hwc = reduceChannels({ data: [1, 2, 3, 4], shape: [1, 2, 2] });
    expect([hwc.height, hwc.width, ...hwc.values]).toEqual([1, 2, 3, 7]);
    const nhwc = reduceChannels({ data: [1, 2, 3, 4, 5, 6], shape: [1, 1, 3, 2] });
    expect([...nhwc.values]).toEqual([3, 7, 11]);
  });

  it('reads tensors without leaking or disposing them', () => {
    const before = tf.memory().numTensors;
    const relevance = tf.tensor4d([1, -1, 2, 2, 0, 5, -4, 1], [1, 2, 2, 2]);
    const { values, width, height } = reduceChannels(relevance, { reduction: 'absSum' });
    expect([width, height, ...values]).toEqual([2, 2, 2, 4, 5, 5]);
    expect(relevance.isDisposed).toBe(false);
    relevance.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('picks a sample of a batch, and insists on a choice when N > 1', () => {
    const batch = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2, 1] };
    expect([...reduceChannels(batch, { sample: 1 }).values]).toEqual([5, 6, 7, 8]);
    expect(() => reduceChannels(batch)).toThrow(/batch of 2 samples.*sample/);
    expect(() => reduceChannels(batch, { sample: 2 })).toThrow(HeatmapInputError);
  });

  it('rejects a flat vector, a wrong length and an unknown reduction', () => {
    expect(() => reduceChannels({ data: new Float32Array(784), shape: [784] })).toThrow(
      /\[784\].*\[28, 28\]/,
    );
    expect(() => reduceChannels({ data: [1, 2, 3], shape: [2, 2] })).toThrow(/3 values/);
    expect(() => reduceChannels(pixel, { reduction: 'median' as unknown as 'sum' })).toThrow(
      /Unknown channel reduction "median"/,
    );
  });
});

describe('normalisation', () => {
  it('symmetric: zero maps to the centre 0.5, ±max|R| to the ends', () => {
    const n = normalizeRelevance(map([-2, 0, 1, 4]));
    expect([...n.values]).toEqual([0.25, 0.5, 0.625, 1]);
    expect([n.low, n.high]).toEqual([-4, 4]);
  });

  it('symmetric for an unsigned colormap: [0, max|R|] → [0, 1], negatives clip to 0', () => {
    const n = normalizeRelevance(map([-2, 0, 1, 4]), { signed: false });
    expect([...n.values]).toEqual([0, 0, 0.25, 1]);
  });

  it('an all-zero map is drawn entirely at the centre', () => {
    expect([...normalizeRelevance(map([0, 0, 0])).values]).toEqual([0.5, 0.5, 0.5]);
  });

  it('percentile bound interpolates order statistics of |R|', () => {
    const ramp = map(Array.from({ length: 101 }, (_, i) => (i % 2 ? -i : i))); // |R| = 0…100
    expect(percentileBound(ramp, 99.5)).toBeCloseTo(99.5, 6);
    expect(percentileBound(ramp, 50)).toBeCloseTo(50, 6);
    expect(percentileBound(ramp, 100)).toBe(100);
    expect(() => percentileBound(ramp, 0)).toThrow(/\(0, 100\]/);
  });

  it('percentile normalisation clips the outliers beyond the bound', () => {
    const values = Array.from({ length: 1000 }, () => 1);
    values[0] = 1000; // one outlier
    values[1] = -1;
    const n = normalizeRelevance(map(values), { normalization: 'percentile', percentile: 99 });
    expect(n.high).toBe(1);
    expect(n.values[0]).toBe(1); // clipped
    expect(n.values[1]).toBe(0);
    expect(n.values[2]).toBe(1);
    // The same map with abs-max normalisation squeezes everything else to the centre.
    expect(normalizeRelevance(map(values)).values[2]).toBeCloseTo(0.5005, 6);
  });

  it('min-max is unaligned: min → 0, max → 1', () => {
    const n = normalizeRelevance(map([2, 3, 6]), { normalization: 'minmax' });
    expect([...n.values]).toEqual([0, 0.25, 1]);
    expect([n.low, n.high]).toEqual([2, 6]);
  });

  it('ignores non-finite values for the bound; NaN is drawn as zero, ±Inf clipped', () => {
    const n = normalizeRelevance(map([NaN, Infinity, -Infinity, 2, -1]));
    expect([...n.values]).toEqual([0.5, 1, 0, 1, 0.25]);
    expect(absMaxBound(map([NaN, Infinity, 3]))).toBe(3);
  });

  it('an explicit bound gives several maps the same scale', () => {
    const a = map([1, -1]);
    const b = map([4, -2]);
    const bound = sharedSymmetricBound([a, b]);
    expect(bound).toBe(4);
    expect([...normalizeRelevance(a, { bound }).values]).toEqual([0.625, 0.375]);
    expect([...normalizeRelevance(b, { bound }).values]).toEqual([1, 0.25]);
  });

  it('sharedSymmetricBound reduces channels and can use a percentile', () => {
    const x = { data: [1, 1, -3, 0], shape: [1, 2, 2] }; // sums 2, −3
    const y = tf.tensor2d([[0.5, -1]]);
    expect(sharedSymmetricBound([x, y])).toBe(3);
    expect(sharedSymmetricBound([x, y], { percentile: 50 })).toBeCloseTo(2.5, 6);
    y.dispose();
  });

  it('rejects an unknown mode and a negative bound', () => {
    expect(() =>
      normalizeRelevance(map([1]), { normalization: 'zscore' as unknown as 'minmax' }),
    ).toThrow(/Unknown normalization "zscore"/);
    expect(() => normalizeRelevance(map([1]), { bound: -1 })).toThrow(HeatmapInputError);
  });
});
