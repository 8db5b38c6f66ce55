/**
 * Cells that name an earlier cell's binding through a shorthand property, a destructuring default
 * or a spread, on the real kernel (started from its kernelspec by jupyter_client). tslab 1.0.22
 * alone fails the shorthand forms (ReferenceError, or a silent write to a new global); the plugin
 * spells shorthands out before tslab converts the cell (src/kernel/shorthand-rewrite.ts).
 */
import type { WireClient } from './helpers/wire-client';
import { WireKernelSession } from './helpers/wire-kernel-session';

describe("cells naming an earlier cell's bindings", () => {
  let session: WireKernelSession;
  let client: WireClient;

  beforeAll(async () => {
    session = await WireKernelSession.start();
    client = session.client;
    await client.run(
      `const model = 41; let list = [1, 2]; const base = { a: 1 };
       let rest: Record<string, number> = {}; let tail: number[] = [];`,
    );
  });

  afterAll(async () => {
    await session?.stop();
  });

  test('the issue’s repro: a shorthand property in the next cell', async () => {
    expect(await client.run('const o = { model }; o.model')).toBe('41');
  });

  test.each([
    ['shorthand in a nested function', 'const make = () => ({ model }); make().model', '41'],
    [
      'shorthand in a class field',
      'class Holder { held = { model }; } new Holder().held.model',
      '41',
    ],
    ['shorthand beside a spread', '({ model, ...base })', '{ model: 41, a: 1 }'],
    ['shorthand in a template literal', '`${JSON.stringify({ model })}`', `'{"model":41}'`],
    ['destructuring default', 'const { absent = model } = {} as { absent?: number }; absent', '41'],
    ['parameter default', 'function pick({ z = model } = {}) { return z; } pick()', '41'],
    ['array destructuring default', 'const [first = model] = [] as number[]; first', '41'],
    ['spread of an earlier array', '[...list, model]', '[ 1, 2, 41 ]'],
    ['spread of an earlier object', '({ ...base, b: model })', '{ a: 1, b: 41 }'],
    ['spread in a call', 'Math.max(...list)', '2'],
  ])('%s', async (_name, code, expected) => {
    expect(await client.run(code)).toBe(expected);
  });

  test('destructuring assignments write to the earlier bindings, not to new globals', async () => {
    expect(await client.run('({ list } = { list: [7] }); list')).toBe('[ 7 ]');
    expect(await client.run('({ list = [9] } = {}); list')).toBe('[ 9 ]');
    expect(await client.run('({ ...rest } = { c: 3 }); rest')).toBe('{ c: 3 }');
    expect(await client.run('[...tail] = [4, 5]; tail')).toBe('[ 4, 5 ]');
    // the next cell sees the new values: they went to the kernel's bindings
    expect(await client.run('[list, rest, tail]')).toBe('[ [ 9 ], { c: 3 }, [ 4, 5 ] ]');
    expect(await client.run(`typeof (globalThis as Record<string, unknown>)['list']`)).toBe(
      "'undefined'",
    );
  });

  test('an import in a cell with a shorthand survives: the cell no longer fails', async () => {
    expect(
      await client.run(
        `import { basename } from 'path'; const named = { model, basename }; named.model`,
      ),
    ).toBe('41');
    expect(await client.run(`basename('/a/b.txt')`)).toBe("'b.txt'");
  });

  test('a syntax error is reported against the code as written', async () => {
    const { reply } = await client.execute('const broken = { model ');
    expect(reply.content['status']).toBe('error');
    expect(String(reply.content['evalue'])).toMatch(/expected/);
    expect(await client.run('model')).toBe('41');
  });
});
