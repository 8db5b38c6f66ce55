import type { StructuralOp } from '../graph/graph';

/** Dropout, noise layers and other inference-time identities. */
export const IDENTITY: StructuralOp = {
  kind: 'structural',
  forward: (x) => x,
  backward: (r) => r,
};

/** Flatten and Reshape: relevance is reshaped back. */
export function reshapeOp(targetShape: readonly number[]): StructuralOp {
  return {
    kind: 'structural',
    forward: (x) => x.reshape([x.shape[0], ...targetShape]),
    backward: (r, inputShape) => r.reshape(inputShape as number[]),
  };
}

/** Permute (Keras dims are 1-based, the batch axis stays first). */
export function permuteOp(dims: readonly number[]): StructuralOp {
  const forwardPerm = [0, ...dims];
  const inversePerm = forwardPerm.map((_, i) => forwardPerm.indexOf(i));
  return {
    kind: 'structural',
    forward: (x) => x.transpose(forwardPerm),
    backward: (r) => r.transpose(inversePerm),
  };
}

/** ZeroPadding2D: the padded cells carry no relevance back. */
export function zeroPaddingOp(
  pad: readonly [readonly [number, number], readonly [number, number]],
): StructuralOp {
  return {
    kind: 'structural',
    forward: (x) => x.pad([[0, 0], [...pad[0]], [...pad[1]], [0, 0]] as [number, number][]),
    backward: (r, inputShape) =>
      r.slice(
        [0, pad[0][0], pad[1][0], 0],
        [inputShape[0], inputShape[1], inputShape[2], inputShape[3]],
      ),
  };
}

/** Cropping2D: cropped cells get zero relevance. */
export function croppingOp(
  crop: readonly [readonly [number, number], readonly [number, number]],
): StructuralOp {
  return {
    kind: 'structural',
    forward: (x) => {
      const [batch, height, width, channels] = x.shape as number[];
      return x.slice(
        [0, crop[0][0], crop[1][0], 0],
        [batch, height - crop[0][0] - crop[0][1], width - crop[1][0] - crop[1][1], channels],
      );
    },
    backward: (r) => r.pad([[0, 0], [...crop[0]], [...crop[1]], [0, 0]] as [number, number][]),
  };
}
