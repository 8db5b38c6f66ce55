import { createRequire } from 'module';
import { expandShorthandProperties } from '../src/kernel/shorthand-rewrite';
import type { ShorthandParser } from '../src/kernel/shorthand-rewrite';

// tslab's own TypeScript, as the kernel uses it.
const parser = createRequire(require.resolve('tslab'))(
  '@tslab/typescript-for-tslab',
) as ShorthandParser;

describe('expandShorthandProperties', () => {
  test.each([
    ['const o = { model };', 'const o = { model: model };'],
    ['({ a, b = 2 } = other);', '({ a: a, b: b = 2 } = other);'],
    ['f({ x, ...rest }, { y })', 'f({ x: x, ...rest }, { y: y })'],
    ['const g = () => ({ m\\u0061x });', 'const g = () => ({ m\\u0061x: max });'],
    ['`${ { t }.t }`', '`${ { t: t }.t }`'],
  ])('%s', (code, expected) => {
    expect(expandShorthandProperties(code, parser)).toBe(expected);
  });

  test('code without shorthands, and code that does not parse, come back unchanged', () => {
    const plain = 'const { a = b } = c; [...d]; ({ e: e }); // { f }\n"{ g }"';
    expect(expandShorthandProperties(plain, parser)).toBe(plain);
    const broken = 'const o = { model ';
    expect(expandShorthandProperties(broken, parser)).toBe(broken);
  });
});
