import type { JsonValue, WireValue } from '../json';
import { isPlainObject, ownValue } from '../json';
import { bytesOf, isBinary } from './buffers';

/** Thrown by a trait validator when a value from the front end has the wrong type or range. */
export class TraitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraitError';
  }
}

/**
 * Checks and converts a value that arrived from the front end into the trait's type, or throws
 * {@link TraitError} saying what was expected.
 */
export type TraitValidator<T> = (value: unknown) => T;

/** Validators for some or all traits of a state type `S`. */
export type TraitValidators<S> = { [K in keyof S]?: TraitValidator<S[K]> };

/**
 * How a trait whose kernel value is not wire data travels: `toWire` turns the kernel value into
 * JSON (binary values allowed) for every message to the front end; `fromWire` turns a value from
 * the front end back into the kernel type (throw {@link TraitError} to refuse it). Without
 * `fromWire` the value is taken as it came (and checked by the trait's validator, if any).
 */
export interface TraitSerializer<T> {
  toWire(value: T): WireValue;
  fromWire?(value: unknown): T;
}

/** Serializers for some or all traits of a state type `S`. */
export type TraitSerializers<S> = { [K in keyof S]?: TraitSerializer<S[K]> };

/**
 * Who may change each trait of a state type `S`: `'kernel'` (read-only for the front end) or
 * `'both'`. Every trait must be named, optional ones too, so a trait added to `S` later does not
 * compile until someone decides who owns it.
 */
export type TraitOwnership<S> = { [K in keyof Required<S>]: 'kernel' | 'both' };

/** The traits `ownership` gives to the kernel alone: the `readOnly` option of a widget. */
export function kernelOwned<S>(ownership: TraitOwnership<S>): (keyof S)[] {
  return (Object.keys(ownership) as (keyof S)[]).filter((name) => ownership[name] === 'kernel');
}

/** Constructors of the typed arrays that travel as binary buffers. */
export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (ArrayBuffer.isView(value)) return `binary (${value.constructor.name})`;
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value;
}

/** Ready-made validators for common trait types. */
export const traits = {
  /** A finite number, optionally an integer and within [min, max]. */
  number(options: { min?: number; max?: number; integer?: boolean } = {}): TraitValidator<number> {
    return (value) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TraitError(`expected a finite number, got ${describe(value)}`);
      }
      if (options.integer && !Number.isInteger(value)) {
        throw new TraitError(`expected an integer, got ${value}`);
      }
      if (options.min !== undefined && value < options.min) {
        throw new TraitError(`expected a number >= ${options.min}, got ${value}`);
      }
      if (options.max !== undefined && value > options.max) {
        throw new TraitError(`expected a number <= ${options.max}, got ${value}`);
      }
      return value;
    };
  },
  /** A string. */
  string(): TraitValidator<string> {
    return (value) => {
      if (typeof value !== 'string')
        throw new TraitError(`expected a string, got ${describe(value)}`);
      return value;
    };
  },
  /** A boolean. */
  boolean(): TraitValidator<boolean> {
    return (value) => {
      if (typeof value !== 'boolean') {
        throw new TraitError(`expected true or false, got ${describe(value)}`);
      }
      return value;
    };
  },
  /** One of the given strings. */
  oneOf<T extends string>(choices: readonly T[]): TraitValidator<T> {
    return (value) => {
      if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
        throw new TraitError(`expected one of ${choices.join(', ')}, got ${describe(value)}`);
      }
      return value as T;
    };
  },
  /** `null` or a value accepted by `inner`. */
  nullable<T>(inner: TraitValidator<T>): TraitValidator<T | null> {
    return (value) => (value === null ? null : inner(value));
  },
  /** A list whose items `item` accepts. */
  listOf<T>(item: TraitValidator<T>): TraitValidator<T[]> {
    return (value) => {
      if (!Array.isArray(value)) throw new TraitError(`expected a list, got ${describe(value)}`);
      return value.map((entry, index) => {
        try {
          return item(entry);
        } catch (error) {
          throw new TraitError(`item ${index}: ${(error as Error).message}`);
        }
      });
    };
  },
  /** An object with exactly these validated fields (extra fields are dropped). */
  object<T>(fields: { [K in keyof T]: TraitValidator<T[K]> }): TraitValidator<T> {
    return (value) => {
      if (!isPlainObject(value)) throw new TraitError(`expected an object, got ${describe(value)}`);
      const out = {} as T;
      for (const key of Object.keys(fields) as (keyof T)[]) {
        try {
          // Only the object's own fields: `constructor` must not read Object.prototype's.
          out[key] = fields[key](ownValue(value, key as string));
        } catch (error) {
          throw new TraitError(`field ${String(key)}: ${(error as Error).message}`);
        }
      }
      return out;
    };
  },
  /** Any JSON value (checked to be JSON-serializable data). */
  json(): TraitValidator<JsonValue> {
    return (value) => {
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
        throw new TraitError(`expected JSON data, got ${describe(value)}`);
      }
      return value as JsonValue;
    };
  },
  /**
   * A typed array of the given kind, received as a binary buffer. The bytes are copied into a new,
   * correctly aligned array; a byte length that is not a multiple of the element size is rejected.
   */
  typedArray<C extends TypedArrayConstructor>(ctor: C): TraitValidator<InstanceType<C>> {
    return (value) => {
      if (!isBinary(value)) {
        throw new TraitError(`expected binary data (${ctor.name}), got ${describe(value)}`);
      }
      const bytes = bytesOf(value);
      if (bytes.byteLength % ctor.BYTES_PER_ELEMENT !== 0) {
        throw new TraitError(
          `expected ${ctor.name} data, but ${bytes.byteLength} bytes is not a multiple of ` +
            `${ctor.BYTES_PER_ELEMENT}`,
        );
      }
      const copy = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(copy).set(bytes);
      return new ctor(copy) as InstanceType<C>;
    };
  },
};
