/**
 * The wasm heap on transparent huge pages. Every page the heap grows into is faulted in on its
 * first touch, and on this project's 2-core VMs a 4 KiB fault cost ~12 µs (a C benchmark filled
 * 9.4 MB in 27–33 ms on first touch, 3.6 ms with huge pages). Explanations allocate their
 * activations, relevance and each rule's rewritten weights (w⁺) in the heap, so
 * a model's first explanations and each rule's first use were largely page faults. In THP mode
 * "madvise" (this project's machines') Linux gives huge pages only to memory that asks. V8
 * reserves a wasm memory's address space up front and makes it accessible as the heap grows, so
 * advice over the reservation also covers growth to come.
 */
import * as tf from '@tensorflow/tfjs';
import { types } from 'util';
import type { OneDnnAddon } from './onednn-addon';

/** A 32-bit wasm memory's whole address space: what the heap can grow to. */
const WASM32_ADDRESS_SPACE = 2 ** 32;

/**
 * Asks for huge pages for this thread's wasm heap, now and as it grows; whether Linux took it.
 * A threaded wasm build's heap is a SharedArrayBuffer, which Node-API does not hand to an addon:
 * it keeps small pages.
 */
export function adviseHugePagesForWasmHeap(addon: OneDnnAddon): boolean {
  // The Emscripten module's heap view, which tfjs' declared module types leave out.
  const backend = tf.findBackend('wasm') as unknown as { wasm?: { HEAPU8?: Uint8Array } } | null;
  const heap = backend?.wasm?.HEAPU8?.buffer;
  // Not `instanceof`: a heap made in another realm (a jest test's) is an ArrayBuffer too.
  if (!types.isArrayBuffer(heap)) return false;
  return addon.adviseHugePages(heap, WASM32_ADDRESS_SPACE);
}
