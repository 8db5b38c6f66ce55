import type { JsonObject } from '../json';

/** Options of a message published by the kernel. */
export interface PublishOptions {
  /** The message's `metadata` part. Defaults to `{}`. */
  metadata?: JsonObject;
  /** Binary buffers, sent as raw ZeroMQ frames after the content. */
  buffers?: readonly Uint8Array[];
}

/**
 * What the comm layer needs from the kernel. The kernel server implements it; outside a kernel a local
 * stand-in does (see {@link installLocalRuntime}).
 *
 * Every message is parented by the kernel to the request being handled when it is sent: the
 * execute_request of the running cell, or the comm message whose handler is running.
 */
export interface KernelChannel {
  /** Publishes an IOPub message (`comm_open`, `comm_msg`, `display_data`, ...). */
  publish(msgType: string, content: JsonObject, options?: PublishOptions): void;
  /**
   * Reports an exception thrown by user code outside the normal execute path (a comm handler, a change
   * listener) to the front end as an IOPub `error` message, and to the kernel log. Never throws.
   */
  reportError(error: unknown, where: string): void;
  /**
   * Adds a payload (for example `{source: 'page', data, start}`) to the reply of the running
   * execute_request. Returns false when no cell is running.
   */
  addPayload(payload: JsonObject): boolean;
  /** Writes a line to the kernel's log (the kernel process's real stderr, not a cell's output). */
  log(message: string): void;
}
