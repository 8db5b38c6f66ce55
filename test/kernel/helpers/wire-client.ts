import type { ChildProcessWithoutNullStreams } from 'child_process';
import { spawn } from 'child_process';
import { createHmac, randomUUID } from 'crypto';
import { join } from 'path';
import { createInterface } from 'readline';
import * as zmq from 'zeromq';
import { KernelFrontEnd } from './kernel-front-end';
import { PYTHON } from './kernelspec';

/** A message as the client sees it. */
export interface ClientMessage {
  header: { msg_id: string; msg_type: string; session: string; date: string; version: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
  channel: 'shell' | 'control' | 'iopub';
}

/** Connection info printed by start_kernel.py. */
export interface KernelConnection {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  control_port: number;
  hb_port: number;
  stdin_port: number;
  key: string;
  signature_scheme: string;
  pid: number;
}

const DELIMITER = Buffer.from('<IDS|MSG>');

/** How to sign an outgoing message (tests of the kernel's verification use the bad ones). */
export type Signing = 'good' | 'bad' | 'none';

/**
 * A minimal Jupyter front end on the real wire (ZeroMQ, HMAC-SHA256 computed here independently of
 * the kernel's code). Verifies the signature of every message it receives.
 */
export class WireClient extends KernelFrontEnd {
  /** Messages from the kernel whose signature did not verify (must stay empty). */
  readonly badlySigned: Buffer[][] = [];
  private readonly shell = new zmq.Dealer({ routingId: `shell-${randomUUID()}` });
  private readonly control = new zmq.Dealer({ routingId: `control-${randomUUID()}` });
  private readonly iopub = new zmq.Subscriber();
  private stdin: zmq.Dealer | null = null;

  private constructor(private readonly connection: KernelConnection) {
    super(30_000);
    for (const socket of [this.shell, this.control]) {
      socket.receiveHighWaterMark = 0;
      socket.sendHighWaterMark = 0;
      socket.linger = 0;
    }
    this.iopub.receiveHighWaterMark = 0;
    this.iopub.linger = 0;
  }

  /** Connects to a kernel and waits until IOPub delivers (ZeroMQ subscriptions join late). */
  static async connect(connection: KernelConnection): Promise<WireClient> {
    const client = new WireClient(connection);
    const address = (port: number): string => `${connection.transport}://${connection.ip}:${port}`;
    client.shell.connect(address(connection.shell_port));
    client.control.connect(address(connection.control_port));
    client.iopub.connect(address(connection.iopub_port));
    client.iopub.subscribe();
    void client.pump(client.shell, 'shell');
    void client.pump(client.control, 'control');
    void client.pump(client.iopub, 'iopub');
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = await client.send('shell', 'kernel_info_request', {});
      const status = await client
        .waitFor((m) => m.channel === 'iopub' && m.parent_header.msg_id === id, 200)
        .catch(() => null);
      if (status !== null) {
        await client.reply(id);
        return client;
      }
    }
    throw new Error('IOPub never delivered a status message');
  }

  /** Sends `payload` to the heartbeat socket and returns what came back. */
  async heartbeat(payload: string): Promise<string> {
    const socket = new zmq.Request({ linger: 0 });
    socket.connect(
      `${this.connection.transport}://${this.connection.ip}:${this.connection.hb_port}`,
    );
    try {
      await socket.send(payload);
      const [echo] = await socket.receive();
      return echo.toString();
    } finally {
      socket.close();
    }
  }

  /** Signs and sends a message; returns its msg_id. */
  async send(
    channel: 'shell' | 'control',
    msgType: string,
    content: unknown,
    options: { buffers?: Uint8Array[]; metadata?: object; signing?: Signing } = {},
  ): Promise<string> {
    const header = this.newHeader(msgType);
    const parts = [header, {}, options.metadata ?? {}, content].map((p) =>
      Buffer.from(JSON.stringify(p)),
    );
    const signing = options.signing ?? 'good';
    const signature =
      signing === 'none' ? '' : signing === 'bad' ? 'f'.repeat(64) : this.sign(parts);
    await this.sendFrames(channel, [
      DELIMITER,
      Buffer.from(signature),
      ...parts,
      ...(options.buffers ?? []).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    ]);
    return header.msg_id;
  }

  /** Sends raw frames to the kernel's stdin channel (which it never asks to use). */
  async sendStdin(frames: Buffer[]): Promise<void> {
    if (this.stdin === null) {
      this.stdin = new zmq.Dealer({ routingId: `stdin-${randomUUID()}`, linger: 0 });
      this.stdin.connect(
        `${this.connection.transport}://${this.connection.ip}:${this.connection.stdin_port}`,
      );
    }
    await this.stdin.send(frames);
  }

