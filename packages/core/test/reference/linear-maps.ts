/**
 * Every linear layer of the reference as an explicit matrix z = W a + b over the flattened
 * (row-major, channels-last) sample. Convolutions, depthwise convolutions and pooling are unrolled
 * into their matrix; the matrix is stored by its structural entries only (row, column, weight), so
 * "the receptive field of output k" is exactly the entries of row k (the flat rule needs that, and a
 * weight that happens to be 0 stays part of the receptive field).
 */

/** An unrolled linear map: `rows` outputs, `cols` inputs, structural entries and a bias per row. */
export interface LinearMap {
  readonly rows: number;
  readonly cols: number;
  /** Output index of each entry. */
  readonly entryRow: Int32Array;
  /** Input index of each entry. */
  readonly entryCol: Int32Array;
  /** Weight of each entry. */
  readonly entryWeight: Float64Array;
  /** Bias per output (zeros when the layer has none). */
  readonly bias: Float64Array;
}

/** Collects entries while a builder walks a layer's connectivity. */
class EntryCollector {
  private readonly r: number[] = [];
  private readonly c: number[] = [];
  private readonly w: number[] = [];
  add(row: number, col: number, weight: number): void {
    this.r.push(row);
    this.c.push(col);
    this.w.push(weight);
  }
  build(rows: number, cols: number, bias: Float64Array): LinearMap {
    return {
      rows,
      cols,
      entryRow: Int32Array.from(this.r),
      entryCol: Int32Array.from(this.c),
      entryWeight: Float64Array.from(this.w),
      bias,
    };
  }
}

/** Padding geometry of one spatial axis, with TensorFlow's convention for 'same'. */
export interface AxisGeometry {
  readonly outSize: number;
  /** Cells of padding before the first input cell. */
  readonly padBefore: number;
}

/**
 * TensorFlow's output size and leading padding of one axis: 'valid' → ceil((n − (k−1)d) / s);
 * 'same' → ceil(n / s) with total padding max((out−1)s + (k−1)d + 1 − n, 0), the smaller half before.
 */
export function axisGeometry(
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid',
): AxisGeometry {
  const effective = (kernel - 1) * dilation + 1;
  if (padding === 'valid') {
    return { outSize: Math.ceil((inSize - effective + 1) / stride), padBefore: 0 };
  }
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  return { outSize, padBefore: Math.floor(total / 2) };
}

/** Dense on the last axis: kernel [inF, outF] (row-major), applied at every leading position. */
export function denseMap(
  kernel: Float64Array,
  bias: Float64Array | null,
  inShape: readonly number[],
  units: number,
): LinearMap {
  const inF = inShape[inShape.length - 1];
  const positions = inShape.slice(0, -1).reduce((p, d) => p * d, 1);
  const collector = new EntryCollector();
  const b = new Float64Array(positions * units);
  for (let p = 0; p < positions; p++) {
    for (let k = 0; k < units; k++) {
      if (bias) b[p * units + k] = bias[k];
      for (let j = 0; j < inF; j++)
        collector.add(p * units + k, p * inF + j, kernel[j * units + k]);
    }
  }
  return collector.build(positions * units, positions * inF, b);
}

/** Geometry shared by Conv2D, DepthwiseConv2D and pooling windows. */
export interface WindowGeometry {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: 'same' | 'valid';
}

