/**
 * `record[key]` when `key` is the record's own property, else `undefined`: never an
 * `Object.prototype` member (`toString`, `constructor`, `__proto__`). For lookups by a name that
 * comes from a user or a message (rule names, presets, composite entries, recipes).
 */
export function ownValue<T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
