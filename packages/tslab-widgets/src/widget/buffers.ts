import type { JsonObject, JsonValue, WireObject, WireValue } from '../json';
import { isPlainObject } from '../json';

/** A path into a state object: object keys and array indices. */
export type BufferPath = (string | number)[];

/** A state split for the wire: JSON part, where the binary values were, and their bytes. */
export interface SplitState {
  state: JsonObject;
  bufferPaths: BufferPath[];
  buffers: Uint8Array[];
}

/** Whether `value` is binary data: an ArrayBuffer or a view on one (typed array, DataView, Buffer). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The bytes of binary data, as a view (no copy). */
export function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Cuts every binary value out of `state` (widget protocol 2): a binary object property is removed,
 * a binary array element becomes `null`, and its path and bytes are returned. `state` is not
 * modified.
 */
export function removeBuffers(state: WireObject): SplitState {
  const bufferPaths: BufferPath[] = [];
  const buffers: Uint8Array[] = [];
  const walk = (value: WireValue, path: BufferPath): JsonValue => {
    if (Array.isArray(value)) {
      return value.map((item, index) => {
        if (isBinary(item)) {
          bufferPaths.push([...path, index]);
          buffers.push(bytesOf(item));
          return null;
        }
        return walk(item, [...path, index]);
      });
    }
    if (isPlainObject(value)) {
      return walkObject(value as WireObject, path);
    }
    return value as JsonValue;
  };
  const walkObject = (object: WireObject, path: BufferPath): JsonObject => {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      if (isBinary(item)) {
        bufferPaths.push([...path, key]);
        buffers.push(bytesOf(item));
        continue;
      }
      out[key] = walk(item, [...path, key]);
    }
    return out;
  };
  return { state: walkObject(state, []), bufferPaths, buffers };
}

/** Thrown when `buffer_paths` does not match the message's buffers or state. */
export class BufferPathError extends Error {
  constructor(problem: string) {
    super(`invalid buffer_paths: ${problem}`);
    this.name = 'BufferPathError';
  }
}

/**
 * Puts binary buffers back into a state received from the front end, at `bufferPaths`. The state is
 * modified in place and returned. Each buffer is inserted as a `Uint8Array`.
 */
export function insertBuffers(
  state: JsonObject,
  bufferPaths: unknown,
  buffers: readonly Uint8Array[],
): WireObject {
  if (bufferPaths === undefined || bufferPaths === null) {
    if (buffers.length > 0) {
      throw new BufferPathError(`${buffers.length} buffers came without buffer_paths`);
    }
    return state;
  }
  if (!Array.isArray(bufferPaths)) throw new BufferPathError('buffer_paths is not a list');
  if (bufferPaths.length !== buffers.length) {
    throw new BufferPathError(
      `${bufferPaths.length} paths for ${buffers.length} buffers; they must pair up one to one`,
    );
  }
  bufferPaths.forEach((path: unknown, index) => {
    if (
      !Array.isArray(path) ||
      path.length === 0 ||
      !path.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      throw new BufferPathError(`path ${index} is not a non-empty list of keys and indices`);
    }
    let container: unknown = state;
    for (const part of path.slice(0, -1)) {
      container = (container as Record<string | number, unknown> | null)?.[part];
      if (typeof container !== 'object' || container === null) {
        throw new BufferPathError(`path ${JSON.stringify(path)} goes through a missing container`);
      }
    }
    (container as Record<string | number, unknown>)[path[path.length - 1] as string | number] =
      buffers[index];
  });
  return state as WireObject;
}
