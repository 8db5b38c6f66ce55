import type { CommMsgType } from '../comm/comm-manager';
import type { JsonObject } from '../json';
import type { KernelChannel, PublishOptions } from './channel';
import type { RuntimeOptions, WidgetRuntime } from './runtime';
import { installRuntime } from './runtime';

/** A message the local runtime would have sent to the front end. */
export interface RecordedMessage {
  msgType: string;
  content: JsonObject;
  metadata: JsonObject;
  buffers: Uint8Array[];
}

/** An error the local runtime would have reported to the front end. */
export interface RecordedError {
  error: unknown;
  where: string;
}

/** A runtime without a kernel, for unit tests of widgets built on this package. */
export interface LocalRuntime {
  readonly runtime: WidgetRuntime;
  /** Everything published so far, oldest first (clear it with `sent.length = 0`). */
  readonly sent: RecordedMessage[];
  /** Errors reported so far (exceptions in handlers and listeners, rejected trait values). */
  readonly errors: RecordedError[];
  /** Payloads added to the (imaginary) running cell's reply. */
  readonly payloads: JsonObject[];
  /** Feeds a comm message as if the front end had sent it; resolves once it is handled. */
  deliver(
    msgType: CommMsgType,
    content: JsonObject,
    options?: { metadata?: JsonObject; buffers?: readonly Uint8Array[] },
  ): Promise<void>;
}

/**
 * Installs a runtime that records what would go to the front end, replacing the current runtime.
 * Use it in unit tests of widgets; inside a real kernel, never call it.
 */
export function installLocalRuntime(options: RuntimeOptions = {}): LocalRuntime {
  const sent: RecordedMessage[] = [];
  const errors: RecordedError[] = [];
  const payloads: JsonObject[] = [];
  let counter = 0;
  const channel: KernelChannel = {
    publish(msgType: string, content: JsonObject, options: PublishOptions = {}) {
      sent.push({
        msgType,
        content: JSON.parse(JSON.stringify(content)) as JsonObject,
        metadata: options.metadata ?? {},
        buffers: (options.buffers ?? []).map((buffer) => new Uint8Array(buffer)),
      });
    },
    reportError(error: unknown, where: string) {
      errors.push({ error, where });
    },
    addPayload(payload: JsonObject) {
      payloads.push(payload);
      return true;
    },
    log: () => undefined,
  };
  const runtime = installRuntime(channel, false, options);
  return {
    runtime,
    sent,
    errors,
    payloads,
    deliver: (msgType, content, options = {}) =>
      runtime.comms.handle(
        msgType,
        content,
        options.metadata ?? {},
        (options.buffers ?? []).map((buffer) => new Uint8Array(buffer)),
        `local-${++counter}`,
      ),
  };
}
