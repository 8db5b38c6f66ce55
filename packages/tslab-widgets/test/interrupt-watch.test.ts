/**
 * The main thread's SIGINT listener (InterruptWatch.mainThreadSigint): before the watcher thread
 * runs it reports each interrupt itself; once the watcher runs, it reports only a SIGINT the
 * watcher's count shows it missed (paused around a cell's synchronous part). No real signal is
 * sent here (it would reach the test process): a call with no SIGINT counted by the watcher is
 * exactly what a missed one looks like.
 */
import { InterruptWatch } from '../src/kernel/interrupt-watch';

/** Resolves once the watcher thread has started watching (it reports that asynchronously). */
async function watching(watch: InterruptWatch): Promise<void> {
  // Safe: reads the flag the watcher's "ready" message sets; there is no other way to wait for it.
  const state = watch as unknown as { isWatching: boolean };
  for (let waited = 0; !state.isWatching; waited += 10) {
    if (waited > 10_000) throw new Error('the watcher thread did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('InterruptWatch.mainThreadSigint', () => {
  it('reports at once while the watcher thread is not running', () => {
    const onSigint = jest.fn();
    const watch = new InterruptWatch(() => undefined, onSigint);
    watch.mainThreadSigint();
    expect(onSigint).toHaveBeenCalledTimes(1);
  });

  it('reports a SIGINT the running watcher missed, once, and marks the running cell', async () => {
    const onSigint = jest.fn();
    const watch = new InterruptWatch(() => undefined, onSigint);
    watch.start();
    try {
      await watching(watch);
      watch.cellStarted();
      watch.mainThreadSigint();
      expect(onSigint).not.toHaveBeenCalled(); // it gives the watcher a moment first
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(onSigint).toHaveBeenCalledTimes(1);
      expect(watch.interrupted()).toBe(true);
      watch.cellEnded();
    } finally {
      watch.close();
    }
  });
});
