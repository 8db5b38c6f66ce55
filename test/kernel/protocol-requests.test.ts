/**
 * Requests where plain tslab 1.0.22 gets the protocol wrong, on the real kernel (started from its
 * kernelspec by jupyter_client, probed on the wire): when `busy` is published for queued cells,
 * is_complete on an open template literal, inspect on an undefined name, cursor positions in
 * Unicode code points, and SIGINT (through jupyter_client) for loops that run after an `await`.
 */
import type { ClientMessage, ManagedKernel, WireClient } from './helpers/wire-client';
import { WireKernelSession } from './helpers/wire-kernel-session';

/** Length of `text` in Unicode code points, as the protocol counts cursor positions. */
const codePoints = (text: string): number => Array.from(text).length;

describe('protocol requests on the wire', () => {
  let session: WireKernelSession;
  let kernel: ManagedKernel;
  let client: WireClient;

  beforeAll(async () => {
    session = await WireKernelSession.start();
    ({ kernel, client } = session);
  });

  afterAll(async () => {
    await session?.stop();
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

  let marker = 0;
  /**
   * Runs `code` after a `console.log` of a unique marker, interrupts the kernel (SIGINT through
   * jupyter_client) once the marker arrived, and returns the cell's error reply. The marker is sent
   * after the cell's synchronous part (tslab's `vm` call, whose own SIGINT handling is Node's) has
   * returned: a SIGINT that lands inside a `vm` call which then finishes normally is lost, in plain
   * tslab as here.
   */
  async function interrupted(code: string): Promise<Record<string, unknown>> {
    const started = `started-${++marker}`;
    const cell = client.execute(`console.log('${started}'); ${code}`);
    await client.waitFor(
      (m) => m.header.msg_type === 'stream' && String(m.content['text']).includes(started),
    );
    await kernel.interrupt();
    const { reply } = await cell;
    expect(reply.content['status']).toBe('error');
    return reply.content;
  }

  test.each([
    ['await null; while (true) {}'],
    ['await null; for (;;) {}'],
    ['await null; let spins = 0; do spins++; while (true)'],
    ['await null; for (const _ of (function* () { while (true) yield 1; })()) {}'],
  ])('SIGINT interrupts a loop that runs after an await: %s', async (code) => {
    const error = await interrupted(code);
    expect(error['ename']).toBe('CellInterruptedError');
    expect(String(error['evalue'])).toMatch(/Interrupted/);
    // the traceback shows the cell, not the kernel's loop guard
    expect((error['traceback'] as string[]).join('\n')).not.toMatch(/tslab-widgets[\\/]dist/);
    expect(await client.run('6 * 7')).toBe('42');
  });

  test('a loop that starts after its cell was interrupted while awaiting stops too', async () => {
    // The interrupt ends the cell while it awaits; the rest of the cell still runs afterwards,
    // and its loop must not take the kernel with it.
    const error = await interrupted(
      `await new Promise((resolve) => setTimeout(resolve, 200)); console.log('looping'); while (true) {}`,
    );
    expect(String(error['evalue'])).toMatch(/Interrupted asynchronously/);
    // 'looping' is sent once the event loop runs again: after the loop was entered and stopped.
    await client.waitFor(
      (m) => m.header.msg_type === 'stream' && String(m.content['text']).includes('looping'),
    );
    expect(await client.run('6 * 7')).toBe('42');
  });

  test('SIGINT still interrupts a loop before any await', async () => {
    const code = 'while (true) {}';
    const cell = client.execute(code);
    await client.waitFor(
      (m) => m.header.msg_type === 'execute_input' && m.content['code'] === code,
    );
    // As a user would, interrupt again when a first interrupt changed nothing. Once in a CI run
    // the first one did not end the loop (not reproduced since; a signal landing while Node swaps
    // the process's SIGINT handlers around tslab's vm call is a candidate cause). The kernel must
    // stay alive, and the log says when a second interrupt was needed.
    let replied = false;
    void cell.then(
      () => (replied = true),
      () => (replied = true),
    );
    for (let attempt = 1; !replied && attempt <= 3; attempt++) {
      if (attempt > 1) {
        expect(await kernel.alive()).toBe(true);
        console.log(`interrupt ${attempt} sent: the previous one did not end the loop`);
      }
      await kernel.interrupt();
      for (let waited = 0; !replied && waited < 10_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const { reply } = await cell;
    expect(reply.content['status']).toBe('error');
    expect(String(reply.content['evalue'])).toMatch(/interrupted/i);
    expect(await client.run('6 * 7')).toBe('42');
  });

  test('SIGINT still interrupts a pending await, and leaves no interrupt behind', async () => {
    expect(String((await interrupted('await new Promise(() => undefined)'))['evalue'])).toMatch(
      /Interrupted asynchronously/,
    );
    // the next cell's loops run: the interrupt ended with the cell it was for
    expect(await client.run('await null; let i = 0; while (i < 3) i++; i')).toBe('3');
  });

  test('loops run as written when nobody interrupts them', async () => {
    expect(await client.run('let total = 0; for (const x of [1, 2, 3]) total += x; total')).toBe(
      '6',
    );
    expect(
      await client.run(
        'await null; let n = 0; outer: for (let i = 0; i < 5; i++) { for (const j of [1, 2]) { if (i === 3) continue outer; n += j; } } n',
      ),
    ).toBe('12');
    expect(await client.run('let k = 0; while (k < 1000) k++; do k--; while (k > 10); k')).toBe(
      '10',
    );
  });
});
