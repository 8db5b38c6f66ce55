/**
 * The slices of a dataset, handed out in order to whichever thread asks first: the workers of an
 * ExplainPool and this thread take them from one counter in shared memory, so a thread that is
 * free takes its next slice at once, without waiting for a message from another thread. After
 * {@link stop} nothing more is handed out (a failure, an abort): every thread ends with the slice
 * it holds.
 */
export class SliceQueue {
  private readonly next: Int32Array;

  private constructor(
    /** The memory the counter lives in: send it to a worker, which takes slices with {@link over}. */
    readonly buffer: SharedArrayBuffer,
    /** Slices `0 … count − 1`. */
    readonly count: number,
  ) {
    this.next = new Int32Array(buffer, 0, 1);
  }

  /** A new queue of slices `0 … count − 1`. */
  static create(count: number): SliceQueue {
    return new SliceQueue(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT), count);
  }

  /** The queue whose counter is in `buffer` (another thread's `SliceQueue.buffer`). */
  static over(buffer: SharedArrayBuffer, count: number): SliceQueue {
    return new SliceQueue(buffer, count);
  }

  /** The next slice nobody has taken, or `undefined` when none is left or the queue was stopped. */
  take(): number | undefined {
    const slice = Atomics.add(this.next, 0, 1);
    return slice < this.count ? slice : undefined;
  }

  /** Hands out nothing more, to any thread. Idempotent. */
  stop(): void {
    Atomics.store(this.next, 0, this.count);
  }

  /**
   * Runs `work` on every slice this thread takes, until none is left. Between two slices the
   * thread's event loop runs (a worker's messages; this thread's reports from the workers, an
   * abort). A failure stops the queue for every thread and rejects with it.
   */
  async drain(work: (slice: number) => void): Promise<void> {
    try {
      for (let slice = this.take(); slice !== undefined; slice = this.take()) {
        work(slice);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.stop();
      throw error;
    }
  }
}
