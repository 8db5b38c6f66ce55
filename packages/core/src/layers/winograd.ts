import * as tf from '@tensorflow/tfjs';
import { interleave } from './interleave';

/**
 * 3×3 stride-1 correlations by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2016):
 * every 2×2 block of outputs costs 16 channel-mixing products instead of 36, so the channel
 * mixing — the bulk of the work when both channel counts are large — shrinks 2.25×.
 *
 * Why here: the backward pass of every rule is dominated by transposed convolutions, and on the
 * wasm backend tfjs has only the direct kernel. With the 16 products done as plain matrix
 * products, VGG16's 64- to 512-channel layers transpose in 0.5–0.8× the direct time
 * (docs/performance.md). It pays only once the 16 matrices are made and packed, so a layer uses
 * it for weights it is transposed with repeatedly (see Conv2DOp).
 *
 * The transforms only add and subtract (the factors ½ live in the matrices), so the result matches
 * the direct correlation to float32 rounding (≈1e-6 relative). A non-finite relevance value (LRP-0
 * dividing by an exact zero) turns the output blocks of the tiles that read it into NaN, where
 * the direct correlation may keep ±Inf: non-finite either way.
 *
 * Notation: `d` a 4×4 input tile, `g` a 3×3 filter, `Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A`.
 */

/** `G`, the filter transform. */
const FILTER_TRANSFORM = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/** Whether the transform pays off: its cost grows with in + out channels, the saving with in · out. */
export function winogradPays(inChannels: number, outChannels: number): boolean {
  // Speed-ups over tf.conv2d on VGG16's shapes (npm run bench:transposes, docs/performance.md):
  // 64→3 0.5×, 64→64 1.3×, 128→128 1.5×, 256→256 1.85×, 512→512 1.6–1.95×.
  return (inChannels * outChannels) / (inChannels + outChannels) >= 32;
}

/** What a layer prepares once to correlate with one filter by Winograd's method. */
export interface WinogradKernel {
  /** The 16 channel-mixing matrices `[in, out]`, index `4·a + b` for tap (a, b). */
  readonly matrices: readonly tf.Tensor2D[];
  /** The input transform's depthwise filters along columns and along rows (4 each). */
  readonly columnFilters: readonly tf.Tensor4D[];
  readonly rowFilters: readonly tf.Tensor4D[];
}

function kernelTensors(kernel: WinogradKernel): tf.Tensor[] {
  return [...kernel.matrices, ...kernel.columnFilters, ...kernel.rowFilters];
}

/** Keeps a kernel's tensors past the enclosing `tf.tidy` (a layer keeps it as long as it lives). */
export function keepWinogradKernel(kernel: WinogradKernel): WinogradKernel {
  kernelTensors(kernel).forEach((t) => tf.keep(t));
  return kernel;
}

/** Releases a kernel's tensors. */
export function disposeWinogradKernel(kernel: WinogradKernel): void {
  tf.dispose(kernelTensors(kernel));
}

/**
 * The Winograd kernel of a 3×3 filter given as `[3, 3, out, in]` taps
 * that still have to be flipped spatially — the layout a transposed convolution starts from after
 * swapping the kernel's channel axes. Flipping is folded into `G` (its columns reversed), so the
 * caller never materialises the flipped kernel.
 */
export function winogradKernelOfFlipped(swapped: tf.Tensor4D): WinogradKernel {
  const [, , inChannels] = swapped.shape;
  return {
    matrices: winogradMatrices(swapped),
    columnFilters: inputTransformFilters(inChannels, 2),
    rowFilters: inputTransformFilters(inChannels, 1),
  };
}

/** The 16 matrices of {@link winogradKernelOfFlipped}. */
function winogradMatrices(swapped: tf.Tensor4D): tf.Tensor2D[] {
  return tf.tidy(() => {
    const [kh, kw, inChannels, outChannels] = swapped.shape;
    if (kh !== 3 || kw !== 3) throw new Error('Winograd F(2×2, 3×3) needs a 3×3 filter');
    const flipped = FILTER_TRANSFORM.map((row) => [...row].reverse());
    const taps = swapped.reshape([9, inChannels * outChannels]);
    // Matrix (a, b) is row (a, b) of G' ⊗ G' times the 9 taps (row-major). One product per
    // matrix, not one product split 16 ways: on wasm, slicing a tensor copies all of it first.
    const matrices: tf.Tensor2D[] = [];
    for (const a of flipped) {
      for (const b of flipped) {
        const row = tf.tensor2d([a.flatMap((x) => b.map((y) => x * y))]);
        matrices.push(tf.matMul(row, taps).reshape([inChannels, outChannels]));
      }
    }
    return matrices;
  });
}

/** `Bᵀ`, the input transform: row `j` weighs the four positions a tile reads along one axis. */
const INPUT_TRANSFORM = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];

