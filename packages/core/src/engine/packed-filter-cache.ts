/**
 * The native convolutions' copies of filters, reordered into oneDNN's layout. Reordering costs
 * about as much as reading the filter, so it is done once per filter tensor and kept while that
 * tensor lives: a model's weights, and the flipped and rewritten kernels its layers keep. A plan
 * that flips its filter (native-convolution.ts, conv2dWithFlippedKernel) packs the flipped kernel
 * under the unflipped one's tensor; an own Winograd plan packs the kernel's transform, one copy for
 * the convolution and its transpose (native-convolution.ts, OWN_WINOGRAD_FILTERS).
 *
 * Keyed by the tensor's data id, never by its address in the wasm heap: the heap reuses addresses
 * after a dispose, and a key by address would convolve with a dead tensor's weights. Copies of
 * disposed tensors are released by a sweep that checks a few copies per call, and all of them
 * before a new copy is packed; the total is bounded (least recently used first).
 */
import type { OneDnnAddon, NativePackedFilter, NativePlan } from './onednn-addon';

/** What the cache holds now (see `nativeFilterCache()`). */
export interface PackedFilterCacheUsage {
  /** Packed filters kept. */
  readonly filters: number;
  /** Their bytes, in native memory (outside the wasm heap and the JS heap). */
  readonly bytes: number;
  /** The most bytes kept before the least recently used are released. */
  readonly limitBytes: number;
}

interface Entry {
  readonly dataId: object;
  readonly packed: NativePackedFilter;
  readonly bytes: number;
}

/** Default bound: VGG16's convolution kernels (59 MB) with a flipped and two rewritten copies fit. */
export const DEFAULT_PACKED_FILTER_LIMIT_BYTES = 512 * 1024 * 1024;

export class PackedFilterCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  private bytes = 0;
  /** Where the liveness sweep resumes (see {@link releaseDisposed}). */
  private sweep: Iterator<[string, Entry]> | undefined;

  constructor(
    private readonly addon: OneDnnAddon,
    private readonly limitBytes: number = DEFAULT_PACKED_FILTER_LIMIT_BYTES,
  ) {}

  /**
   * The packed copy of the filter whose tensor has data id `dataId`, for `plan` and the plans that
   * share its layout (named `filterKey`: one copy per filter and name); `read` gives the filter's
   * values when it must be packed.
   */
  packed(
    dataId: object,
    plan: NativePlan,
    filterKey: string,
    packedBytes: number,
    read: () => Float32Array,
  ): NativePackedFilter {
    const key = `${this.idOf(dataId)}|${filterKey}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.packed;
    }
    const packed = this.addon.packFilter(plan, read());
    this.entries.set(key, { dataId, packed, bytes: packedBytes });
    this.bytes += packedBytes;
    this.evictOverLimit();
    return packed;
  }

  /** Whether the copy of the filter with data id `dataId` for the plans named `filterKey` is kept. */
  holds(dataId: object, filterKey: string): boolean {
    const id = this.ids.get(dataId);
    return id !== undefined && this.entries.has(`${id}|${filterKey}`);
  }

  /**
   * Releases the copies of tensors that no longer exist (`alive` says which do): all of them, or
   * only the next `limit` copies of a sweep that resumes where the last call stopped. Why a sweep:
   * checking every copy on every convolution cost 2.4–3.4 ms of a ResNet-50 explanation (about
   * 210 copies, 158 calls); a copy moved to the end by a hit is met again later, so every copy is
   * checked once the sweep, advancing `limit` per call, passes the end.
   */
  releaseDisposed(alive: (dataId: object) => boolean, limit = Infinity): void {
    if (limit === Infinity) this.sweep = undefined;
    this.sweep ??= this.entries.entries();
    for (let checked = 0; checked < limit; checked++) {
      const next = this.sweep.next();
      if (next.done) {
        this.sweep = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (!alive(entry.dataId)) this.release(key, entry);
    }
  }

  /** Releases every copy. */
  clear(): void {
    this.sweep = undefined;
    for (const [key, entry] of this.entries) this.release(key, entry);
  }

  usage(): PackedFilterCacheUsage {
    return { filters: this.entries.size, bytes: this.bytes, limitBytes: this.limitBytes };
  }

  private evictOverLimit(): void {
    for (const [key, entry] of this.entries) {
      // The newest entry stays even when it alone is over the limit: the call needs it.
      if (this.bytes <= this.limitBytes || this.entries.size === 1) return;
      this.release(key, entry);
    }
  }

  private release(key: string, entry: Entry): void {
    this.addon.releaseFilter(entry.packed);
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private idOf(dataId: object): number {
    let id = this.ids.get(dataId);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(dataId, id);
    }
    return id;
  }
}
