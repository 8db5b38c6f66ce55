import { Worker } from 'worker_threads';
import { LOOP_GUARD } from './loop-guard';

/**
 * Thrown by a cell's loop after an interrupt (SIGINT) arrived while the cell ran, and reported for
 * a cell interrupted before it ran (see execution.ts).
 */
export class CellInterruptedError extends Error {
  constructor(
    message = 'Interrupted: the kernel received an interrupt (SIGINT) while this loop ran',
  ) {
    super(message);
    this.name = 'CellInterruptedError';
  }
}

/** Word 0 of the shared state: no cell, a cell, an interrupted cell. */
const STATE = 0;
const IDLE = 0;
const RUNNING = 1;
const INTERRUPTED = 2;
/** Word 1: how many commands the watcher carried out (the main thread waits on it). */
const DONE = 1;
/** Word 2: how many SIGINTs the watcher saw. */
const SEEN = 2;
/**
 * How long the main thread gives the watcher to count a SIGINT both saw before deciding the
 * watcher missed it (it was paused): the watcher's thread is idle and counts within microseconds.
 */
const MISSED_AFTER_MS = 50;
/** The loop guard reads the shared state on every this-many calls. */
const GUARD_PERIOD = 1024;
/** How long the main thread waits for the watcher to carry out a command. */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * The watcher thread. `process.on('SIGINT')` is not delivered in worker threads, but a signal
 * watcher from Node's signal binding is (each thread's event loop gets its own notification), and
 * it runs while the main thread is stuck in a loop. `process.binding` is deprecated (DEP0111);
 * its warning is silenced because it would reach the notebook as the cell's stderr.
 *
 * The watcher stops while tslab's `vm.runInThisContext` runs a cell's synchronous part: with
 * `breakOnSigint` it swaps the process's SIGINT handler, and afterwards Node reinstalls libuv's
 * handler only when no signal watcher is left running; one left running here would leave SIGINT
 * fatal. Node's own watchdog interrupts that synchronous part meanwhile.
 */
const WATCHER_SOURCE = `
const { workerData, parentPort } = require('worker_threads');
const { constants } = require('os');
process.noDeprecation = true;
const state = new Int32Array(workerData);
let watcher = null;
try {
  const { Signal } = process.binding('signal_wrap');
  watcher = new Signal();
  watcher.onsignal = () => {
    Atomics.add(state, ${SEEN}, 1);
    Atomics.compareExchange(state, ${STATE}, ${RUNNING}, ${INTERRUPTED});
    parentPort.postMessage({ signal: 'SIGINT' });
  };
  const status = watcher.start(constants.signals.SIGINT);
  if (status !== 0) throw new Error('uv_signal_start failed with ' + status);
  parentPort.postMessage({ ready: true });
} catch (error) {
  watcher = null;
  parentPort.postMessage({ problem: String((error && error.message) || error) });
}
parentPort.on('message', (command) => {
  if (watcher !== null && command === 'pause') watcher.stop();
  if (watcher !== null && command === 'resume') watcher.start(constants.signals.SIGINT);
  Atomics.add(state, ${DONE}, 1);
  Atomics.notify(state, ${DONE});
});
`;

/**
 * Makes loops in cells interruptible while they block the event loop: a watcher thread marks the
 * running cell interrupted on SIGINT, and the loop guard that every loop of a cell calls (see
 * loop-guard.ts) throws {@link CellInterruptedError}. The main thread's own SIGINT handling
 * (tslab's interrupt of a pending `await`, Node's `breakOnSigint` for synchronous code) stays.
 */
export class InterruptWatch {
  private readonly state = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  /**
   * The watcher's count of SIGINTs at the main listener's last check, plus the SIGINTs the main
   * listener saw since: when the watcher's count stays below it, the watcher missed one.
   */
  private seenByMain = 0;
  private worker: Worker | null = null;
  /**
   * True once the watcher thread runs: from then on it, not the main thread's
   * `process.on('SIGINT')`, reports each interrupt (through `onSigint`). A signal the main thread
   * has not handled yet is lost when tslab's `vm` call takes the SIGINT listeners away; the
   * watcher's message is not.
   */
  private isWatching = false;

  /**
   * @param log - the kernel's log
   * @param onSigint - called on the main thread for each SIGINT, once its event loop is free
   */
  constructor(
    private readonly log: (message: string) => void,
    private readonly onSigint: () => void,
  ) {}