/**
 * The input transform `Bᵀ d` along one spatial axis (1 = rows, 2 = columns) as four depthwise
 * filters: tile `t` reads positions `2t … 2t+3`, so row `j` of `Bᵀ` is a depthwise correlation
 * with the 4-tap filter `Bᵀ[j]` at stride 2 along that axis.
 *
 * Why depthwise convolutions and not slices: XNNPACK does them in one pass over the heap, while
 * the wasm Slice kernel copies its whole input out of the heap first (and GatherV2 and
 * StridedSlice go element by element) — slices made the transform cost more than the products.
 */
function inputTransformFilters(channels: number, axis: 1 | 2): tf.Tensor4D[] {
  const shape: [number, number, number, number] =
    axis === 1 ? [4, 1, channels, 1] : [1, 4, channels, 1];
  // Layout [tap, channel]: every channel gets the same four taps.
  return INPUT_TRANSFORM.map((taps) =>
    tf.tensor4d(
      Float32Array.from({ length: 4 * channels }, (_, i) => taps[Math.floor(i / channels)]),
      shape,
    ),
  );
}

/** Applies the input transform along `axis` with its four filters. */
function inputTransform(
  x: tf.Tensor4D,
  filters: readonly tf.Tensor4D[],
  axis: 1 | 2,
): tf.Tensor4D[] {
  const strides: [number, number] = axis === 1 ? [2, 1] : [1, 2];
  return filters.map((filter) => tf.depthwiseConv2d(x, filter, strides, 'valid'));
}

/** `Aᵀ m` along one axis: the two outputs of a tile from its four transformed values. */
function outputTransform(m: readonly tf.Tensor[]): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [tf.addN([m[0], m[1], m[2]]), m[1].sub(m[2]).sub(m[3])]);
}

/**
 * The stride-1, undilated 3×3 correlation of `x` `[batch, height, width, in]` with the filter
 * whose Winograd kernel is `kernel` (from {@link winogradKernelOfFlipped}), after zero
 * padding `[[top, bottom], [left, right]]` (each ≥ 0). Same result as `tf.conv2d` with that filter
 * and explicit padding.
 */
export function winogradCorrelate3x3(
  x: tf.Tensor4D,
  kernel: WinogradKernel,
  padding: readonly [readonly [number, number], readonly [number, number]],
): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, inChannels] = x.shape;
    const outChannels = kernel.matrices[0].shape[1];
    const [[top, bottom], [left, right]] = padding;
    const outH = height + top + bottom - 2;
    const outW = width + left + right - 2;
    const tilesH = Math.ceil(outH / 2);
    const tilesW = Math.ceil(outW / 2);
    // Pad so that whole 4×4 tiles (stride 2) cover every output; the extra row/column is cropped.
    const padded: tf.Tensor4D = x.pad([
      [0, 0],
      [top, bottom + 2 * tilesH - outH],
      [left, right + 2 * tilesW - outW],
      [0, 0],
    ]);
    const tilesPerImage = batch * tilesH * tilesW;
    // Every intermediate is released as soon as its last reader ran, not at the end of the tidy:
    // on VGG16's 224² layers they add up to about 200 MB, and the wasm heap keeps its high-water
    // mark for good (docs/performance.md, memory). The operations and their order are unchanged.
    // mixed[4·a + b]: tap (a, b) of every tile, a along rows, b along columns, times its matrix.
    // Columns are transformed first, on the larger tensor, while the channels are still contiguous.
    const mixed: tf.Tensor[] = new Array<tf.Tensor>(16);
    const allColumns = inputTransform(padded, kernel.columnFilters, 2);
    if (padded !== x) padded.dispose(); // its four column transforms are all made
    allColumns.forEach((columns, b) => {
      const tiles = inputTransform(columns, kernel.rowFilters, 1);
      columns.dispose(); // its four row transforms are all made
      tiles.forEach((tile, a) => {
        const taps = tile.reshape([tilesPerImage, inChannels]) as tf.Tensor2D;
        mixed[4 * a + b] = tf.matMul(taps, kernel.matrices[4 * a + b]);
        tf.dispose([tile, taps]);
      });
    });
    // Aᵀ over the tile's rows (index k = 4·row + column), then over its columns.
    const byRow = [0, 1, 2, 3].map((column) => {
      const parts = [0, 1, 2, 3].map((row) => mixed[4 * row + column]);
      const pair = outputTransform(parts);
      tf.dispose(parts);
      return pair;
    });
    const outputRows = [0, 1].map((outRow) => {
      const parts = byRow.map((pair) => pair[outRow]);
      const [even, odd] = outputTransform(parts);
      tf.dispose(parts);
      const shape = [batch, tilesH, tilesW, outChannels];
      const halves = [even.reshape(shape), odd.reshape(shape)];
      const row = interleave(halves, 2);
      tf.dispose([even, odd, ...halves]);
      return row;
    });
    const full = interleave(outputRows, 1) as tf.Tensor4D;
    tf.dispose(outputRows);
    if (2 * tilesH === outH && 2 * tilesW === outW) return full;
    return full.slice([0, 0, 0, 0], [batch, outH, outW, outChannels]);
  });
}
