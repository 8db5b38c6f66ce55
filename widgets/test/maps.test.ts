/** The front end's pure drawing helpers (no DOM needed). */
import { inputPicture, layoutOf, maxAbs, spatialGrid } from '../frontend/maps';

describe('front-end map helpers', () => {
  it('tells spatial layers from dense ones by their shape', () => {
    expect(layoutOf([7, 7, 32])).toEqual({ kind: 'spatial', height: 7, width: 7, channels: 32 });
    expect(layoutOf([5, 4])).toEqual({ kind: 'spatial', height: 5, width: 4, channels: 1 });
    expect(layoutOf([10])).toEqual({ kind: 'dense', units: 10 });
  });

  it('sums channels or picks one', () => {
    // 2×1 pixels, 2 channels: [[1, 2]], [[3, -4]]
    const values = new Float32Array([1, 2, 3, -4]);
    expect(spatialGrid(values, 2, 1, 2, 'sum')).toEqual([[3], [-1]]);
    expect(spatialGrid(values, 2, 1, 2, 1)).toEqual([[2], [-4]]);
  });

  it('finds the symmetric bound, never zero', () => {
    expect(
      maxAbs([
        [1, -3],
        [2, 0],
      ]),
    ).toBe(3);
    expect(maxAbs(new Float32Array([0, 0]))).toBeGreaterThan(0);
    expect(maxAbs([Number.NaN, -2])).toBe(2);
  });

  it('maps RGB inputs to 0–255 and keeps grey inputs as values', () => {
    const rgb = inputPicture(new Float32Array([0, 0.5, 1]), [1, 1, 3], [0, 1]);
    expect(rgb).toEqual({ kind: 'rgb', z: [[[0, 128, 255]]] });
    const grey = inputPicture(new Float32Array([0.2, 0.4]), [1, 2, 1], [0, 1]);
    expect(grey.kind).toBe('gray');
    expect((grey.z as number[][])[0][1]).toBeCloseTo(0.4);
  });
});
