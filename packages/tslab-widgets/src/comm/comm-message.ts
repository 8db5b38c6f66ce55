import type { JsonObject } from '../json';

/** A comm message received from the front end (`comm_open`, `comm_msg` or `comm_close`). */
export interface IncomingCommMessage {
  /** `comm_open`, `comm_msg` or `comm_close`. */
  readonly msgType: 'comm_open' | 'comm_msg' | 'comm_close';
  /** The comm id the message is for. */
  readonly commId: string;
  /** `content.data` of the message (`{}` when absent). */
  readonly data: JsonObject;
  /** The message's `metadata` part. */
  readonly metadata: JsonObject;
  /** Raw binary frames that came after the content, as fresh (aligned) copies. */
  readonly buffers: readonly Uint8Array[];
  /** `msg_id` of the Jupyter message, for logging. */
  readonly msgId: string;
}

/** Handles a message on an open comm. May be async; a rejection is reported like a throw. */
export type CommMessageHandler = (message: IncomingCommMessage) => void | Promise<void>;