  /** Starts the watcher thread and installs the loop guard as a global. */
  start(): void {
    const state = this.state;
    let calls = 0;
    Object.defineProperty(globalThis, LOOP_GUARD, {
      value: (): void => {
        // An Atomics.load costs tens of nanoseconds, a tight loop iteration one: read the shared
        // state only on every GUARD_PERIOD-th call (a tight loop made ~5x slower, not ~15x).
        calls = (calls + 1) % GUARD_PERIOD;
        if (calls === 0 && Atomics.load(state, STATE) === INTERRUPTED) {
          throw new CellInterruptedError();
        }
      },
      configurable: true,
    });
    const worker = new Worker(WATCHER_SOURCE, {
      eval: true,
      workerData: state.buffer,
      stdout: true,
      stderr: true,
    });
    const report = (text: string): void =>
      this.log(`interrupt watcher: ${text.trim()}; loops after an await cannot be interrupted`);
    worker.on('message', (message: { signal?: string; ready?: boolean; problem?: string }) => {
      if (message.signal === 'SIGINT') this.onSigint();
      else if (message.ready === true) this.isWatching = true;
      else report(String(message.problem));
    });
    // A watcher that died must not keep claiming SIGINT: the kernel's own handler takes it back.
    const stopped = (): void => {
      this.isWatching = false;
      if (this.worker === worker) this.worker = null;
    };
    worker.on('error', (error) => {
      report(error.message);
      stopped();
    });
    worker.on('exit', stopped);
    worker.stderr.on('data', (chunk: Buffer) => report(chunk.toString('utf8')));
    worker.unref(); // the kernel exits on shutdown whatever the watcher does
    this.worker = worker;
  }

  /**
   * The main thread's `process.on('SIGINT')` listener. Before the watcher runs, it reports the
   * interrupt itself. Once the watcher runs, the watcher reports each SIGINT it saw; but while
   * it is paused around a cell's synchronous part (see {@link aroundScript}) a SIGINT that
   * arrives outside the script itself reaches only this listener, which then reports it: a
   * moment later, when the watcher's count shows it missed one.
   */
  mainThreadSigint(): void {
    if (!this.isWatching) {
      this.onSigint();
      return;
    }
    this.seenByMain++;
    setTimeout(() => {
      const seenByWatcher = Atomics.load(this.state, SEEN);
      if (seenByWatcher < this.seenByMain) {
        this.cellInterrupted();
        this.onSigint();
      }
      this.seenByMain = seenByWatcher;
    }, MISSED_AFTER_MS);
  }

  /** A cell starts: an interrupt from now on stops its loops. */
  cellStarted(): void {
    Atomics.store(this.state, STATE, RUNNING);
  }

  /** Runs `script` (a `vm.runInThisContext` with `breakOnSigint`) with the watcher stopped. */
  aroundScript<T>(script: () => T): T {
    this.command('pause');
    try {
      return script();
    } finally {
      this.command('resume');
    }
  }

  /**
   * An interrupt seen by the main thread (the cell was awaiting): its loops stop too, also those
   * that start after tslab gave up waiting for the cell.
   */
  cellInterrupted(): void {
    Atomics.compareExchange(this.state, STATE, RUNNING, INTERRUPTED);
  }

  /**
   * Whether the cell started last was interrupted. The watcher thread marks it the moment SIGINT
   * arrives, before its message reaches this thread's event loop: a SIGINT in the yield before a
   * cell runs is seen here even when the message has not been handled yet.
   */
  interrupted(): boolean {
    return Atomics.load(this.state, STATE) === INTERRUPTED;
  }

  /**
   * The cell ended. An interrupted cell stays interrupted until the next one starts: what is left
   * of it (a continuation after an `await`) must not loop on unguarded. Interrupts between cells
   * change nothing.
   */
  cellEnded(): void {
    Atomics.compareExchange(this.state, STATE, RUNNING, IDLE);
  }

  /** Stops the watcher thread. */
  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  /** Has the watcher carry out `command` and waits (briefly) until it has. */
  private command(command: 'pause' | 'resume'): void {
    if (this.worker === null) return;
    const done = Atomics.load(this.state, DONE);
    this.worker.postMessage(command);
    if (Atomics.wait(this.state, DONE, done, COMMAND_TIMEOUT_MS) === 'timed-out') {
      this.log(`interrupt watcher did not ${command} within ${COMMAND_TIMEOUT_MS} ms`);
    }
  }
}
