/**
 * A front end on the real wire (ZeroMQ + HMAC, see helpers/wire-client.ts) against the
 * tslab-widgets kernel started from its kernelspec by jupyter_client: a cell creates a widget, the
 * client plays the front end (updates with binary buffers, custom messages, request_state, the
 * control comm, comm_info) and the state is checked on both sides.
 */
import type { ClientMessage, ManagedKernel, WireClient } from './helpers/wire-client';
import { WireKernelSession } from './helpers/wire-kernel-session';

/** A tiny front-end model: applies comm_open / update / echo_update with their buffers. */
function applyState(
  model: Record<string, unknown>,
  data: Record<string, unknown>,
  buffers: Buffer[],
): void {
  const state = { ...(data['state'] as Record<string, unknown>) };
  const paths = (data['buffer_paths'] as (string | number)[][]) ?? [];
  paths.forEach((path, index) => {
    let target: Record<string | number, unknown> = state;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path[path.length - 1]] = buffers[index];
  });
  Object.assign(model, state);
}

function float32(buffer: unknown): number[] {
  const bytes = buffer as Buffer;
  const copy = new Uint8Array(bytes).buffer;
  return Array.from(new Float32Array(copy));
}

function commMessages(messages: ClientMessage[], commId: string): ClientMessage[] {
  return messages.filter(
    (m) => m.header.msg_type.startsWith('comm_') && m.content['comm_id'] === commId,
  );
}

const DEFINE_WIDGET = `
const tw = require('tslab-widgets');
interface ProbeState { value: number; label: string; data: Float32Array; sum: number }
class Probe extends tw.Widget<ProbeState> {
  constructor() {
    super({
      model: { module: 'probe-widgets', version: '^1.0.0', name: 'ProbeModel' },
      view: { module: 'probe-widgets', version: '^1.0.0', name: 'ProbeView' },
      state: { value: 1, label: 'start', data: new Float32Array([0.5, 1.5]), sum: 2 },
      traits: { value: tw.traits.number({ min: 0 }), data: tw.traits.typedArray(Float32Array) },
    });
    // A derived trait: recomputed (and sent) whenever data changes, from either side.
    this.observe('data', ({ newValue }: { newValue: Float32Array }) => this.set({ sum: Array.from(newValue).reduce((a: number, b: number) => a + b, 0) }));
    this.onCustomMessage((content: any, buffers: readonly Uint8Array[]) => {
      if (content.crash) throw new Error('handler exploded on purpose');
      if (content.ping !== undefined) {
        this.send({ pong: content.ping, bytes: buffers[0]?.length ?? 0 }, [Uint8Array.from(buffers[0] ?? []).reverse()]);
      }
    });
  }
  protected htmlFallback(): string { return '<b>probe ' + this.get('value') + '</b>'; }
}
const probe = new Probe();
tw.display(probe);
probe.modelId
`;

