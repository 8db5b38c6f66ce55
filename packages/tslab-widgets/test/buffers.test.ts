import type { JsonObject } from '../src';
import { BufferPathError, insertBuffers } from '../src';

/** A state as the wire decoder makes it: JSON.parse keeps `__proto__` as a plain own key. */
const parsed = (json: string): JsonObject => JSON.parse(json) as JsonObject;

describe('insertBuffers', () => {
  const bytes = () => new Uint8Array([1, 2, 3]);

  afterEach(() => {
    // Whatever a test did, nothing may have reached the shared prototypes.
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(Array.prototype, 'x')).toBe(false);
    expect(String({})).toBe('[object Object]');
  });

  test('puts buffers at object keys and list indices, creating the last key', () => {
    const state = insertBuffers(
      parsed('{"a": {"b": null}, "list": [null, {"c": 1}]}'),
      [['a', 'b'], ['list', 0], ['list', 1, 'd'], ['top']],
      [bytes(), bytes(), bytes(), bytes()],
    );
    expect((state['a'] as Record<string, unknown>)['b']).toEqual(bytes());
    expect((state['list'] as unknown[])[0]).toEqual(bytes());
    expect((state['list'] as Record<string, unknown>[])[1]['d']).toEqual(bytes());
    expect(state['top']).toEqual(bytes());
  });

  test.each([
    [['__proto__', 'x']],
    [['constructor', 'prototype', 'x']],
    [['__proto__']],
    [['a', 'constructor']],
    [['prototype']],
    [['toString', 'x']],
    [['list', 'length']],
    [['list', 5]],
    [['list', '0', 'x']],
    [['a', 0]],
  ])('refuses the path %j', (path) => {
    const state = parsed('{"a": {}, "list": [{}]}');
    expect(() => insertBuffers(state, [path], [bytes()])).toThrow(BufferPathError);
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(state['a'])).toBe(Object.prototype);
  });

  test('a __proto__ path is refused even when the state has an own __proto__ key', () => {
    const state = parsed('{"__proto__": {"inner": 1}}');
    expect(() => insertBuffers(state, [['__proto__', 'x']], [bytes()])).toThrow(
      /contains "__proto__"/,
    );
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
  });

  test('paths and buffers must pair up', () => {
    expect(() => insertBuffers({}, [], [bytes()])).toThrow(BufferPathError);
    expect(() => insertBuffers({}, undefined, [bytes()])).toThrow(/without buffer_paths/);
    expect(() => insertBuffers({}, 'a', [])).toThrow(/not a list/);
    expect(() => insertBuffers({}, [[]], [bytes()])).toThrow(/non-empty list/);
  });
});
