/**
 * The saved form of a widget state: binary values as base64 strings, the form the text/html
 * fallback embeds and the front end's read-only model decodes (`toFloat32`, `toBytes`).
 */
import { setOwn, type JsonValue, type WireObject, type WireValue } from 'tslab-widgets';

/** base64 of the bytes of a binary value (every supported platform is little-endian). */
export function bytesToBase64(value: ArrayBufferView | ArrayBuffer): string {
  const bytes = ArrayBuffer.isView(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : Buffer.from(value);
  return bytes.toString('base64');
}

/** Replaces every binary value in `value` by its base64 string. */
export function savedState(value: WireValue): JsonValue {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return bytesToBase64(value);
  if (Array.isArray(value)) return value.map(savedState);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    // setOwn: a `__proto__` key from a front end's JSON stays a key, never the object's prototype.
    for (const [key, item] of Object.entries(value)) setOwn(out, key, savedState(item));
    return out;
  }
  return value;
}

/**
 * What a view needs of a widget's full state, saved: every trait but the protocol's and the
 * anywidget ones (`_model_*`, `_view_*`, `_esm`, `_plotly`: names starting with `_`).
 *
 * @param fullState - a widget state (`Widget.fullState()` or a state interface of the schema):
 *   its values are JSON or binary, whatever its declared type
 */
export function savedViewState(fullState: object): JsonValue {
  const traits: WireObject = {};
  for (const [key, value] of Object.entries(fullState) as [string, WireValue | undefined][])
    if (!key.startsWith('_') && value !== undefined) setOwn(traits, key, value);
  return savedState(traits);
}
