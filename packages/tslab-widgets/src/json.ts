/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * A value of widget state or comm data: JSON, extended with binary values (typed arrays, `DataView`,
 * `ArrayBuffer`) anywhere in the tree. Binary values travel as raw ZeroMQ frames, not as JSON.
 */
export type WireValue =
  | null
  | boolean
  | number
  | string
  | ArrayBuffer
  | ArrayBufferView
  | WireValue[]
  | { [key: string]: WireValue };

/** A JSON object whose values may contain binary values (see {@link WireValue}). */
export interface WireObject {
  [key: string]: WireValue;
}

/** True for plain objects (not arrays, not binary values, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  );
}

/**
 * Keys that reach the prototype machinery when written through (`obj.__proto__.x = ...` changes
 * `Object.prototype`). Data from the front end never walks or writes through them.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for `__proto__`, `constructor` and `prototype`. */
export function isPrototypeKey(key: string | number): boolean {
  return PROTOTYPE_KEYS.has(String(key));
}

/** `container[key]` when it is an own property of `container` (never an inherited one). */
export function ownValue(container: object, key: string | number): unknown {
  return Object.prototype.hasOwnProperty.call(container, key)
    ? (container as Record<string | number, unknown>)[key]
    : undefined;
}

/**
 * Sets `target[key] = value` as an own data property. Unlike an assignment, a `__proto__` key read
 * from JSON stays a plain key and never replaces the object's prototype.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
