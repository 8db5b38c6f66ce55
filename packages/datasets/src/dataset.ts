/**
 * The in-memory shape every loader returns: images as one flat float array per split (NHWC, values in
 * [0, 1]) plus integer labels. Plain typed arrays keep a loaded dataset cheap to hold; tensors are made
 * on demand for the slice a caller needs (see `toTensors`).
 */

/** One split (train or test) of a labelled image dataset. */
export interface DatasetSplit {
  /** Pixel values in [0, 1], NHWC order, length `count · height · width · channels`. */
  readonly images: Float32Array;
  /** Class index per image, length `count`. */
  readonly labels: Int32Array;
  /** Number of images. */
  readonly count: number;
}

/** A labelled image dataset with a fixed train/test split. */
export interface LabelledImageDataset {
  /** Short identifier, e.g. `mnist`. */
  readonly name: string;
  /** Human-readable class names, indexed by label. */
  readonly classNames: readonly string[];
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Channels per pixel (1 = grey, 3 = RGB). */
  readonly channels: number;
  /** The training split. */
  readonly train: DatasetSplit;
  /** The test split (never used for training). */
  readonly test: DatasetSplit;
  /** Where the data was read from and how the split was made. */
  readonly source: string;
}
