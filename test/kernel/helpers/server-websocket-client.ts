/**
 * A Jupyter front end on jupyter_server's kernel websocket (`/api/kernels/<id>/channels`), the
 * route JupyterLab and Notebook 7 use, as jupyter_server 1.23 speaks it: a message without buffers
 * is one JSON text frame (with its `channel`); a message with buffers is one binary frame —
 * uint32 big-endian part count n, n uint32 offsets (from the frame's start), the JSON, the buffers.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { request } from '../../browser/support/jupyter-process';
import { KernelFrontEnd } from './kernel-front-end';
import type { ClientMessage } from './wire-client';

/** One websocket frame (binary layout above) from a message and its buffers. */
export function encodeBinaryMessage(message: object, buffers: readonly Uint8Array[]): Buffer {
  const parts = [Buffer.from(JSON.stringify(message)), ...buffers.map((b) => Buffer.from(b))];
  const header = Buffer.alloc(4 * (parts.length + 1));
  header.writeUInt32BE(parts.length, 0);
  let offset = header.length;
  parts.forEach((part, index) => {
    header.writeUInt32BE(offset, 4 * (index + 1));
    offset += part.length;
  });
  return Buffer.concat([header, ...parts]);
}

/** The message and buffers of one binary websocket frame. */
export function decodeBinaryMessage(frame: Buffer): { message: object; buffers: Buffer[] } {
  const count = frame.readUInt32BE(0);
  const offsets = Array.from({ length: count }, (_, i) => frame.readUInt32BE(4 * (i + 1)));
  const parts = offsets.map((start, i) => frame.subarray(start, offsets[i + 1] ?? frame.length));
  return { message: JSON.parse(parts[0].toString('utf8')) as object, buffers: parts.slice(1) };
}

/** A request to jupyter_server's REST API with the token. */
function api(
  origin: string,
  token: string,
  method: string,
  route: string,
  body?: object,
): Promise<{ status: number; body: string }> {
  return request(`${origin}${route}`, method, {
    headers: { Authorization: `token ${token}` },
    body,
  });
}

/** A kernel started through jupyter_server's REST API, driven over its websocket. */
export class ServerKernelClient extends KernelFrontEnd {
  private constructor(
    private readonly origin: string,
    private readonly token: string,
    /** The kernel's id on the server. */
    readonly kernelId: string,
    private readonly socket: WebSocket,
  ) {
    super(60_000);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const parsed = isBinary
        ? decodeBinaryMessage(data)
        : { message: JSON.parse(data.toString('utf8')) as object, buffers: [] };
      this.accept({ ...(parsed.message as ClientMessage), buffers: parsed.buffers });
    });
  }

  /** POST /api/kernels {name}, then opens the channels websocket. */
  static async start(
    origin: string,
    token: string,
    kernelName: string,
  ): Promise<ServerKernelClient> {
    const created = await api(origin, token, 'POST', '/api/kernels', { name: kernelName });
    if (created.status !== 201)
      throw new Error(`POST /api/kernels: ${created.status} ${created.body}`);
    const { id } = JSON.parse(created.body) as { id: string };
    const url = `${origin.replace(/^http/, 'ws')}/api/kernels/${id}/channels?session_id=${randomUUID()}`;
    const socket = new WebSocket(url, { headers: { Authorization: `token ${token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ServerKernelClient(origin, token, id, socket);
  }

  /** Sends a message on a channel (buffers make it a binary frame); returns its msg_id. */
  send(
    channel: 'shell' | 'control',
    msgType: string,
    content: object,
    options: { buffers?: Uint8Array[]; metadata?: object } = {},
  ): string {
    const header = this.newHeader(msgType);
    const message = {
      header,
      parent_header: {},
      metadata: options.metadata ?? {},
      content,
      channel,
    };
    const buffers = options.buffers ?? [];
    this.socket.send(
      buffers.length > 0 ? encodeBinaryMessage(message, buffers) : JSON.stringify(message),
    );
    return header.msg_id;
  }

  /** Closes the websocket and shuts the kernel down through the REST API. */
  async shutdown(): Promise<void> {
    this.socket.close();
    await api(this.origin, this.token, 'DELETE', `/api/kernels/${this.kernelId}`);
  }
}