/** Visits every (output cell, kernel tap, input cell) of a 2-D window op; padded taps are skipped. */
function forEachTap(
  inShape: readonly number[],
  g: WindowGeometry,
  visit: (outCell: number, tap: number, inCell: number) => void,
): [number, number] {
  const [h, w] = inShape;
  const gy = axisGeometry(h, g.kernel[0], g.strides[0], g.dilation[0], g.padding);
  const gx = axisGeometry(w, g.kernel[1], g.strides[1], g.dilation[1], g.padding);
  for (let oy = 0; oy < gy.outSize; oy++) {
    for (let ox = 0; ox < gx.outSize; ox++) {
      for (let ky = 0; ky < g.kernel[0]; ky++) {
        const iy = oy * g.strides[0] - gy.padBefore + ky * g.dilation[0];
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < g.kernel[1]; kx++) {
          const ix = ox * g.strides[1] - gx.padBefore + kx * g.dilation[1];
          if (ix < 0 || ix >= w) continue;
          visit(oy * gx.outSize + ox, ky * g.kernel[1] + kx, iy * w + ix);
        }
      }
    }
  }
  return [gy.outSize, gx.outSize];
}

/** Output [height, width] of a 2-D window op. */
export function windowOutput(inShape: readonly number[], g: WindowGeometry): [number, number] {
  return [
    axisGeometry(inShape[0], g.kernel[0], g.strides[0], g.dilation[0], g.padding).outSize,
    axisGeometry(inShape[1], g.kernel[1], g.strides[1], g.dilation[1], g.padding).outSize,
  ];
}

/** Conv2D unrolled: kernel [kh, kw, inC, outC] row-major, input [H, W, inC]. */
export function conv2dMap(
  kernel: Float64Array,
  bias: Float64Array | null,
  inShape: readonly number[],
  filters: number,
  g: WindowGeometry,
): LinearMap {
  const inC = inShape[2];
  const collector = new EntryCollector();
  const [oh, ow] = forEachTap(inShape, g, (outCell, tap, inCell) => {
    for (let co = 0; co < filters; co++) {
      for (let ci = 0; ci < inC; ci++) {
        collector.add(
          outCell * filters + co,
          inCell * inC + ci,
          kernel[(tap * inC + ci) * filters + co],
        );
      }
    }
  });
  const rows = oh * ow * filters;
  const b = new Float64Array(rows);
  if (bias) for (let r = 0; r < rows; r++) b[r] = bias[r % filters];
  return collector.build(rows, inShape[0] * inShape[1] * inC, b);
}

/** DepthwiseConv2D unrolled: kernel [kh, kw, C, m]; output channel c·m + q reads input channel c. */
export function depthwiseMap(
  kernel: Float64Array,
  bias: Float64Array | null,
  inShape: readonly number[],
  multiplier: number,
  g: WindowGeometry,
): LinearMap {
  const inC = inShape[2];
  const outC = inC * multiplier;
  const collector = new EntryCollector();
  const [oh, ow] = forEachTap(inShape, g, (outCell, tap, inCell) => {
    for (let c = 0; c < inC; c++) {
      for (let q = 0; q < multiplier; q++) {
        collector.add(
          outCell * outC + c * multiplier + q,
          inCell * inC + c,
          kernel[(tap * inC + c) * multiplier + q],
        );
      }
    }
  });
  const rows = oh * ow * outC;
  const b = new Float64Array(rows);
  if (bias) for (let r = 0; r < rows; r++) b[r] = bias[r % outC];
  return collector.build(rows, inShape[0] * inShape[1] * inC, b);
}

/**
 * AveragePooling2D as a matrix: weight 1/N over the N valid (non-padded) cells of each window, which
 * is what TensorFlow's 'same' average pooling divides by.
 */
export function avgPoolMap(inShape: readonly number[], g: WindowGeometry): LinearMap {
  const c = inShape[2];
  const windows = windowCells(inShape, g);
  const collector = new EntryCollector();
  windows.cells.forEach((cells, outCell) => {
    for (const inCell of cells) {
      for (let ch = 0; ch < c; ch++)
        collector.add(outCell * c + ch, inCell * c + ch, 1 / cells.length);
    }
  });
  const rows = windows.cells.length * c;
  return collector.build(rows, inShape[0] * inShape[1] * c, new Float64Array(rows));
}

