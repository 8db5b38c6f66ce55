import { randomUUID } from 'crypto';
import type { JsonObject } from '../json';
import { isPlainObject, setOwn } from '../json';
import type { KernelChannel } from '../runtime/channel';
import type { CommSendOptions } from './comm';
import { Comm } from './comm';
import type { IncomingCommMessage } from './comm-message';

/** Called when the front end opens a comm to a registered target. */
export type CommTargetHandler = (comm: Comm, open: IncomingCommMessage) => void | Promise<void>;

/** Options of {@link CommManager.open}. */
export interface CommOpenOptions extends CommSendOptions {
  /** The comm id; a random UUID (hex, no dashes) by default. */
  commId?: string;
}

/** The comm message types the manager handles. */
export type CommMsgType = 'comm_open' | 'comm_msg' | 'comm_close';

/** Thrown for a comm message whose content does not follow the Jupyter messaging spec. */
export class MalformedCommMessageError extends Error {
  constructor(msgType: string, problem: string) {
    super(`malformed ${msgType}: ${problem}`);
    this.name = 'MalformedCommMessageError';
  }
}

/**
 * Open comms and comm targets of the kernel. The kernel server feeds it the comm messages it
 * receives ({@link CommManager.handle}); widgets and other kernel code open comms with
 * {@link CommManager.open}.
 */
export class CommManager {
  private readonly comms = new Map<string, Comm>();
  private readonly targets = new Map<string, CommTargetHandler>();

  constructor(private readonly channel: KernelChannel) {}

  /** Opens a comm from the kernel: publishes `comm_open` to `targetName` with `data`. */
  open(targetName: string, data: JsonObject = {}, options: CommOpenOptions = {}): Comm {
    const commId = options.commId ?? randomUUID().replace(/-/g, '');
    if (this.comms.has(commId)) {
      throw new Error(`tslab-widgets: a comm with id ${commId} is already open; pick another id.`);
    }
    const comm = this.createComm(commId, targetName);
    this.channel.publish(
      'comm_open',
      { comm_id: commId, target_name: targetName, data },
      { metadata: options.metadata, buffers: options.buffers },
    );
    return comm;
  }

  /**
   * Registers the handler for comms the front end opens to `targetName`, replacing an earlier one.
   * Returns a function that unregisters it.
   */
  registerTarget(targetName: string, handler: CommTargetHandler): () => void {
    this.targets.set(targetName, handler);
    return () => {
      if (this.targets.get(targetName) === handler) this.targets.delete(targetName);
    };
  }

  /** The open comm with this id, if any. */
  get(commId: string): Comm | undefined {
    return this.comms.get(commId);
  }

  /** Open comms, optionally only those of one target, as `comm_info_reply` wants them. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const result: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (targetName === undefined || comm.targetName === targetName) {
        // Comm ids come from the front end: `__proto__` must stay a key, not a prototype.
        setOwn(result, comm.commId, { target_name: comm.targetName });
      }
    }
    return result;
  }

  /** Number of open comms. */
  get size(): number {
    return this.comms.size;
  }

  /**
   * Handles a comm message from the front end. Malformed content throws
   * {@link MalformedCommMessageError}; exceptions of user handlers are reported through the channel
   * and never propagate.
   */
  async handle(
    msgType: CommMsgType,
    content: unknown,
    metadata: JsonObject,
    buffers: readonly Uint8Array[],
    msgId: string,
  ): Promise<void> {
    const message = parseIncoming(msgType, content, metadata, buffers, msgId);
    switch (msgType) {
      case 'comm_open':
        await this.handleOpen(message, (content as { target_name: string }).target_name);
        return;
      case 'comm_msg': {
        const comm = this.comms.get(message.commId);
        if (comm === undefined) {
          this.answerUnknownComm(message);
          return;
        }
        await comm.dispatchMessage(message);
        return;
      }
      case 'comm_close': {
        const comm = this.comms.get(message.commId);
        if (comm === undefined) {
          this.channel.log(`comm_close for unknown comm ${message.commId} ignored`);
          return;
        }
        await comm.dispatchClose(message);
        return;
      }
    }
  }

  private async handleOpen(message: IncomingCommMessage, targetName: string): Promise<void> {
    const handler = this.targets.get(targetName);
    if (handler === undefined) {
      // The spec asks the kernel to close a comm it cannot serve, so the front end does not wait.
      this.channel.log(`comm_open to unknown target ${targetName}; closing comm ${message.commId}`);
      this.channel.publish('comm_close', { comm_id: message.commId, data: {} });
      return;
    }
    if (this.comms.has(message.commId)) {
      this.channel.log(`comm_open for already open comm ${message.commId} ignored`);
      return;
    }
    const comm = this.createComm(message.commId, targetName);
    try {
      await handler(comm, message);
    } catch (error) {
      this.channel.reportError(error, `comm target ${targetName} (comm ${message.commId})`);
      comm.close();
    }
  }

  /** A message for a comm the kernel does not know: tell the front end it is gone. */
  private answerUnknownComm(message: IncomingCommMessage): void {
    this.channel.log(`comm_msg for unknown comm ${message.commId}; answering comm_close`);
    this.channel.publish('comm_close', { comm_id: message.commId, data: {} });
  }

  private createComm(commId: string, targetName: string): Comm {
    const comm = new Comm(commId, targetName, this.channel, (closed) => {
      if (this.comms.get(closed.commId) === closed) this.comms.delete(closed.commId);
    });
    this.comms.set(commId, comm);
    return comm;
  }
}

function parseIncoming(
  msgType: CommMsgType,
  content: unknown,
  metadata: JsonObject,
  buffers: readonly Uint8Array[],
  msgId: string,
): IncomingCommMessage {
  if (!isPlainObject(content)) {
    throw new MalformedCommMessageError(msgType, 'content is not an object');
  }
  const commId = content['comm_id'];
  if (typeof commId !== 'string' || commId.length === 0) {
    throw new MalformedCommMessageError(msgType, 'content.comm_id must be a non-empty string');
  }
  if (msgType === 'comm_open' && typeof content['target_name'] !== 'string') {
    throw new MalformedCommMessageError(msgType, 'content.target_name must be a string');
  }
  const data = content['data'] ?? {};
  if (!isPlainObject(data)) {
    throw new MalformedCommMessageError(msgType, 'content.data must be an object when present');
  }
  return { msgType, commId, data: data as JsonObject, metadata, buffers, msgId };
}
