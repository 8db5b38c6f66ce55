import { createRequire } from 'module';
import type { CellParser } from '../src/kernel/cell-parser';
import { rewriteCell } from '../src/kernel/cell-rewrite';
import { guardLoops, LOOP_GUARD } from '../src/kernel/loop-guard';
import { expandShorthandProperties } from '../src/kernel/shorthand-rewrite';

// tslab's own TypeScript, as the kernel uses it.
const parser = createRequire(require.resolve('tslab'))('@tslab/typescript-for-tslab') as CellParser;
const GUARD = `(globalThis as any).${LOOP_GUARD}?.();`;

describe('expandShorthandProperties', () => {
  const expand = (code: string) => rewriteCell(code, parser, [expandShorthandProperties(parser)]);

  test.each([
    ['const o = { model };', 'const o = { model: model };'],
    ['({ a, b = 2 } = other);', '({ a: a, b: b = 2 } = other);'],
    ['f({ x, ...rest }, { y })', 'f({ x: x, ...rest }, { y: y })'],
    ['const g = () => ({ m\\u0061x });', 'const g = () => ({ m\\u0061x: max });'],
    ['`${ { t }.t }`', '`${ { t: t }.t }`'],
  ])('%s', (code, expected) => {
    expect(expand(code)).toBe(expected);
  });

  test('code without shorthands, and code that does not parse, come back unchanged', () => {
    const plain = 'const { a = b } = c; [...d]; ({ e: e }); // { f }\n"{ g }"';
    expect(expand(plain)).toBe(plain);
    const broken = 'const o = { model ';
    expect(expand(broken)).toBe(broken);
  });
});

describe('guardLoops', () => {
  const guard = (code: string) => rewriteCell(code, parser, [guardLoops(parser)]);

  test.each([
    ['while (true) {}', `while (true) { ${GUARD}}`],
    ['while (c) x++;', `while (c) { ${GUARD} x++; }`],
    ['do x++; while (c)', `do { ${GUARD} x++; } while (c)`],
    ['for (;;) { a(); }', `for (;;) { ${GUARD} a(); }`],
    ['for (const k in o) f(k);', `for (const k in o) { ${GUARD} f(k); }`],
    ['for await (const v of s) {}', `for await (const v of s) { ${GUARD}}`],
    ['while (a) while (b) x++;', `while (a) { ${GUARD} while (b) { ${GUARD} x++; } }`],
  ])('%s', (code, expected) => {
    expect(guard(code)).toBe(expected);
  });

  test('the rewritten cells still parse; code without loops is unchanged', () => {
    for (const code of ['label: for (;;) { continue label; }', 'if (a) while (b) c();']) {
      const rewritten = guard(code);
      expect(rewritten).not.toBe(code);
      expect(rewriteCell(rewritten, parser, [])).toBe(rewritten);
      const parsed = parser.createSourceFile(
        'c.ts',
        rewritten,
        parser.ScriptTarget.Latest,
        false,
        parser.ScriptKind.TS,
      );
      expect(parsed.parseDiagnostics ?? []).toEqual([]);
    }
    expect(guard('const a = [1].map((x) => x);')).toBe('const a = [1].map((x) => x);');
  });
});
