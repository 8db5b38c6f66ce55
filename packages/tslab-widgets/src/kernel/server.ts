import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import { inspect } from 'util';
import * as zmq from 'zeromq';
import type { CommMsgType } from '../comm/comm-manager';
import { MalformedCommMessageError } from '../comm/comm-manager';
import type { JsonObject } from '../json';
import { isPlainObject } from '../json';
import type { KernelChannel, PublishOptions } from '../runtime/channel';
import type { WidgetRuntime } from '../runtime/runtime';
import type { MessageHeader, WireMessage } from './wire';
import { decodeMessage, encodeMessage, MessageSigner } from './wire';

/** The connection file Jupyter writes for a kernel. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** The request handlers behind the server (execution, introspection), see the launcher. */
export interface KernelServices {
  kernelInfo(): JsonObject;
  /** Runs a cell; `onStart` runs when it leaves the queue. Resolves with the reply content. */
  execute(content: unknown, onStart: () => void): Promise<JsonObject>;
  isComplete(content: JsonObject): JsonObject;
  inspect(content: JsonObject): JsonObject;
  complete(content: JsonObject): JsonObject;
  history(content: JsonObject): JsonObject;
  interrupt(): void;
  close(): void;
}

/** The request being handled: what outgoing messages are parented to. */
interface RequestContext {
  header: MessageHeader;
  /** Pager and other payloads of a running execute_request. */
  payloads?: JsonObject[];
}

/** Counters for tests and logs. */
export interface ServerStats {
  /** Messages dropped before dispatch (bad or missing signature, broken framing). */
  dropped: number;
  /** Messages dispatched. */
  handled: number;
}

type WriteFunction = typeof process.stdout.write;

/**
 * The stdin channel carries `input_reply` messages, answers to `input_request`s, which this kernel
 * never sends (execute requests get no stdin). Anything arriving there is read and dropped; while
 * a cell blocks the event loop, 0MQ holds at most this many messages of at most this size.
 */
const STDIN_QUEUE_LIMIT = 64;
const STDIN_MAX_MESSAGE_BYTES = 64 * 1024;

function isCommMsgType(msgType: string): msgType is CommMsgType {
  return msgType === 'comm_open' || msgType === 'comm_msg' || msgType === 'comm_close';
}

/**
 * A Jupyter kernel server (wire protocol 5.3) on ZeroMQ with full comm support. Every incoming
 * message's signature is verified before anything else; shell requests other than execute are
 * answered at once, cells run one at a time, comm messages run in order and also while a cell
 * `await`s. Outgoing messages are parented to the request being handled, tracked with
 * `AsyncLocalStorage` across the handler's awaits.
 */
export class KernelServer {
  readonly stats: ServerStats = { dropped: 0, handled: 0 };
  /** The channel the comm layer publishes through. */
  readonly channel: KernelChannel;
  private readonly context = new AsyncLocalStorage<RequestContext>();
  private readonly signer: MessageSigner;
  private readonly session = randomUUID();
  private readonly sendChains = new Map<zmq.Socket, Promise<void>>();
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  private lastExecuteHeader: MessageHeader | null = null;
  private commQueue: Promise<void> = Promise.resolve();
  private runtime: WidgetRuntime | null = null;
  private services: KernelServices | null = null;
  private closing = false;
  private readonly writeLog: (text: string) => void;

  constructor(
    private readonly connection: ConnectionInfo,
    private readonly onShutdown: () => void = () => process.exit(0),
  ) {
    this.signer = new MessageSigner(connection.key, connection.signature_scheme || 'hmac-sha256');
    const stderrWrite = process.stderr.write.bind(process.stderr) as WriteFunction;
    this.writeLog = (text) => {
      stderrWrite(`[tslab-widgets] ${text}\n`);
    };
    // Unlimited queues: a front end reading slowly must not lose messages (0MQ drops at the mark).
    for (const socket of [this.shell, this.control]) {
      socket.sendHighWaterMark = 0;
      socket.receiveHighWaterMark = 0;
    }
    this.iopub.sendHighWaterMark = 0;
    // Nothing legitimate arrives on stdin: a bounded queue of small messages (0MQ drops the rest
    // and disconnects a peer that sends a larger one).
    this.stdin.receiveHighWaterMark = STDIN_QUEUE_LIMIT;
    this.stdin.maxMessageSize = STDIN_MAX_MESSAGE_BYTES;
    this.channel = {
      publish: (msgType, content, options) => this.publish(msgType, content, options),
      reportError: (error, where) => this.reportError(error, where),
      addPayload: (payload) => {
        const payloads = this.context.getStore()?.payloads;
        if (payloads === undefined) return false;
        payloads.push(payload);
        return true;
      },
      log: (message) => this.writeLog(message),
    };
  }

