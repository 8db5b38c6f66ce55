/**
 * Weight values from shard bytes, including the quantised encodings `tensorflowjs_converter`
 * writes (`--quantize_uint8`, `--quantize_uint16`, `--quantize_float16`).
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * float32 values of one weight from its bytes (little-endian, as tfjs writes them). Affine
 * quantisation stores `q` with `value = q · scale + min`; float16 stores IEEE half floats.
 * The spec must have passed `checkWeightsManifest`, which guarantees the dtype and quantisation
 * fields read here.
 */
export function decodeWeightValues(
  spec: tf.io.WeightsManifestEntry,
  bytes: Uint8Array,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const quantization = spec.quantization;
  if (quantization === undefined) {
    const values = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
    return values;
  }
  if (quantization.dtype === 'float16') {
    const values = new Float32Array(bytes.byteLength / 2);
    for (let i = 0; i < values.length; i++) values[i] = halfToFloat(view.getUint16(2 * i, true));
    return values;
  }
  const scale = quantization.scale ?? 1;
  const min = quantization.min ?? 0;
  if (quantization.dtype === 'uint8') {
    return Float32Array.from(bytes, (q) => q * scale + min);
  }
  const values = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < values.length; i++) values[i] = view.getUint16(2 * i, true) * scale + min;
  return values;
}

/** IEEE 754 binary16 → number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal: fraction · 2^-14 / 2^10
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
