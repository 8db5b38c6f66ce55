/**
 * The tslab-widgets kernel behind Debian's jupyter_server 1.23, the server JupyterLab 4 and
 * Notebook 7 run on: the kernel is started through the REST API and driven over the kernel
 * websocket (helpers/server-websocket-client.ts), so every message — with binary buffers in both
 * directions — crosses the server's ZeroMQ ⇄ websocket bridge, as in a real front end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJupyterLabServer, type JupyterLabServer } from '../browser/support/jupyterlab-server';
import { installKernelspecForTest, type InstalledKernelspec } from './helpers/kernelspec';
import {
  decodeBinaryMessage,
  encodeBinaryMessage,
  ServerKernelClient,
} from './helpers/server-websocket-client';
import type { ClientMessage } from './helpers/wire-client';

const DEFINE_WIDGET = `
const tw = require('tslab-widgets');
class Probe extends tw.Widget<{ value: number; data: Float32Array; sum: number }> {
  constructor() {
    super({
      model: { module: 'probe-widgets', version: '^1.0.0', name: 'ProbeModel' },
      view: { module: 'probe-widgets', version: '^1.0.0', name: 'ProbeView' },
      state: { value: 1, data: new Float32Array([0.5, 1.5]), sum: 2 },
      traits: { value: tw.traits.number({ min: 0 }), data: tw.traits.typedArray(Float32Array) },
    });
    this.observe('data', ({ newValue }: { newValue: Float32Array }) => this.set({ sum: Array.from(newValue).reduce((a: number, b: number) => a + b, 0) }));
    this.onCustomMessage((content: any, buffers: readonly Uint8Array[]) => {
      if (content.ping !== undefined) this.send({ pong: content.ping }, [Uint8Array.from(buffers[0] ?? []).reverse()]);
    });
  }
  protected htmlFallback(): string { return '<b>probe</b>'; }
}
const probe = new Probe();
tw.display(probe);
`;

function float32(buffer: Buffer): number[] {
  return Array.from(new Float32Array(new Uint8Array(buffer).buffer));
}

function commData(message: ClientMessage): Record<string, unknown> {
  return message.content['data'] as Record<string, unknown>;
}

describe('binary websocket frames (jupyter_server 1.x layout)', () => {
  it('round-trips a message with two buffers', () => {
    const frame = encodeBinaryMessage({ a: 1 }, [Uint8Array.from([1, 2]), Uint8Array.from([3])]);
    expect(frame.readUInt32BE(0)).toBe(3);
    const { message, buffers } = decodeBinaryMessage(frame);
    expect(message).toEqual({ a: 1 });
    expect(buffers.map((b) => [...b])).toEqual([[1, 2], [3]]);
  });
});

describe('the tslab-widgets kernel through jupyter_server’s websocket', () => {
  let spec: InstalledKernelspec;
  let server: JupyterLabServer;
  let client: ServerKernelClient;
  let rootDir: string;
  let modelId: string;

  beforeAll(async () => {
    spec = installKernelspecForTest();
    rootDir = mkdtempSync(join(tmpdir(), 'tslab-widgets-server-'));
    server = await startJupyterLabServer({
      rootDir,
      jupyterPath: [spec.env.JUPYTER_PATH as string],
    });
    client = await ServerKernelClient.start(server.origin, server.token, 'tslab-widgets');
  }, 120_000);

  afterAll(async () => {
    await client?.shutdown();
    await server?.stop();
    spec?.cleanup();
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  });

  /** A comm_msg to the widget; resolves with the IOPub messages it caused, once idle. */
  async function toWidget(data: object, buffers: Uint8Array[] = []): Promise<ClientMessage[]> {
    const id = client.send('shell', 'comm_msg', { comm_id: modelId, data }, { buffers });
    return (await client.iopubOf(id)).filter((m) => m.header.msg_type === 'comm_msg');
  }

  it('answers kernel_info as the tslab-widgets kernel', async () => {
    const reply = await client.reply(client.send('shell', 'kernel_info_request', {}));
    expect(reply.header.msg_type).toBe('kernel_info_reply');
    expect(reply.content['protocol_version']).toMatch(/^5\./);
    expect((reply.content['language_info'] as { name: string }).name).toBe('typescript');
  });

  it('a cell opens a widget comm whose binary buffer arrives in a binary frame', async () => {
    const { reply, iopub } = await client.execute(DEFINE_WIDGET);
    expect(reply.content['status']).toBe('ok');
    const open = iopub.find((m) => m.header.msg_type === 'comm_open') as ClientMessage;
    modelId = open.content['comm_id'] as string;
    expect(open.content['target_name']).toBe('jupyter.widget');
    expect(open.metadata).toEqual({ version: '2.1.0' });
    expect(commData(open)['buffer_paths']).toEqual([['data']]);
    expect(float32(open.buffers[0])).toEqual([0.5, 1.5]);
    const shown = iopub.find((m) => m.header.msg_type === 'display_data') as ClientMessage;
    expect(
      (shown.content['data'] as Record<string, unknown>)[
        'application/vnd.jupyter.widget-view+json'
      ],
    ).toEqual({ model_id: modelId, version_major: 2, version_minor: 0 });
  });

  it('comm_info_reply lists the widget comm', async () => {
    const info = await client.reply(
      client.send('shell', 'comm_info_request', { target_name: 'jupyter.widget' }),
    );
    expect(info.header.msg_type).toBe('comm_info_reply');
    expect(info.content).toEqual({
      status: 'ok',
      comms: { [modelId]: { target_name: 'jupyter.widget' } },
    });
  });

  it('a front-end update with a binary buffer is echoed, applied and its derived trait sent', async () => {
    const comms = await toWidget(
      { method: 'update', state: { value: 4 }, buffer_paths: [['data']] },
      [new Uint8Array(new Float32Array([2, 3, 4]).buffer)],
    );
    expect(comms.map((m) => commData(m)['method'])).toEqual(['echo_update', 'update']);
    expect(float32(comms[0].buffers[0])).toEqual([2, 3, 4]);
    expect(commData(comms[1])['state']).toEqual({ sum: 9 });
    const { iopub } = await client.execute(`[probe.get('value'), Array.from(probe.get('data'))]`);
    const result = iopub.find((m) => m.header.msg_type === 'execute_result') as ClientMessage;
    expect((result.content['data'] as Record<string, string>)['text/plain']).toBe(
      '[ 4, [ 2, 3, 4 ] ]',
    );
  });

  it('custom messages carry buffers both ways', async () => {
    const [answer] = await toWidget({ method: 'custom', content: { ping: 7 } }, [
      Uint8Array.from([1, 2, 3]),
    ]);
    expect(commData(answer)).toEqual({ method: 'custom', content: { pong: 7 } });
    expect([...answer.buffers[0]]).toEqual([3, 2, 1]);
  });

  it('request_state answers the full state, module coordinates included', async () => {
    const [update] = await toWidget({ method: 'request_state' });
    const state = commData(update)['state'] as Record<string, unknown>;
    expect(state).toMatchObject({
      _model_name: 'ProbeModel',
      _model_module: 'probe-widgets',
      value: 4,
    });
    expect(float32(update.buffers[0])).toEqual([2, 3, 4]);
  });

  it('jupyter.widget.control answers request_states with update_states (what JupyterLab asks first)', async () => {
    const open = client.send(
      'shell',
      'comm_open',
      { comm_id: 'control-ws', target_name: 'jupyter.widget.control', data: {} },
      { metadata: { version: '1.0.0' } },
    );
    await client.iopubOf(open);
    const ask = client.send('shell', 'comm_msg', {
      comm_id: 'control-ws',
      data: { method: 'request_states' },
    });
    const answer = (await client.iopubOf(ask)).find(
      (m) => m.header.msg_type === 'comm_msg',
    ) as ClientMessage;
    const data = commData(answer);
    expect(data['method']).toBe('update_states');
    expect(Object.keys(data['states'] as object)).toEqual([modelId]);
    expect(data['buffer_paths']).toEqual([[modelId, 'state', 'data']]);
    expect(float32(answer.buffers[0])).toEqual([2, 3, 4]);
  });

  it('a comm_close from the front end closes the widget in the kernel', async () => {
    await client.iopubOf(client.send('shell', 'comm_close', { comm_id: modelId, data: {} }));
    const { iopub } = await client.execute('probe.closed');
    const result = iopub.find((m) => m.header.msg_type === 'execute_result') as ClientMessage;
    expect((result.content['data'] as Record<string, string>)['text/plain']).toBe('true');
  });
});
