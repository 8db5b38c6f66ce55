/**
 * Requests where plain tslab 1.0.22 gets the protocol wrong, on the real kernel (started from its
 * kernelspec by jupyter_client, probed on the wire): when `busy` is published for queued cells,
 * is_complete on an open template literal, inspect on an undefined name, and cursor positions in
 * Unicode code points.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { InstalledKernelspec } from './helpers/kernelspec';
import { installKernelspecForTest } from './helpers/kernelspec';
import type { ClientMessage } from './helpers/wire-client';
import { ManagedKernel, WireClient } from './helpers/wire-client';

/** Length of `text` in Unicode code points, as the protocol counts cursor positions. */
const codePoints = (text: string): number => Array.from(text).length;

describe('protocol requests on the wire', () => {
  let spec: InstalledKernelspec;
  let kernel: ManagedKernel;
  let client: WireClient;
  let workDir: string;

  beforeAll(async () => {
    spec = installKernelspecForTest();
    workDir = mkdtempSync(join(tmpdir(), 'tslab-widgets-nb-'));
    const started = await ManagedKernel.start(spec.env, workDir);
    kernel = started.kernel;
    client = await WireClient.connect(started.connection);
  });

  afterAll(async () => {
    client?.close();
    if (kernel) await kernel.shutdown();
    spec?.cleanup();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function request(msgType: string, content: object): Promise<Record<string, unknown>> {
    return (await client.reply(await client.send('shell', msgType, content))).content;
  }

  test('queued cells publish busy when they start, not when they arrive', async () => {
    const first = client.execute(
      `await new Promise((resolve) => setTimeout(resolve, 300)); 'first'`,
    );
    const second = client.execute(`'second'`);
    const third = client.execute(`'third'`);
    const [a, b, c] = await Promise.all([first, second, third]);
    const ids = [a, b, c].map((run) => run.reply.parent_header.msg_id as string);
    const statuses = client.received
      .filter(
        (m: ClientMessage) =>
          m.channel === 'iopub' &&
          m.header.msg_type === 'status' &&
          ids.includes(m.parent_header.msg_id as string),
      )
      .map(
        (m) => `${ids.indexOf(m.parent_header.msg_id as string)}:${m.content['execution_state']}`,
      );
    // Each cell's busy comes after the previous cell's idle: the status is busy exactly while a
    // cell runs (plain tslab published all three busy at once, then read idle after the first).
    expect(statuses).toEqual(['0:busy', '0:idle', '1:busy', '1:idle', '2:busy', '2:idle']);
    expect([a, b, c].map((run) => run.reply.content['status'])).toEqual(['ok', 'ok', 'ok']);
  });

  test.each([
    ['const s = `abc', 'incomplete'],
    ['const s = `a${1}b', 'incomplete'],
    ['f(`line one', 'incomplete'],
    ['const s = `done`', 'complete'],
    ['function f() {', 'incomplete'],
    ['1 +* 2', 'invalid'],
  ])('is_complete %j is %s', async (code, status) => {
    expect((await request('is_complete_request', { code }))['status']).toBe(status);
  });

  test('inspect on an undefined name answers found: false', async () => {
    await client.run('const defined = 1;');
    for (const code of ['notDefinedAnywhere', 'Math.notAMethod']) {
      expect(
        await request('inspect_request', { code, cursor_pos: code.length, detail_level: 0 }),
      ).toEqual({ status: 'ok', found: false, data: {}, metadata: {} });
    }
    const found = await request('inspect_request', {
      code: 'defined',
      cursor_pos: 3,
      detail_level: 0,
    });
    expect(found['found']).toBe(true);
    expect((found['data'] as Record<string, string>)['text/plain']).toMatch(/defined/);
  });

  test('completion cursor positions count code points, emoji before the cursor included', async () => {
    const code = `const faces = '😀😀😀'; Math.fl`;
    const reply = await request('complete_request', { code, cursor_pos: codePoints(code) });
    expect(reply['matches']).toContain('floor');
    expect([reply['cursor_start'], reply['cursor_end']]).toEqual([
      codePoints(code) - 2,
      codePoints(code),
    ]);
  });

  test('inspect cursor positions count code points, emoji before the cursor included', async () => {
    const code = `const smile = '😀😀😀'; Math.max`;
    const reply = await request('inspect_request', {
      code,
      cursor_pos: codePoints(code) - 1, // inside "max"
      detail_level: 0,
    });
    expect(reply['found']).toBe(true);
    expect((reply['data'] as Record<string, string>)['text/plain']).toMatch(/Math\.max/);
  });
});
