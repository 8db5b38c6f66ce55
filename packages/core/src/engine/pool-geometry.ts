/**
 * The pooling geometry the addon's pooling kernels read (`readPoolGeometry` in
 * native/onednn-kernels.cc), in its order: `[n, h, w, c, oh, ow, kh, kw, strideH, strideW,
 * padTop, padLeft]`.
 */
export function poolGeometry(
  inShape: readonly number[],
  outShape: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padBefore: readonly [number, number],
): number[] {
  return [...inShape, ...outShape, ...kernel, ...strides, ...padBefore];
}

/**
 * Whether every window of the pooling has at least one cell of the input: with padding of a
 * window's size or more (a numeric pad, explicit padding), some windows lie wholly in it.
 */
export function everyWindowTouchesInput(
  inSize: readonly [number, number],
  outSize: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padBefore: readonly [number, number],
): boolean {
  return [0, 1].every(
    (axis) =>
      padBefore[axis] < kernel[axis] &&
      (outSize[axis] - 1) * strides[axis] - padBefore[axis] < inSize[axis],
  );
}
