import { createHmac, randomUUID, timingSafeEqual } from 'crypto';
import type { JsonObject } from '../json';
import { isPlainObject } from '../json';

/** The Jupyter wire protocol version this kernel speaks. */
export const PROTOCOL_VERSION = '5.3';

const DELIMITER = Buffer.from('<IDS|MSG>');

/** A Jupyter message header. */
export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded, verified message. */
export interface WireMessage {
  /** ZeroMQ routing identities (for replies on ROUTER sockets). */
  identities: Buffer[];
  header: MessageHeader;
  /** The parent header; `{}` when the message has none. */
  parentHeader: JsonObject;
  metadata: JsonObject;
  /** The content, as sent; it is checked per message type by the handlers. */
  content: unknown;
  /** Extra frames after the content (binary buffers), as fresh copies. */
  buffers: Uint8Array[];
}

/** Why an incoming message was dropped. */
export class WireError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'WireError';
  }
}

/**
 * Signs outgoing and verifies incoming messages with the connection key (HMAC over header, parent
 * header, metadata and content, as the Jupyter spec requires). An empty key means signing is
 * disabled; then the signature is the empty string. Remembers recent signatures to refuse replays.
 */
export class MessageSigner {
  private readonly algorithm: string | null;
  private readonly seen = new Set<string>();

  constructor(
    private readonly key: string,
    scheme: string,
    private readonly replayWindow = 8192,
  ) {
    const match = /^hmac-([a-z0-9-]+)$/i.exec(scheme);
    if (key !== '' && match === null) {
      throw new WireError(
        `signature_scheme "${scheme}" is not supported; use hmac-<algorithm> (e.g. hmac-sha256)`,
      );
    }
    this.algorithm = key === '' ? null : (match as RegExpExecArray)[1].toLowerCase();
    if (this.algorithm !== null) createHmac(this.algorithm, key); // throws now for an unknown hash
  }

  /** The hex signature of the four JSON frames. */
  sign(frames: readonly Buffer[]): string {
    if (this.algorithm === null) return '';
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** Throws {@link WireError} unless `signature` is the right one and was not seen before. */
  verify(signature: string, frames: readonly Buffer[]): void {
    if (this.algorithm === null) return;
    if (signature === '') throw new WireError('unsigned message (the connection has a key)');
    const expected = Buffer.from(this.sign(frames), 'ascii');
    const actual = Buffer.from(signature, 'ascii');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new WireError('bad HMAC signature');
    }
    if (this.seen.has(signature)) throw new WireError('replayed message (duplicate signature)');
    this.seen.add(signature);
    if (this.seen.size > this.replayWindow) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
  }
}

function parseJsonObject(frame: Buffer, name: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new WireError(`${name} frame is not JSON`);
  }
  if (!isPlainObject(value)) throw new WireError(`${name} frame is not a JSON object`);
  return value as JsonObject;
}

/** Splits, verifies (before any parsing) and parses a multipart message. */
export function decodeMessage(frames: readonly Buffer[], signer: MessageSigner): WireMessage {
  const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiterAt < 0) throw new WireError('no <IDS|MSG> delimiter');
  if (frames.length < delimiterAt + 6) throw new WireError('fewer than 5 frames after delimiter');
  const signature = frames[delimiterAt + 1].toString('ascii');
  const signed = frames.slice(delimiterAt + 2, delimiterAt + 6);
  signer.verify(signature, signed);
  const header = parseJsonObject(signed[0], 'header');
  for (const field of ['msg_id', 'msg_type'] as const) {
    if (typeof header[field] !== 'string') throw new WireError(`header.${field} is not a string`);
  }
  let content: unknown;
  try {
    content = JSON.parse(signed[3].toString('utf8'));
  } catch {
    throw new WireError('content frame is not JSON');
  }
  return {
    identities: frames.slice(0, delimiterAt).map((frame) => Buffer.from(frame)),
    // Safe: msg_id and msg_type are checked above; the other fields are only echoed back.
    header: header as unknown as MessageHeader,
    parentHeader: parseJsonObject(signed[1], 'parent_header'),
    metadata: parseJsonObject(signed[2], 'metadata'),
    content,
    buffers: frames.slice(delimiterAt + 6).map((frame) => new Uint8Array(frame)),
  };
}

/** What is needed to encode an outgoing message. */
export interface OutgoingMessage {
  identities?: readonly Buffer[];
  msgType: string;
  session: string;
  parentHeader: MessageHeader | JsonObject;
  content: JsonObject;
  metadata?: JsonObject;
  buffers?: readonly Uint8Array[];
}

/** Builds the signed multipart frames of a message. */
export function encodeMessage(message: OutgoingMessage, signer: MessageSigner): Buffer[] {
  const header: MessageHeader = {
    msg_id: randomUUID(),
    session: message.session,
    username: 'kernel',
    date: new Date().toISOString(),
    msg_type: message.msgType,
    version: PROTOCOL_VERSION,
  };
  const signed = [header, message.parentHeader, message.metadata ?? {}, message.content].map(
    (part) => Buffer.from(JSON.stringify(part), 'utf8'),
  );
  return [
    ...(message.identities ?? []),
    DELIMITER,
    Buffer.from(signer.sign(signed), 'ascii'),
    ...signed,
    ...(message.buffers ?? []).map((buffer) =>
      Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    ),
  ];
}
