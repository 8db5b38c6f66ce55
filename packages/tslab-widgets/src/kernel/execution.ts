import { format, inspect } from 'util';
import { isDisplayable, MIME_BUNDLE } from '../display';
import type { JsonObject } from '../json';
import type { KernelChannel } from '../runtime/channel';
import type { ExecutionHistory } from './history';
import { CellInterruptedError } from './interrupt-watch';
import type { TslabConsole, TslabExecutor } from './tslab';

/** The fields of an `execute_request` this engine uses. */
export interface ExecuteRequest {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  stopOnError: boolean;
}

/** Parses an `execute_request` content, with the spec's defaults. */
export function parseExecuteRequest(content: unknown): ExecuteRequest {
  const body = (typeof content === 'object' && content !== null ? content : {}) as JsonObject;
  if (typeof body['code'] !== 'string') {
    throw new TypeError('execute_request content.code must be a string');
  }
  const silent = body['silent'] === true;
  return {
    code: body['code'],
    silent,
    storeHistory: !silent && body['store_history'] !== false,
    stopOnError: body['stop_on_error'] !== false,
  };
}

/** Told when a cell starts, when it is interrupted and when it ends (see interrupt-watch.ts). */
export interface CellLifecycle {
  cellStarted(): void;
  cellInterrupted(): void;
  cellEnded(): void;
  /**
   * Whether the cell started last was interrupted. A signal watcher may know before this thread's
   * event loop has delivered the interrupt.
   */
  interrupted(): boolean;
}

const NO_LIFECYCLE: CellLifecycle = {
  cellStarted: () => undefined,
  cellInterrupted: () => undefined,
  cellEnded: () => undefined,
  interrupted: () => false,
};

/** What the executor reported during one cell. */
interface Capture {
  hasValue: boolean;
  value: unknown;
  thrown: unknown[];
  diagnostics: string[];
}

/** An IOPub `error` content. */
interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
  [key: string]: string | string[];
}

/**
 * Runs cells one after another on tslab's executor and turns what it reports into Jupyter messages:
 * `execute_input`, the last expression's value as `execute_result` (tslab prints it to stdout),
 * failures as IOPub `error`, and the `execute_reply` content. Requests queued behind a failing
 * cell with `stop_on_error` are aborted.
 */
export class ExecutionEngine {
  /** The console handed to tslab's `createExecutor`. */
  readonly console: TslabConsole;
  private executor: TslabExecutor | null = null;
  private executionCount = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped by each failure with stop_on_error; requests queued under an older value abort. */
  private failureGeneration = 0;
  private capture: Capture | null = null;
  /**
   * Whether an interrupt arrived since the current cell published its execute_input. The engine
   * yields once there (so busy and execute_input reach the front end before a cell that blocks),
   * and an interrupt in that yield would reach tslab's executor before the cell exists and be lost.
   */
  private interruptedSinceStart = false;

  constructor(
    private readonly channel: KernelChannel,
    private readonly history: ExecutionHistory,
    private readonly lifecycle: CellLifecycle = NO_LIFECYCLE,
  ) {
    this.console = {
      log: (...args: unknown[]) => {
        // The executor logs exactly one value: the cell's last expression.
        if (this.capture) {
          this.capture.hasValue = true;
          this.capture.value = args[0];
        }
      },
      error: (...args: unknown[]) => {
        if (!this.capture) {
          this.channel.log(format(...args));
        } else if (args.length === 1) {
          this.capture.thrown.push(args[0]); // a runtime exception of the cell
        } else {
          this.capture.diagnostics.push(format(...args)); // a TypeScript diagnostic
        }
      },
    };
  }

  /** Sets the tslab executor (created with {@link ExecutionEngine.console}). */
  attach(executor: TslabExecutor): void {
    this.executor = executor;
  }

