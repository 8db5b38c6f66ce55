/**
 * tslab-widgets: Jupyter comms and the kernel side of the Jupyter widget protocol for the tslab
 * TypeScript kernel. In a notebook running the `tslab-widgets` kernel, `require('tslab-widgets')`
 * returns the API below, connected to the kernel.
 */
export type { JsonObject, JsonValue, WireObject, WireValue } from './json';
export { setOwn } from './json';
export { Comm } from './comm/comm';
export type { CommSendOptions } from './comm/comm';
export type { CommMessageHandler, IncomingCommMessage } from './comm/comm-message';
export { CommManager, MalformedCommMessageError } from './comm/comm-manager';
export type { CommOpenOptions, CommTargetHandler, CommMsgType } from './comm/comm-manager';
export { MIME_BUNDLE, clearOutput, display, escapeHtml, isDisplayable, page } from './display';
export type { Displayable, DisplayOptions, MimeBundle } from './display';
export type { KernelChannel, PublishOptions } from './runtime/channel';
export { findRuntime, getRuntime, RUNTIME_SLOT } from './runtime/runtime';
export type { WidgetRuntime } from './runtime/runtime';
export type { WidgetRegistry, WidgetStateSource } from './runtime/widget-registry';
export { installLocalRuntime } from './runtime/local-runtime';
export type { LocalRuntime, RecordedError, RecordedMessage } from './runtime/local-runtime';
export { BufferPathError, insertBuffers, removeBuffers } from './widget/buffers';
export type { BufferPath, SplitState } from './widget/buffers';
export { CONTROL_TARGET } from './widget/control';
export { kernelOwned, TraitError, traits } from './widget/traits';
export type {
  TraitOwnership,
  TraitSerializer,
  TraitSerializers,
  TraitValidator,
  TraitValidators,
  TypedArrayConstructor,
} from './widget/traits';
export { Widget, WIDGET_PROTOCOL_VERSION, WIDGET_TARGET } from './widget/widget';
export type {
  BinaryValue,
  ChangeListener,
  ChangeSource,
  CustomMessageListener,
  ModuleRef,
  TraitChange,
  WidgetOptions,
} from './widget/widget';

import type { Comm } from './comm/comm';
import type { CommOpenOptions, CommTargetHandler } from './comm/comm-manager';
import type { JsonObject } from './json';
import { getRuntime } from './runtime/runtime';

/** Opens a comm from the kernel to the front-end target `targetName`. */
export function openComm(
  targetName: string,
  data: JsonObject = {},
  options?: CommOpenOptions,
): Comm {
  return getRuntime().comms.open(targetName, data, options);
}

/** Handles comms the front end opens to `targetName`. Returns a function that unregisters it. */
export function registerCommTarget(targetName: string, handler: CommTargetHandler): () => void {
  return getRuntime().comms.registerTarget(targetName, handler);
}
