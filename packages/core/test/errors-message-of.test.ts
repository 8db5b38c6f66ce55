/**
 * `messageOf`: the text the widgets' error trait and the engine's reasons show for a thrown value,
 * whatever was thrown, without throwing itself.
 */
import { EngineError, messageOf } from '../src/errors';

describe('messageOf', () => {
  it('gives an Error’s message, and any other thrown value as text', () => {
    expect(messageOf(new EngineError('no engine'))).toBe('no engine');
    expect(messageOf(new TypeError('bad type'))).toBe('bad type');
    expect(messageOf('a string')).toBe('a string');
    expect(messageOf(42)).toBe('42');
    expect(messageOf(undefined)).toBe('undefined');
    expect(messageOf(null)).toBe('null');
  });

  it('names a value with no text of its own by its type instead of throwing', () => {
    expect(messageOf(Object.create(null))).toBe('[object Object]');
    const hostile = {
      toString(): string {
        throw new Error('no text');
      },
    };
    expect(messageOf(hostile)).toBe('[object Object]');
    expect(messageOf({ ['__proto__']: null, message: 'not an Error' })).toBe('[object Object]');
  });
});
