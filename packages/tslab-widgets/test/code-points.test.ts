import { codePointOffset, utf16Offset } from '../src/kernel/code-points';

describe('code point and UTF-16 positions', () => {
  const text = 'a😀b😀😀c';

  test('round trip at every code point position', () => {
    const units = [0, 1, 3, 4, 6, 8, 9];
    units.forEach((unit, codePoint) => {
      expect(utf16Offset(text, codePoint)).toBe(unit);
      expect(codePointOffset(text, unit)).toBe(codePoint);
    });
  });

  test('positions past the end are clamped; plain ASCII is unchanged', () => {
    expect(utf16Offset(text, 100)).toBe(text.length);
    expect(codePointOffset(text, 100)).toBe(6);
    expect(utf16Offset('Math.max', 5)).toBe(5);
    expect(codePointOffset('Math.max', 5)).toBe(5);
  });

  test('a lone surrogate counts as one code point', () => {
    const broken = 'x\ud83dy';
    expect(utf16Offset(broken, 2)).toBe(2);
    expect(codePointOffset(broken, 3)).toBe(3);
  });
});
