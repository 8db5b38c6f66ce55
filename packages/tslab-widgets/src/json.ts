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
