import type { BytePayload, Float32Payload, ImageState } from '../src/schema';
import { bytesToValues } from '../src/quantise';

/** Decodes base64 (the saved state's encoding of binary values) to bytes. */
export function base64ToBytes(encoded: string): Uint8Array {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads a byte payload (buffer, view or base64 string) as a Uint8Array. */
export function toBytes(payload: BytePayload): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === 'string') return base64ToBytes(payload);
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
}

/**
 * Reads a Float32 payload as a Float32Array. Buffers cut out by the widget protocol arrive as a
 * DataView whose byte offset need not be a multiple of 4, so unaligned views are copied.
 */
export function toFloat32(payload: Float32Payload): Float32Array {
  if (payload instanceof Float32Array) return payload;
  const bytes = toBytes(payload);
  if (bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  }
  const copy = bytes.slice();
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

/** The pixel values of an input image (sent as 8-bit levels over its range). */
export function imageValues(image: ImageState): Float32Array {
  return bytesToValues(toBytes(image.data), image.range);
}