describe('widgets on the wire', () => {
  let session: WireKernelSession;
  let kernel: ManagedKernel;
  let client: WireClient;
  let modelId: string;
  const frontendModel: Record<string, unknown> = {};
  let shutDown = false;

  beforeAll(async () => {
    session = await WireKernelSession.start();
    ({ kernel, client } = session);
  });

  afterAll(async () => {
    await session?.stop({ kernelAlreadyShutDown: shutDown });
  });

  /** Sends a comm_msg to the widget; returns its id and, once idle, the IOPub messages it caused. */
  async function toWidget(data: object, buffers: Uint8Array[] = []) {
    const id = await client.send('shell', 'comm_msg', { comm_id: modelId, data }, { buffers });
    return { id, iopub: await client.iopubOf(id) };
  }

  /**
   * Waits until a cell says (with a custom message) that its handler for `what` is registered.
   * execute_input is not that sign: the kernel yields once after publishing it, before the cell
   * runs, and a message handled in between would find no handler.
   */
  async function waitingFor(what: string): Promise<void> {
    await client.waitFor(
      (m) =>
        m.header.msg_type === 'comm_msg' &&
        (m.content['data'] as { content?: { waiting?: string } }).content?.waiting === what,
    );
  }

  test('a cell creates and displays a widget: comm_open with buffers, widget-view bundle', async () => {
    const { reply, iopub } = await client.execute(DEFINE_WIDGET);
    expect(iopub.find((m) => m.header.msg_type === 'error')?.content).toBeUndefined();
    expect(reply.content['status']).toBe('ok');
    const open = iopub.find((m) => m.header.msg_type === 'comm_open');
    expect(open).toBeDefined();
    const content = (open as ClientMessage).content;
    modelId = content['comm_id'] as string;
    expect(content['target_name']).toBe('jupyter.widget');
    expect((open as ClientMessage).metadata).toEqual({ version: '2.1.0' });
    const data = content['data'] as Record<string, unknown>;
    expect(data['buffer_paths']).toEqual([['data']]);
    applyState(frontendModel, data, (open as ClientMessage).buffers);
    expect(frontendModel['_model_name']).toBe('ProbeModel');
    expect(frontendModel['_view_module']).toBe('probe-widgets');
    expect(float32(frontendModel['data'])).toEqual([0.5, 1.5]);

    const shown = iopub.find((m) => m.header.msg_type === 'display_data');
    const bundle = (shown as ClientMessage).content['data'] as Record<string, unknown>;
    expect(bundle['application/vnd.jupyter.widget-view+json']).toEqual({
      model_id: modelId,
      version_major: 2,
      version_minor: 0,
    });
    expect(bundle['text/plain']).toEqual(expect.stringContaining('Probe'));
    expect(bundle['text/html']).toBe('<b>probe 1</b>');
    const result = iopub.find((m) => m.header.msg_type === 'execute_result');
    expect((result as ClientMessage).content['data']).toEqual({ 'text/plain': `'${modelId}'` });
  });

  test('a widget as the last expression is the execute_result bundle', async () => {
    const { iopub } = await client.execute(`const shown = new Probe(); shown`);
    const result = iopub.find((m) => m.header.msg_type === 'execute_result');
    const data = (result as ClientMessage).content['data'] as Record<string, unknown>;
    const opened = iopub.find((m) => m.header.msg_type === 'comm_open') as ClientMessage;
    expect(data['application/vnd.jupyter.widget-view+json']).toEqual({
      model_id: opened.content['comm_id'],
      version_major: 2,
      version_minor: 0,
    });
    expect(data['text/html']).toBe('<b>probe 1</b>');
    await client.run('shown.close()');
  });

  test('comm_info_reply lists the comm, filtered by target_name', async () => {
    const all = await client.reply(await client.send('shell', 'comm_info_request', {}));
    expect(all.header.msg_type).toBe('comm_info_reply');
    expect(all.content['status']).toBe('ok');
    expect(all.content['comms']).toEqual({ [modelId]: { target_name: 'jupyter.widget' } });
    const other = await client.reply(
      await client.send('shell', 'comm_info_request', { target_name: 'something.else' }),
    );
    expect(other.content).toEqual({ status: 'ok', comms: {} });
  });

  test('front-end update with a binary buffer: echoed, applied, derived trait sent back', async () => {
    const sent = new Float32Array([9, 8, 7]);
    const { id, iopub } = await toWidget(
      { method: 'update', state: { value: 7 }, buffer_paths: [['data']] },
      [new Uint8Array(sent.buffer)],
    );
    const comms = commMessages(iopub, modelId);
    // Everything the kernel sent in answer is parented to the comm_msg that caused it.
    expect(comms.every((m) => m.parent_header.msg_id === id)).toBe(true);
    const methods = comms.map((m) => (m.content['data'] as { method: string }).method);
    expect(methods).toEqual(['echo_update', 'update']);
    const echo = comms[0];
    expect((echo.content['data'] as Record<string, unknown>)['state']).toEqual({ value: 7 });
    expect(float32(echo.buffers[0])).toEqual([9, 8, 7]);
    expect((comms[1].content['data'] as Record<string, unknown>)['state']).toEqual({ sum: 24 });
    for (const message of comms) {
      applyState(
        frontendModel,
        message.content['data'] as Record<string, unknown>,
        message.buffers,
      );
    }
    const kernelSide = await client.evaluate(
      `{ value: probe.get('value'), data: Array.from(probe.get('data')), sum: probe.get('sum') }`,
    );
    expect(kernelSide).toEqual({
      value: 7,
      data: [9, 8, 7],
      sum: 24,
    });
    expect(frontendModel['value']).toBe(7);
    expect(frontendModel['sum']).toBe(24);
    expect(float32(frontendModel['data'])).toEqual([9, 8, 7]);
  });

  test('a value the trait rejects is reported and the kernel value sent back', async () => {
    const { iopub } = await toWidget({ method: 'update', state: { value: -3 }, buffer_paths: [] });
    const error = iopub.find((m) => m.header.msg_type === 'error');
    expect(error?.content['evalue']).toMatch(/trait "value".*>= 0/);
    const resent = commMessages(iopub, modelId).map((m) => m.content['data']);
    expect(resent).toEqual([{ method: 'update', state: { value: 7 }, buffer_paths: [] }]);
    expect(await client.run(`probe.get('value')`)).toBe('7');
  });

  test('kernel-side set from a cell sends an update parented to the execute_request', async () => {
    const { reply, iopub } = await client.execute(
      `probe.set({ label: 'from kernel', data: new Float32Array([1, 2, 3, 4]) })`,
    );
    const comms = commMessages(iopub, modelId);
    expect(comms.every((m) => m.parent_header.msg_id === reply.parent_header.msg_id)).toBe(true);
    const data = comms[0].content['data'] as Record<string, unknown>;
    // the derived sum is batched into the same update (listeners run before the flush)
    expect(data).toEqual({
      method: 'update',
      state: { label: 'from kernel', sum: 10 },
      buffer_paths: [['data']],
    });
    expect(float32(comms[0].buffers[0])).toEqual([1, 2, 3, 4]);
    applyState(frontendModel, data, comms[0].buffers);
    expect(frontendModel['label']).toBe('from kernel');
  });

  test('custom messages with buffers both ways', async () => {
    const { id, iopub } = await toWidget({ method: 'custom', content: { ping: 5 } }, [
      Uint8Array.from([1, 2, 3]),
    ]);
    const answer = commMessages(iopub, modelId)[0];
    expect(answer.parent_header.msg_id).toBe(id);
    expect(answer.content['data']).toEqual({ method: 'custom', content: { pong: 5, bytes: 3 } });
    expect([...answer.buffers[0]]).toEqual([3, 2, 1]);
  });

  test('request_state answers the full state with buffers, protocol keys included', async () => {
    const { iopub } = await toWidget({ method: 'request_state' });
    const update = commMessages(iopub, modelId)[0];
    const data = update.content['data'] as Record<string, unknown>;
    expect(data['method']).toBe('update');
    const fresh: Record<string, unknown> = {};
    applyState(fresh, data, update.buffers);
    // A reloaded page rebuilds its model from this answer alone (the 4 s fallback of the control
    // comm): without these keys the widget comes back as an error widget.
    expect(fresh).toMatchObject({
      _model_name: 'ProbeModel',
      _model_module: 'probe-widgets',
      _model_module_version: '^1.0.0',
      _view_name: 'ProbeView',
      _view_module: 'probe-widgets',
      _view_module_version: '^1.0.0',
    });
    expect(fresh['value']).toBe(7);
    expect(fresh['label']).toBe('from kernel');
    expect(float32(fresh['data'])).toEqual([1, 2, 3, 4]);
  });

  test('jupyter.widget.control: request_states answers update_states', async () => {
    const open = await client.send(
      'shell',
      'comm_open',
      { comm_id: 'control-1', target_name: 'jupyter.widget.control', data: {} },
      { metadata: { version: '1.0.0' } },
    );
    await client.iopubOf(open);
    const ask = await client.send('shell', 'comm_msg', {
      comm_id: 'control-1',
      data: { method: 'request_states' },
    });
    const answer = (await client.iopubOf(ask)).find((m) => m.header.msg_type === 'comm_msg');
    const data = (answer as ClientMessage).content['data'] as Record<string, unknown>;
    expect(data['method']).toBe('update_states');
    const states = data['states'] as Record<string, Record<string, unknown>>;
    expect(states[modelId]['model_name']).toBe('ProbeModel');
    expect(states[modelId]['model_module']).toBe('probe-widgets');
    expect((states[modelId]['state'] as Record<string, unknown>)['label']).toBe('from kernel');
    expect(data['buffer_paths']).toEqual([[modelId, 'state', 'data']]);
    expect(float32((answer as ClientMessage).buffers[0])).toEqual([1, 2, 3, 4]);
  });

  test('comm handlers run while a cell awaits', async () => {
    const cell = client.execute(
      `const released: any = await new Promise((resolve) => { probe.onCustomMessage((c: any) => { if (c.release) resolve(c); }); probe.send({ waiting: 'release' }); }); released.release`,
    );
    // The cell is now blocked until the front end's custom message is handled.
    await waitingFor('release');
    await toWidget({ method: 'custom', content: { release: 'go' } });
    const { reply, iopub } = await cell;
    expect(reply.content['status']).toBe('ok');
    const result = iopub.find((m) => m.header.msg_type === 'execute_result');
    expect((result as ClientMessage).content['data']).toEqual({ 'text/plain': "'go'" });
  });

  test('a failing cell with stop_on_error aborts the cell queued behind it', async () => {
    const failing = client.execute(
      `await new Promise((resolve) => { probe.onCustomMessage((c: any) => { if (c.fail) resolve(c); }); probe.send({ waiting: 'fail' }); }); throw new Error('cell failed on purpose')`,
    );
    await waitingFor('fail');
    const queued = client.execute(`'never runs'`);
    await toWidget({ method: 'custom', content: { fail: true } });
    const failed = (await failing).reply.content;
    expect(failed['status']).toBe('error');
    expect(failed['evalue']).toBe('cell failed on purpose');
    // the traceback shows the cell, not the kernel's machinery
    expect((failed['traceback'] as string[]).join('\n')).not.toMatch(/tslab[\\/]dist|node:vm/);
    const { reply, iopub } = await queued;
    expect(reply.content['status']).toBe('aborted');
    expect(iopub.some((m) => m.header.msg_type === 'execute_result')).toBe(false);
    expect(await client.run(`'runs again'`)).toBe("'runs again'");
  });

  test('an exception in a handler is reported to the front end; the kernel lives on', async () => {
    const { id, iopub } = await toWidget({ method: 'custom', content: { crash: true } });
    const error = iopub.find((m) => m.header.msg_type === 'error');
    expect(error?.parent_header.msg_id).toBe(id);
    expect(error?.content['evalue']).toMatch(/handler exploded on purpose/);
    expect(await client.run('40 + 2')).toBe('42');
  });

  test('close from the front end and from the kernel', async () => {
    const closeId = await client.send('shell', 'comm_close', { comm_id: modelId, data: {} });
    await client.iopubOf(closeId);
    expect(await client.run(`[probe.closed, tw.getRuntime().widgets.size]`)).toBe('[ true, 0 ]');
    const { iopub } = await client.execute(
      `const second = new Probe(); second.close(); second.modelId`,
    );
    const opened = iopub.find((m) => m.header.msg_type === 'comm_open');
    const closed = iopub.find((m) => m.header.msg_type === 'comm_close');
    expect(closed?.content['comm_id']).toBe(opened?.content['comm_id']);
    const info = await client.reply(await client.send('shell', 'comm_info_request', {}));
    expect(info.content['comms']).toEqual({
      'control-1': { target_name: 'jupyter.widget.control' },
    });
    expect(client.badlySigned).toHaveLength(0);
    expect(await kernel.alive()).toBe(true);
  });

  test('an interrupt ends a cell stuck in await; the kernel keeps its state', async () => {
    // Interrupted once the cell is stuck: its marker is printed after the cell's synchronous part
    // (tslab's vm call). A SIGINT landing inside that call, which then finishes normally, is lost
    // (see protocol-requests.test.ts); sent on execute_input, it landed there once in eight CI runs.
    const cell = client.execute(
      `console.log('stuck-in-await'); await new Promise(() => undefined)`,
    );
    await client.waitFor(
      (m) => m.header.msg_type === 'stream' && String(m.content['text']).includes('stuck-in-await'),
    );
    await kernel.interrupt();
    const { reply, iopub } = await cell;
    expect(reply.content['status']).toBe('error');
    expect(iopub.find((m) => m.header.msg_type === 'error')?.content['evalue']).toMatch(
      /Interrupted/,
    );
    expect(await client.run('probe.get("value")')).toBe('7');
  });

  test('shutdown_request: the kernel replies and exits by itself (exit code 0)', async () => {
    shutDown = true;
    expect(await kernel.shutdown()).toEqual({ aliveBefore: true, exitCode: 0 });
  });
});
