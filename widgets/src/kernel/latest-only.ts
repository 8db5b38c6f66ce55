/**
 * Runs only the newest of queued requests. A request is handled on a later turn of the event
 * loop, so that what the caller sends first (a `busy` update) leaves the kernel before the work
 * blocks it, and so that a request arriving meanwhile replaces the waiting one: a second click
 * during a computation supersedes the first instead of queueing behind it.
 */
export class LatestOnly<T> {
  private waiting: T | undefined;
  private running: Promise<void> | undefined;

  /** @param handle - does the work of one request (errors are the handler's to report) */
  constructor(private readonly handle: (request: T) => void) {}

  /** Queues `request`, replacing any request that has not started yet. */
  submit(request: T): void {
    this.waiting = request;
    this.running ??= this.drain();
  }

  /** Settles when every submitted request has been handled or superseded. */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting !== undefined) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const request = this.waiting;
        this.waiting = undefined;
        if (request !== undefined) this.handle(request);
      }
    } finally {
      this.running = undefined;
    }
  }
}