  /** Sends raw frames (for malformed-message tests). */
  async sendFrames(channel: 'shell' | 'control', frames: Buffer[]): Promise<void> {
    await (channel === 'shell' ? this.shell : this.control).send(frames);
  }

  /** The HMAC of the four JSON frames with the connection key. */
  sign(parts: Buffer[]): string {
    const hmac = createHmac('sha256', this.connection.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  /** Runs a cell that must succeed; returns the text/plain of its result (if any). */
  async run(code: string): Promise<string | undefined> {
    const { reply, iopub } = await this.execute(code);
    if (reply.content['status'] !== 'ok') {
      const error = iopub.find((m) => m.header.msg_type === 'error');
      throw new Error(`cell failed: ${code}\n${JSON.stringify(error?.content ?? reply.content)}`);
    }
    const result = iopub.find((m) => m.header.msg_type === 'execute_result');
    return (result?.content['data'] as Record<string, string> | undefined)?.['text/plain'];
  }

  /** Evaluates `expression` in the kernel and returns it, sent back as JSON on stdout. */
  async evaluate(expression: string): Promise<unknown> {
    const { reply, iopub } = await this.execute(`console.log(JSON.stringify(${expression}))`);
    if (reply.content['status'] !== 'ok') {
      throw new Error(`evaluation failed: ${expression}: ${JSON.stringify(reply.content)}`);
    }
    const text = iopub
      .filter((m) => m.header.msg_type === 'stream' && m.content['name'] === 'stdout')
      .map((m) => String(m.content['text']))
      .join('');
    return JSON.parse(text);
  }

  close(): void {
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    this.stdin?.close();
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, channel: ClientMessage['channel']) {
    try {
      for await (const frames of socket) this.acceptFrames(frames, channel);
    } catch {
      // socket closed
    }
  }

  private acceptFrames(frames: Buffer[], channel: ClientMessage['channel']): void {
    const at = frames.findIndex((f) => f.equals(DELIMITER));
    const parts = frames.slice(at + 2, at + 6);
    if (frames[at + 1].toString() !== this.sign(parts)) {
      this.badlySigned.push(frames);
      return;
    }
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
    const message: ClientMessage = {
      header,
      parent_header,
      metadata,
      content,
      buffers: frames.slice(at + 6),
      channel,
    };
    this.accept(message);
  }
}

/** A kernel started by jupyter_client from the installed kernelspec (start_kernel.py). */
export class ManagedKernel {
  private readonly lines: string[] = [];
  private lineWaiters: ((line: string) => void)[] = [];
  stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const waiter = this.lineWaiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  /** Starts the kernel with `env` (from installKernelspecForTest) in folder `cwd`. */
  static async start(
    env: NodeJS.ProcessEnv,
    cwd: string,
  ): Promise<{ kernel: ManagedKernel; connection: KernelConnection }> {
    const child = spawn(PYTHON, [join(__dirname, 'start_kernel.py'), cwd], { env });
    const kernel = new ManagedKernel(child);
    const connection = JSON.parse(await kernel.nextLine()) as KernelConnection;
    return { kernel, connection };
  }

  /** Asks jupyter_client whether the kernel process is alive. */
  async alive(): Promise<boolean> {
    this.child.stdin.write('alive\n');
    return (JSON.parse(await this.nextLine()) as { alive: boolean }).alive;
  }

  /** Interrupts the kernel through jupyter_client (SIGINT, per the kernelspec's interrupt_mode). */
  async interrupt(): Promise<void> {
    this.child.stdin.write('interrupt\n');
    await this.nextLine();
  }

  /**
   * Shuts the kernel down through jupyter_client (a shutdown_request); resolves with whether it was
   * alive before and its exit code (0 when it exited by itself).
   */
  async shutdown(): Promise<{ aliveBefore: boolean; exitCode: number | null }> {
    this.child.stdin.write('shutdown\n');
    const result = JSON.parse(await this.nextLine()) as {
      alive_before_shutdown: boolean;
      exit_code: number | null;
    };
    await new Promise((resolve) => this.child.once('exit', resolve));
    return { aliveBefore: result.alive_before_shutdown, exitCode: result.exit_code };
  }

  private nextLine(timeoutMs = 60000): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`start_kernel.py said nothing in ${timeoutMs} ms: ${this.stderr}`)),
        timeoutMs,
      );
      this.lineWaiters.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  }
}
