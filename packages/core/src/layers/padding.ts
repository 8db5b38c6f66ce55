/**
 * TensorFlow's padding for one spatial axis. `'same'` puts the extra cell at the end (bottom/right),
 * exactly as TensorFlow and tfjs do, so the engine reproduces the layer's own forward pass.
 */
export function axisPadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  mode: 'same' | 'valid',
): [number, number] {
  if (mode === 'valid') return [0, 0];
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Spatial output size of a windowed op with explicit padding. */
export function outputSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: readonly [number, number],
): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((size + pad[0] + pad[1] - effective) / stride) + 1;
}
