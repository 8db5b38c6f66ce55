import type { JsonObject } from '../json';
import type { KernelChannel } from '../runtime/channel';
import type { CommMessageHandler, IncomingCommMessage } from './comm-message';

/** Options of an outgoing comm message. */
export interface CommSendOptions {
  /** The message's `metadata` part. */
  metadata?: JsonObject;
  /** Binary buffers, sent as raw frames. */
  buffers?: readonly Uint8Array[];
}

/**
 * One end of a Jupyter comm: a bidirectional channel identified by `commId` between a kernel object
 * and a front-end object. Created by {@link CommManager.open} (kernel side) or handed to a target
 * handler when the front end opens it.
 */
export class Comm {
  private readonly messageHandlers = new Set<CommMessageHandler>();
  private readonly closeHandlers = new Set<CommMessageHandler>();
  private isClosed = false;

  /** @internal Use {@link CommManager.open}. */
  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly channel: KernelChannel,
    private readonly onClosed: (comm: Comm) => void,
  ) {}

  /** True once either side closed the comm. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Sends `data` to the front end as a `comm_msg`. Throws if the comm is closed, because a silent drop
   * would hide a bug in the caller.
   */
  send(data: JsonObject, options: CommSendOptions = {}): void {
    if (this.isClosed) {
      throw new Error(
        `tslab-widgets: comm ${this.commId} (target ${this.targetName}) is closed; ` +
          `cannot send on it. Create a new comm or widget instead.`,
      );
    }
    this.channel.publish(
      'comm_msg',
      { comm_id: this.commId, data },
      { metadata: options.metadata, buffers: options.buffers },
    );
  }

  /** Closes the comm and tells the front end (`comm_close`). Closing twice does nothing. */
  close(data: JsonObject = {}, options: CommSendOptions = {}): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.channel.publish(
      'comm_close',
      { comm_id: this.commId, data },
      { metadata: options.metadata, buffers: options.buffers },
    );
    this.onClosed(this);
  }

  /** Registers a handler for messages from the front end. Returns a function that removes it. */
  onMsg(handler: CommMessageHandler): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  /** Registers a handler for the front end closing the comm. Returns a function that removes it. */
  onClose(handler: CommMessageHandler): () => void {
    this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  /** @internal Called by the comm manager for an incoming `comm_msg`. */
  async dispatchMessage(message: IncomingCommMessage): Promise<void> {
    await this.runAll(this.messageHandlers, message, 'comm_msg');
  }

  /** @internal Called by the comm manager for an incoming `comm_close`. */
  async dispatchClose(message: IncomingCommMessage): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClosed(this);
    await this.runAll(this.closeHandlers, message, 'comm_close');
  }

  /** Runs every handler; one handler's exception is reported and does not stop the others. */
  private async runAll(
    handlers: ReadonlySet<CommMessageHandler>,
    message: IncomingCommMessage,
    kind: string,
  ): Promise<void> {
    for (const handler of [...handlers]) {
      try {
        await handler(message);
      } catch (error) {
        this.channel.reportError(
          error,
          `${kind} handler of comm ${this.commId} (target ${this.targetName})`,
        );
      }
    }
  }
}
