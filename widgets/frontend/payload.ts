import type { Float32Payload } from '../src/schema';

/**
 * Reads a Float32 payload as a Float32Array. Buffers cut out by the widget protocol arrive as a
 * DataView whose byte offset need not be a multiple of 4, so unaligned views are copied.
 */
export function toFloat32(payload: Float32Payload | string): Float32Array {
  if (payload instanceof Float32Array) return payload;
  if (typeof payload === 'string') return base64ToFloat32(payload);
  if (payload instanceof ArrayBuffer) return new Float32Array(payload);
  const view = payload as ArrayBufferView;
  if (view.byteOffset % 4 === 0) {
    return new Float32Array(view.buffer, view.byteOffset, Math.floor(view.byteLength / 4));
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  return new Float32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4));
}

/** Decodes base64 little-endian Float32 bytes (the fallback HTML's encoding). */
export function base64ToFloat32(encoded: string): Float32Array {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
