/**
 * Hostile and heavy traffic against the tslab-widgets kernel (started from its kernelspec by
 * jupyter_client): malformed comm messages, unknown comm ids and targets, bad / missing / replayed
 * signatures, broken framing, and 1,000 rapid widget updates. The kernel must stay alive, answer
 * every well-formed message and not grow its heap beyond a stated bound.
 */
import type { ClientMessage, ManagedKernel, WireClient } from './helpers/wire-client';
import { WireKernelSession } from './helpers/wire-kernel-session';

/** Heap growth allowed over 1,000 updates of 1 KiB each (measured after a full GC). */
const HEAP_GROWTH_BOUND_BYTES = 8 * 1024 * 1024;
const RAPID_UPDATES = 1000;
/** Stdin traffic: 4,000 messages of 60 KiB (240 MB) would stay in memory if they piled up. */
const STDIN_MESSAGES = 4000;
const STDIN_MESSAGE_BYTES = 60 * 1024;
/** Far below what was sent: what stays is allocator slack, whatever the traffic. */
const STDIN_RSS_BOUND_BYTES = 96 * 1024 * 1024;

const SETUP = `
const tw = require('tslab-widgets');
require('v8').setFlagsFromString('--expose-gc');
const collectGarbage: () => void = require('vm').runInNewContext('gc');
function heapAfterGc(): number { collectGarbage(); collectGarbage(); return process.memoryUsage().heapUsed; }
class Sink extends tw.Widget<{ value: number; payload: Uint8Array }> {
  constructor() {
    super({
      model: { module: 'sink-widgets', version: '^1.0.0', name: 'SinkModel' },
      state: { value: -1, payload: new Uint8Array(0) },
      traits: { value: tw.traits.number({ integer: true }), payload: tw.traits.typedArray(Uint8Array) },
    });
  }
}
const sink = new Sink();
const seen: number[] = [];
sink.observe('value', ({ newValue }: { newValue: number }) => { seen.push(newValue); });
sink.modelId
`;

/** Waits (up to 30 s) until the text read by `current` matches every pattern; returns it. */
async function stderrMatching(current: () => string, patterns: readonly RegExp[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !patterns.every((p) => p.test(current()))) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return current();
}