  /**
   * Queues a cell; resolves with the `execute_reply` content. `onStart` runs when it leaves the
   * queue, to run or to be aborted.
   */
  execute(request: ExecuteRequest, onStart: () => void): Promise<JsonObject> {
    const generation = this.failureGeneration;
    const run = this.queue.then(() => {
      onStart();
      if (generation !== this.failureGeneration) {
        return { status: 'aborted', execution_count: this.executionCount } as JsonObject;
      }
      return this.run(request);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Interrupts the running cell: its pending `await` (tslab's executor rejects it) and loops. */
  interrupt(): void {
    this.interruptedSinceStart = true;
    this.lifecycle.cellInterrupted();
    this.executor?.interrupt();
  }

  private async run(request: ExecuteRequest): Promise<JsonObject> {
    if (this.executor === null) throw new Error('ExecutionEngine has no executor attached');
    if (request.storeHistory) this.executionCount++;
    const count = this.executionCount;
    // From here an interrupt belongs to this cell (a front end may send it on execute_input).
    this.interruptedSinceStart = false;
    this.lifecycle.cellStarted();
    if (!request.silent) {
      this.channel.publish('execute_input', { code: request.code, execution_count: count });
    }
    // Let busy and execute_input reach the front end before a cell that blocks the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const interruptedBeforeRun = this.interruptedSinceStart || this.lifecycle.interrupted();
    const capture: Capture = { hasValue: false, value: undefined, thrown: [], diagnostics: [] };
    this.capture = capture;
    let ok: boolean;
    try {
      if (interruptedBeforeRun) throw cellInterruptedBeforeRun();
      ok = await this.executor.execute(request.code);
    } catch (error) {
      capture.thrown.push(error);
      ok = false;
    } finally {
      this.lifecycle.cellEnded();
      this.capture = null;
    }
    if (!ok) {
      const error = describeFailure(capture);
      this.channel.publish('error', error);
      if (request.stopOnError) this.failureGeneration++;
      if (request.storeHistory) this.history.record(count, request.code, null);
      return { status: 'error', execution_count: count, ...error };
    }
    let text: string | null = null;
    if (capture.hasValue && !request.silent) {
      const bundle = resultBundle(capture.value);
      const plain = bundle.data['text/plain'];
      text = typeof plain === 'string' ? plain : null;
      this.channel.publish('execute_result', {
        execution_count: count,
        data: bundle.data,
        metadata: bundle.metadata,
      });
    }
    if (request.storeHistory) this.history.record(count, request.code, text);
    return { status: 'ok', execution_count: count, user_expressions: {} };
  }
}

/** The cell was interrupted after its execute_input and before any of its code ran. */
function cellInterruptedBeforeRun(): CellInterruptedError {
  const error = new CellInterruptedError(
    'Interrupted: the kernel received an interrupt before this cell ran; none of it ran',
  );
  // No stack: it would show only the kernel's frames, never the cell's.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function resultBundle(value: unknown): { data: JsonObject; metadata: JsonObject } {
  if (isDisplayable(value)) {
    try {
      const result = value[MIME_BUNDLE]();
      return { data: result.data, metadata: result.metadata ?? {} };
    } catch {
      // A broken bundle method must not lose the result: fall back to text below.
    }
  }
  return { data: { 'text/plain': inspect(value) }, metadata: {} };
}

/** Stack frames of the kernel machinery (tslab's executor, this kernel, node:vm), not user code. */
const KERNEL_FRAME =
  /node:vm|sigintHandlersWrap|[\\/]tslab[\\/]dist[\\/]|[\\/]tslab-widgets[\\/]dist[\\/]kernel[\\/]/;

/** Drops kernel frames from a stack so the traceback shows the cell's code only. */
function userFrames(lines: string[]): string[] {
  // Node prefixes the stack of an error thrown under `vm` with the throwing source line
  // ("file:line", the line, a caret, a blank line): drop it when that line is the kernel's own.
  const blank = lines.indexOf('');
  const decorated = blank > 0 && !/^\s+at /.test(lines[0]) && KERNEL_FRAME.test(lines[0]);
  return (decorated ? lines.slice(blank + 1) : lines).filter(
    (line) => !(/^\s+at /.test(line) && KERNEL_FRAME.test(line)),
  );
}

function describeFailure(capture: Capture): ErrorContent {
  if (capture.thrown.length > 0) {
    const thrown = capture.thrown[0];
    if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null)) {
      const error = thrown as Partial<Error>;
      const ename = typeof error.name === 'string' ? error.name : 'Error';
      const evalue = typeof error.message === 'string' ? error.message : inspect(thrown);
      const stack = typeof error.stack === 'string' ? error.stack : `${ename}: ${evalue}`;
      return { ename, evalue, traceback: userFrames(stack.split('\n')) };
    }
    return { ename: 'Error', evalue: inspect(thrown), traceback: [`Thrown: ${inspect(thrown)}`] };
  }
  if (capture.diagnostics.length > 0) {
    return {
      ename: 'CompileError',
      evalue: capture.diagnostics[0],
      traceback: capture.diagnostics,
    };
  }
  return { ename: 'Error', evalue: 'execution failed', traceback: ['execution failed'] };
}
