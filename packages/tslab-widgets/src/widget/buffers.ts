import type { JsonObject, JsonValue, WireObject, WireValue } from '../json';
import { isPlainObject, isPrototypeKey, ownValue, setOwn } from '../json';

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
      setOwn(out, key, walk(item, [...path, key]));
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

/** Whether `key` names an own slot of `container` that a buffer may go through or into. */
function isOwnSlot(container: object, key: string | number): boolean {
  if (Array.isArray(container)) {
    return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < container.length;
  }
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(container, key);
}

/**
 * Puts binary buffers back into a state received from the front end, at `bufferPaths`. The state is
 * modified in place and returned. Each buffer is inserted as a `Uint8Array`.
 *
 * Paths come from the network, so they walk only the state's own properties (object keys that are
 * present, array indices within bounds) and never `__proto__`, `constructor` or `prototype`: a path
 * like `['__proto__', 'x']` must not reach `Object.prototype`. The last key of a path may name a
 * property that is not there yet (the front end cut the buffer out of the state); that property is
 * created on the object itself.
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
    const keys = path as (string | number)[];
    const refused = keys.find(isPrototypeKey);
    if (refused !== undefined) {
      throw new BufferPathError(
        `path ${JSON.stringify(keys)} contains "${refused}"; __proto__, constructor and ` +
          `prototype are never valid state keys`,
      );
    }
    let container: object = state;
    for (const key of keys.slice(0, -1)) {
      const next = isOwnSlot(container, key) ? ownValue(container, key) : undefined;
      // A buffer inserted by an earlier path is a leaf: no path goes through it.
      if (typeof next !== 'object' || next === null || isBinary(next)) {
        throw new BufferPathError(`path ${JSON.stringify(keys)} goes through a missing container`);
      }
      container = next;
    }
    const last = keys[keys.length - 1];
    if (Array.isArray(container)) {
      if (!isOwnSlot(container, last)) {
        throw new BufferPathError(
          `path ${JSON.stringify(keys)} ends at ${JSON.stringify(last)}, not an index of the list`,
        );
      }
      container[last as number] = buffers[index];
    } else if (typeof last === 'string') {
      setOwn(container, last, buffers[index]);
    } else {
      throw new BufferPathError(
        `path ${JSON.stringify(keys)} ends at the index ${last}, but that container is an object`,
      );
    }
  });
  return state as WireObject;
}