  /** Connects the runtime (comms, widgets) and the request handlers. */
  attach(runtime: WidgetRuntime, services: KernelServices): void {
    this.runtime = runtime;
    this.services = services;
  }

  /** Binds the five sockets and starts serving. */
  async start(): Promise<void> {
    const { transport, ip } = this.connection;
    const address = (port: number): string =>
      transport === 'ipc' ? `ipc://${ip}-${port}` : `${transport}://${ip}:${port}`;
    await Promise.all([
      this.shell.bind(address(this.connection.shell_port)),
      this.control.bind(address(this.connection.control_port)),
      this.stdin.bind(address(this.connection.stdin_port)),
      this.iopub.bind(address(this.connection.iopub_port)),
      this.heartbeat.bind(address(this.connection.hb_port)),
    ]);
    void this.serve(this.shell, 'shell');
    void this.serve(this.control, 'control');
    void this.drainStdin();
    void this.serveHeartbeat();
  }

  /** Sends `stdout` / `stderr` writes of this process to the front end as `stream` messages. */
  captureStandardStreams(): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        this.publish('stream', { name, text });
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as WriteFunction;
    }
  }

  /** Publishes an IOPub message parented to the request being handled. */
  publish(msgType: string, content: JsonObject, options: PublishOptions = {}): void {
    const parent = this.context.getStore()?.header ?? this.lastExecuteHeader ?? {};
    this.send(
      this.iopub,
      encodeMessage(
        {
          identities: [Buffer.from(`kernel.${this.session}.${msgType}`)],
          msgType,
          session: this.session,
          parentHeader: parent,
          content,
          metadata: options.metadata,
          buffers: options.buffers,
        },
        this.signer,
      ),
    );
  }

  /** Reports an exception from user code as an IOPub `error` and in the kernel log. */
  reportError(error: unknown, where: string): void {
    try {
      const asError = error instanceof Error ? error : undefined;
      const ename = asError?.name ?? 'Error';
      const evalue = asError?.message ?? inspect(error);
      const stack = asError?.stack ?? `${ename}: ${evalue}`;
      this.writeLog(`exception in ${where}: ${stack}`);
      this.publish('error', {
        ename,
        evalue: `in ${where}: ${evalue}`,
        traceback: [`Exception in ${where}`, ...stack.split('\n')],
      });
    } catch (reportFailure) {
      this.writeLog(`could not report an exception: ${String(reportFailure)}`);
    }
  }

  private async serve(socket: zmq.Router, name: string): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: WireMessage;
        try {
          message = decodeMessage(frames, this.signer);
        } catch (error) {
          this.stats.dropped++;
          this.writeLog(`dropped a message on ${name}: ${(error as Error).message}`);
          continue;
        }
        this.stats.handled++;
        const context: RequestContext = { header: message.header };
        void this.context.run(context, () => this.dispatch(socket, message, context));
      }
    } catch (error) {
      if (!this.closing) this.writeLog(`${name} socket failed: ${String(error)}`);
    }
  }

  /** Reads and drops whatever comes on stdin; logs the 1st, 10th, 100th, ... drop. */
  private async drainStdin(): Promise<void> {
    let dropped = 0;
    try {
      // The frames are never looked at: counting them is all.
      for await (const frames of this.stdin) {
        dropped += frames.length > 0 ? 1 : 0;
        if (/^10*$/.test(String(dropped))) {
          this.writeLog(
            `dropped a message on stdin (this kernel never asks for input); ${dropped} so far`,
          );
        }
      }
    } catch (error) {
      if (!this.closing) this.writeLog(`stdin socket failed: ${String(error)}`);
    }
  }

  private async serveHeartbeat(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (error) {
      if (!this.closing) this.writeLog(`heartbeat failed: ${String(error)}`);
    }
  }

  private async dispatch(
    socket: zmq.Router,
    message: WireMessage,
    context: RequestContext,
  ): Promise<void> {
    const services = this.services;
    const runtime = this.runtime;
    if (services === null || runtime === null) throw new Error('KernelServer.attach() not called');
    const msgType = message.header.msg_type;
    const content = isPlainObject(message.content) ? (message.content as JsonObject) : {};
    let replied = false;
    const reply = (replyType: string, replyContent: JsonObject): void => {
      replied = true;
      this.send(
        socket,
        encodeMessage(
          {
            identities: message.identities,
            msgType: replyType,
            session: this.session,
            parentHeader: message.header,
            content: replyContent,
          },
          this.signer,
        ),
      );
    };
    let shutdown = false;
    // `busy` goes out when handling starts: a queued cell or comm message is not being handled
    // yet, and after "Run All" the status must read busy while cells run, idle between none.
    let busy = false;
    const publishBusy = (): void => {
      busy = true;
      this.publish('status', { execution_state: 'busy' });
    };
    const queued = msgType === 'execute_request' || isCommMsgType(msgType);
    if (!queued) publishBusy();
    try {
      switch (msgType) {
        case 'kernel_info_request':
          reply('kernel_info_reply', services.kernelInfo());
          break;
        case 'execute_request': {
          context.payloads = [];
          const replyContent = await services.execute(message.content, () => {
            this.lastExecuteHeader = message.header;
            publishBusy();
          });
          if (replyContent['status'] === 'ok') replyContent['payload'] = context.payloads;
          reply('execute_reply', replyContent);
          break;
        }
        case 'is_complete_request':
          reply('is_complete_reply', services.isComplete(content));
          break;
        case 'inspect_request':
          reply('inspect_reply', services.inspect(content));
          break;
        case 'complete_request':
          reply('complete_reply', services.complete(content));
          break;
        case 'history_request':
          reply('history_reply', services.history(content));
          break;
        case 'comm_info_request': {
          const target = content['target_name'];
          reply('comm_info_reply', {
            status: 'ok',
            comms: runtime.comms.info(typeof target === 'string' ? target : undefined),
          });
          break;
        }
        case 'comm_open':
        case 'comm_msg':
        case 'comm_close':
          await this.enqueueComm(message, msgType, publishBusy);
          break;
        case 'interrupt_request':
          services.interrupt();
          reply('interrupt_reply', { status: 'ok' });
          break;
        case 'shutdown_request':
          reply('shutdown_reply', { status: 'ok', restart: content['restart'] === true });
          shutdown = true;
          break;
        default:
          this.writeLog(`unsupported message type ${msgType} ignored`);
      }
    } catch (error) {
      // A request the handlers could not serve (e.g. missing fields) still gets a reply.
      const text = error instanceof Error ? error.message : String(error);
      this.writeLog(`failed to handle ${msgType}: ${text}`);
      if (!replied && msgType.endsWith('_request')) {
        reply(msgType.replace(/_request$/, '_reply'), {
          status: 'error',
          ename: error instanceof Error ? error.name : 'Error',
          evalue: text,
          traceback: [text],
        });
      }
    } finally {
      // A request refused before it was queued still gets its busy/idle pair.
      if (!busy) publishBusy();
      this.publish('status', { execution_state: 'idle' });
    }
    if (shutdown) await this.shutdown();
  }

  /** Comm messages run one after another (in arrival order), independent of the cell queue. */
  private enqueueComm(
    message: WireMessage,
    msgType: CommMsgType,
    onStart: () => void,
  ): Promise<void> {
    const runtime = this.runtime as WidgetRuntime;
    const run = this.commQueue.then(async () => {
      onStart();
      try {
        await runtime.comms.handle(
          msgType,
          message.content,
          message.metadata,
          message.buffers,
          message.header.msg_id,
        );
      } catch (error) {
        if (error instanceof MalformedCommMessageError) this.reportError(error, msgType);
        else throw error;
      }
    });
    this.commQueue = run.catch(() => undefined);
    return run;
  }

  private send(socket: zmq.Socket & { send(frames: Buffer[]): Promise<void> }, frames: Buffer[]) {
    const previous = this.sendChains.get(socket) ?? Promise.resolve();
    const next = previous
      .then(() => socket.send(frames))
      .catch((error: unknown) => {
        if (!this.closing) this.writeLog(`send failed: ${String(error)}`);
      });
    this.sendChains.set(socket, next);
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.sendChains.values());
    this.closing = true;
    this.services?.close();
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) {
      socket.close();
    }
    this.onShutdown();
  }
}