describe('kernel robustness', () => {
  let session: WireKernelSession;
  let kernel: ManagedKernel;
  let client: WireClient;
  let sinkId: string;

  beforeAll(async () => {
    session = await WireKernelSession.start();
    ({ kernel, client } = session);
    sinkId = JSON.parse(((await client.run(SETUP)) as string).replace(/'/g, '"')) as string;
  });

  afterAll(async () => {
    await session?.stop();
  });

  /** Sends a signed shell message and returns the IOPub messages it caused (busy ... idle). */
  async function answered(msgType: string, content: unknown, buffers: Uint8Array[] = []) {
    const id = await client.send('shell', msgType, content, { buffers });
    const iopub = await client.iopubOf(id);
    const states = iopub
      .filter((m) => m.header.msg_type === 'status')
      .map((m) => m.content['execution_state']);
    expect(states).toEqual(['busy', 'idle']);
    return iopub;
  }

  const errorsIn = (iopub: ClientMessage[]) =>
    iopub.filter((m) => m.header.msg_type === 'error').map((m) => String(m.content['evalue']));

  test.each([
    ['content is a list', 'comm_msg', []],
    ['content is a string', 'comm_msg', 'hello'],
    ['no comm_id', 'comm_msg', { data: { method: 'update', state: {} } }],
    ['empty comm_id', 'comm_msg', { comm_id: '', data: {} }],
    ['data is a number', 'comm_msg', { comm_id: 'x', data: 3 }],
    ['comm_open without target_name', 'comm_open', { comm_id: 'y', data: {} }],
    ['comm_close without comm_id', 'comm_close', { data: {} }],
  ])('malformed comm message (%s) is reported, kernel answers', async (_name, type, content) => {
    const iopub = await answered(type, content);
    expect(errorsIn(iopub)).toEqual([expect.stringMatching(/malformed/)]);
  });

  test.each([
    ['state is not an object', { method: 'update', state: 5 }, []],
    ['more buffers than paths', { method: 'update', state: {}, buffer_paths: [] }, [1]],
    [
      'path through a missing key',
      { method: 'update', state: {}, buffer_paths: [['a', 'b']] },
      [1],
    ],
    ['unknown method', { method: 'explode' }, []],
  ])('malformed widget message (%s) is reported', async (_name, data, buffers) => {
    const iopub = await answered(
      'comm_msg',
      { comm_id: sinkId, data },
      buffers.map((n) => new Uint8Array(n)),
    );
    expect(errorsIn(iopub)).toHaveLength(1);
  });

  test('unknown comm ids and targets are answered with comm_close', async () => {
    const toUnknown = await answered('comm_msg', { comm_id: 'no-such-comm', data: {} });
    expect(toUnknown.find((m) => m.header.msg_type === 'comm_close')?.content).toEqual({
      comm_id: 'no-such-comm',
      data: {},
    });
    await answered('comm_close', { comm_id: 'no-such-comm', data: {} });
    const unknownTarget = await answered('comm_open', {
      comm_id: 'c1',
      target_name: 'no.such.target',
      data: {},
    });
    expect(unknownTarget.find((m) => m.header.msg_type === 'comm_close')?.content).toEqual({
      comm_id: 'c1',
      data: {},
    });
  });

  test('bad, missing and replayed signatures and broken frames are dropped and logged', async () => {
    const bad = await client.send('shell', 'kernel_info_request', {}, { signing: 'bad' });
    const unsigned = await client.send('shell', 'kernel_info_request', {}, { signing: 'none' });
    const badComm = await client.send(
      'shell',
      'comm_msg',
      { comm_id: sinkId, data: { method: 'update', state: { value: 123456 } } },
      { signing: 'bad' },
    );
    // A correctly signed message, then the very same frames again (a replay).
    const header = {
      msg_id: 'replayed-message',
      session: 's',
      username: 'u',
      date: new Date().toISOString(),
      msg_type: 'kernel_info_request',
      version: '5.3',
    };
    const parts = [header, {}, {}, {}].map((p) => Buffer.from(JSON.stringify(p)));
    const frames = [Buffer.from('<IDS|MSG>'), Buffer.from(client.sign(parts)), ...parts];
    await client.sendFrames('shell', frames);
    await client.sendFrames('shell', frames);
    await client.sendFrames('shell', [Buffer.from('no delimiter at all')]);
    const notJson = [Buffer.from('{'), Buffer.from('{}'), Buffer.from('{}'), Buffer.from('{}')];
    await client.sendFrames('shell', [
      Buffer.from('<IDS|MSG>'),
      Buffer.from(client.sign(notJson)),
      ...notJson,
    ]);
    // Shell messages are taken in order: once this one is answered, all above were processed.
    const probe = await client.reply(await client.send('shell', 'kernel_info_request', {}));
    expect(probe.content['status']).toBe('ok');
    const answeredIds = new Set(client.received.map((m) => m.parent_header.msg_id));
    expect([bad, unsigned, badComm].filter((id) => answeredIds.has(id))).toEqual([]);
    const replies = client.received.filter(
      (m) => m.channel === 'shell' && m.parent_header.msg_id === 'replayed-message',
    );
    expect(replies).toHaveLength(1);
    // The kernel's log reaches this process through a pipe, asynchronously: the reply to the probe
    // can arrive before the log lines written just before it.
    const stderr = await stderrMatching(
      () => kernel.stderr,
      [
        /bad HMAC signature/,
        /unsigned message/,
        /replayed message/,
        /no <IDS\|MSG> delimiter/,
        /header frame is not JSON/,
      ],
    );
    expect(stderr).toMatch(/dropped a message on shell: bad HMAC signature/);
    expect(stderr).toMatch(/dropped a message on shell: unsigned message/);
    expect(stderr).toMatch(/dropped a message on shell: replayed message/);
    expect(stderr).toMatch(/dropped a message on shell: no <IDS\|MSG> delimiter/);
    expect(stderr).toMatch(/dropped a message on shell: header frame is not JSON/);
    expect(await client.evaluate(`sink.get('value')`)).not.toBe(123456);
  });

  test.each([
    ['__proto__ then a key', [['__proto__', 'x']]],
    ['__proto__ then toString', [['__proto__', 'toString']]],
    ['constructor.prototype', [['constructor', 'prototype', 'polluted']]],
  ])('a signed buffer path through %s is refused, nothing shared changes', async (_name, paths) => {
    const iopub = await answered(
      'comm_msg',
      { comm_id: sinkId, data: { method: 'update', state: {}, buffer_paths: paths } },
      [new Uint8Array([1, 2, 3])],
    );
    expect(errorsIn(iopub)).toEqual([expect.stringMatching(/invalid buffer_paths/)]);
    expect(
      await client.evaluate(
        `[String({}), Object.getOwnPropertyNames(Object.prototype).filter((k) => ['x', 'polluted'].includes(k)), typeof ({} as Record<string, unknown>).toString]`,
      ),
    ).toEqual(['[object Object]', [], 'function']);
  });

  test('JSON __proto__ keys in a comm id or a widget state stay plain keys', async () => {
    await answered('comm_open', {
      comm_id: '__proto__',
      target_name: 'jupyter.widget.control',
      data: {},
    });
    const info = await client.reply(await client.send('shell', 'comm_info_request', {}));
    expect(Object.keys(info.content['comms'] as object)).toContain('__proto__');
    await answered('comm_close', { comm_id: '__proto__', data: {} });
    await answered('comm_msg', {
      comm_id: sinkId,
      data: JSON.parse('{"method": "update", "state": {"__proto__": {"value": 77}}}') as object,
    });
    expect(
      await client.evaluate(`[sink.get('value') === 77, ({} as { value?: number }).value]`),
    ).toEqual([false, null]);
  });

  test('stdin: messages are read and dropped, not piled up in memory', async () => {
    // After a full GC: the dropped messages' buffers are garbage, not growth.
    const rss = async () =>
      (await client.evaluate('(heapAfterGc(), process.memoryUsage().rss)')) as number;
    await rss(); // warm up the code path before measuring
    const before = await rss();
    const payload = Buffer.alloc(STDIN_MESSAGE_BYTES, 1);
    for (let i = 0; i < STDIN_MESSAGES; i++) {
      await client.sendStdin([Buffer.from('<IDS|MSG>'), Buffer.from('unsigned'), payload]);
    }
    const log = await stderrMatching(() => kernel.stderr, [/on stdin.*; 1000 so far/]);
    expect(log).toMatch(
      /dropped a message on stdin \(this kernel never asks for input\); 1 so far/,
    );
    expect(log).toMatch(/on stdin.*; 1000 so far/);
    expect(log).not.toMatch(/on stdin.*; 2 so far/); // one line per power of ten, not per message
    const growth = (await rss()) - before;
    process.stdout.write(
      `kernel RSS growth after ${STDIN_MESSAGES} stdin messages of ${STDIN_MESSAGE_BYTES} B ` +
        `(${STDIN_MESSAGES * STDIN_MESSAGE_BYTES} B sent): ${growth} B (bound ${STDIN_RSS_BOUND_BYTES} B)\n`,
    );
    expect(growth).toBeLessThan(STDIN_RSS_BOUND_BYTES);
    expect(await client.run('1 + 1')).toBe('2');
  });

  test(`${RAPID_UPDATES} rapid updates: all applied in order, all answered, bounded heap`, async () => {
    await client.run('heapAfterGc()'); // warm up the code paths before measuring
    const before = (await client.evaluate('heapAfterGc()')) as number;
    const ids: string[] = [];
    const payload = new Uint8Array(1024).fill(7);
    for (let i = 0; i < RAPID_UPDATES; i++) {
      ids.push(
        await client.send(
          'shell',
          'comm_msg',
          {
            comm_id: sinkId,
            data: { method: 'update', state: { value: i }, buffer_paths: [['payload']] },
          },
          { buffers: [payload] },
        ),
      );
    }
    await client.iopubOf(ids[ids.length - 1], 120000);
    for (const id of ids) {
      const iopub = client.received.filter((m) => m.parent_header.msg_id === id);
      const kinds = iopub.map((m) =>
        m.header.msg_type === 'status'
          ? String(m.content['execution_state'])
          : (m.content['data'] as { method: string }).method,
      );
      expect(kinds).toEqual(['busy', 'echo_update', 'idle']);
    }
    const seen = (await client.evaluate('seen')) as number[];
    expect(seen.slice(-RAPID_UPDATES)).toEqual(Array.from({ length: RAPID_UPDATES }, (_, i) => i));
    const after = (await client.evaluate('heapAfterGc()')) as number;
    const growth = after - before;
    process.stdout.write(
      `heap before ${before} B, after ${RAPID_UPDATES} updates ${after} B, growth ${growth} B ` +
        `(bound ${HEAP_GROWTH_BOUND_BYTES} B)\n`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
    expect(await client.evaluate('tw.getRuntime().comms.size')).toBe(1);
  });

  test('after all of it the kernel is alive and executes cells', async () => {
    expect(await kernel.alive()).toBe(true);
    expect(await client.heartbeat('ping-after-stress')).toBe('ping-after-stress');
    expect(await client.run('6 * 7')).toBe('42');
    expect(client.badlySigned).toHaveLength(0);
  });
});
