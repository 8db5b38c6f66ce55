import { randomUUID } from 'crypto';
import type { ClientMessage } from './wire-client';

/** The `execute_request` content every test cell is sent with. */
function executeRequest(code: string): object {
  return {
    code,
    silent: false,
    store_history: true,
    user_expressions: {},
    allow_stdin: false,
    stop_on_error: true,
  };
}

/**
 * What every test front end does once a message has arrived, whatever its transport (ZeroMQ in
 * wire-client.ts, jupyter_server's websocket in server-websocket-client.ts): keep it, hand it to
 * whoever waits for it, and find replies, IOPub output and cell results among what was received.
 */
export abstract class KernelFrontEnd {
  /** Every message received, in arrival order. */
  readonly received: ClientMessage[] = [];
  /** The session id every message this front end sends carries. */
  private readonly session = randomUUID();
  private waiters: { test: (m: ClientMessage) => boolean; resolve: (m: ClientMessage) => void }[] =
    [];

  /** @param defaultTimeoutMs how long `waitFor` waits when given no timeout. */
  protected constructor(private readonly defaultTimeoutMs: number) {}

  /** Sends a message on a channel; returns (or resolves with) its msg_id. */
  abstract send(
    channel: 'shell' | 'control',
    msgType: string,
    content: object,
  ): string | Promise<string>;

  /** The header of a new message of type `msgType`, with a fresh msg_id. */
  protected newHeader(msgType: string): ClientMessage['header'] & { username: string } {
    return {
      msg_id: randomUUID(),
      session: this.session,
      username: 'test',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: '5.3',
    };
  }

  /** Keeps a received message and resolves the waiters it matches (the transport calls this). */
  protected accept(message: ClientMessage): void {
    this.received.push(message);
    const matched = this.waiters.filter((w) => w.test(message));
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    for (const waiter of matched) waiter.resolve(message);
  }

  /** Resolves with the first message (already received or future) matching `test`. */
  waitFor(
    test: (m: ClientMessage) => boolean,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<ClientMessage> {
    const found = this.received.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: ClientMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The shell/control reply to `msgId`. */
  reply(msgId: string, timeoutMs?: number): Promise<ClientMessage> {
    return this.waitFor(
      (m) => m.channel !== 'iopub' && m.parent_header.msg_id === msgId,
      timeoutMs,
    );
  }

  /** All IOPub messages parented to `msgId`, once its `idle` status arrived. */
  async iopubOf(msgId: string, timeoutMs?: number): Promise<ClientMessage[]> {
    await this.waitFor(
      (m) =>
        m.channel === 'iopub' &&
        m.parent_header.msg_id === msgId &&
        m.header.msg_type === 'status' &&
        m.content['execution_state'] === 'idle',
      timeoutMs,
    );
    return this.received.filter((m) => m.channel === 'iopub' && m.parent_header.msg_id === msgId);
  }

  /** Runs a cell; returns the reply and its IOPub messages (each awaited up to 60 s). */
  async execute(code: string): Promise<{ reply: ClientMessage; iopub: ClientMessage[] }> {
    const id = await this.send('shell', 'execute_request', executeRequest(code));
    const reply = await this.reply(id, 60_000);
    const iopub = await this.iopubOf(id, 60_000);
    return { reply, iopub };
  }
}