/** GlobalAveragePooling2D as a matrix [C, H·W·C] with weight 1/(H·W). */
export function globalAvgPoolMap(inShape: readonly number[]): LinearMap {
  const [h, w, c] = inShape;
  const collector = new EntryCollector();
  for (let cell = 0; cell < h * w; cell++) {
    for (let ch = 0; ch < c; ch++) collector.add(ch, cell * c + ch, 1 / (h * w));
  }
  return collector.build(c, h * w * c, new Float64Array(c));
}

/** Inference BatchNormalization on the last axis as a diagonal matrix: scale = γ/√(var+ε). */
export function batchNormMap(
  inShape: readonly number[],
  gamma: Float64Array,
  beta: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
  epsilon: number,
): LinearMap {
  const c = inShape[inShape.length - 1];
  const size = inShape.reduce((p, d) => p * d, 1);
  const collector = new EntryCollector();
  const b = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const ch = i % c;
    const scale = gamma[ch] / Math.sqrt(variance[ch] + epsilon);
    collector.add(i, i, scale);
    b[i] = beta[ch] - mean[ch] * scale;
  }
  return collector.build(size, size, b);
}

/**
 * Folds an inference BatchNorm (per output channel of the previous map) into that map:
 * W' = diag(s) W, b' = s (b − mean) + β, s = γ/√(var+ε).
 */
export function foldBatchNorm(
  map: LinearMap,
  channels: number,
  gamma: Float64Array,
  beta: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
  epsilon: number,
): LinearMap {
  const scale = (row: number): number =>
    gamma[row % channels] / Math.sqrt(variance[row % channels] + epsilon);
  const weights = map.entryWeight.map((w, e) => w * scale(map.entryRow[e]));
  const bias = map.bias.map(
    (b, row) => scale(row) * (b - mean[row % channels]) + beta[row % channels],
  );
  return { ...map, entryWeight: weights, bias };
}

/** The cells of every pooling window (valid cells only, row-major within the window). */
export function windowCells(
  inShape: readonly number[],
  g: WindowGeometry,
): { cells: number[][]; outShape: [number, number] } {
  const [oh, ow] = windowOutput(inShape, g);
  const cells: number[][] = Array.from({ length: oh * ow }, () => []);
  forEachTap(inShape, g, (outCell, _tap, inCell) => cells[outCell].push(inCell));
  return { cells, outShape: [oh, ow] };
}

/** z = W a + b. */
export function applyMap(map: LinearMap, a: Float64Array): Float64Array {
  const z = Float64Array.from(map.bias);
  for (let e = 0; e < map.entryRow.length; e++)
    z[map.entryRow[e]] += map.entryWeight[e] * a[map.entryCol[e]];
  return z;
}

/** Wᵀ r over the structural entries (the transposed map, e.g. the transposed convolution). */
export function applyTransposed(map: LinearMap, r: Float64Array): Float64Array {
  const out = new Float64Array(map.cols);
  for (let e = 0; e < map.entryRow.length; e++)
    out[map.entryCol[e]] += map.entryWeight[e] * r[map.entryRow[e]];
  return out;
}

/** The dense matrix [rows][cols] of a map (for hand-checked tests and debugging). */
export function toDense(map: LinearMap): number[][] {
  const m = Array.from({ length: map.rows }, () => new Array<number>(map.cols).fill(0));
  for (let e = 0; e < map.entryRow.length; e++)
    m[map.entryRow[e]][map.entryCol[e]] += map.entryWeight[e];
  return m;
}

/** A fully connected map from a dense matrix W[row][col] and bias (for hand-checked tests). */
export function matrixMap(w: readonly (readonly number[])[], bias?: readonly number[]): LinearMap {
  const rows = w.length;
  const cols = w[0].length;
  const kernel = new Float64Array(rows * cols);
  for (let k = 0; k < rows; k++) for (let j = 0; j < cols; j++) kernel[j * rows + k] = w[k][j];
  return denseMap(kernel, bias ? Float64Array.from(bias) : null, [cols], rows);
}
