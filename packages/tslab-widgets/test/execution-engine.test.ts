/**
 * The execution engine on tslab's real executor, with the channel recorded: the timing cases the
 * wire tests cannot hit on purpose, because they depend on where the engine yields.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { JsonObject } from '../src/json';
import type { KernelChannel } from '../src/runtime/channel';
import { ExecutionEngine, parseExecuteRequest } from '../src/kernel/execution';
import { ExecutionHistory } from '../src/kernel/history';
import { loadTslab } from '../src/kernel/tslab';
import type { TslabExecutor } from '../src/kernel/tslab';

interface Published {
  msgType: string;
  content: JsonObject;
}

describe('ExecutionEngine on tslab', () => {
  let rootDir: string;
  let executor: TslabExecutor;
  let engine: ExecutionEngine;
  let published: Published[];
  /** Called on every publish, after it is recorded (a test plays the front end here). */
  let onPublish: (message: Published) => void;

  beforeAll(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'execution-engine-'));
  });

  afterAll(() => {
    rmSync(rootDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    published = [];
    onPublish = () => undefined;
    const channel: KernelChannel = {
      publish: (msgType, content) => {
        const message = { msgType, content };
        published.push(message);
        onPublish(message);
      },
      reportError: () => undefined,
      addPayload: () => false,
      log: () => undefined,
    };
    engine = new ExecutionEngine(channel, new ExecutionHistory());
    executor = loadTslab().createExecutor(rootDir, false, engine.console);
    engine.attach(executor);
  });

  afterEach(() => {
    executor.close();
  });

  const cell = (code: string) =>
    engine.execute(parseExecuteRequest({ code, stop_on_error: true }), () => undefined);

  test('a cell runs and its last expression is the result', async () => {
    expect(await cell('const a = 40; a + 2')).toMatchObject({ status: 'ok', execution_count: 1 });
    const result = published.find((m) => m.msgType === 'execute_result');
    expect(result?.content['data']).toEqual({ 'text/plain': '42' });
  });

  test('an interrupt sent on execute_input, before the cell runs, ends that cell', async () => {
    // A front end may interrupt as soon as it sees execute_input; the engine yields once after
    // publishing it, before tslab has the cell. The interrupt must not be lost there.
    onPublish = ({ msgType }) => {
      if (msgType === 'execute_input') engine.interrupt();
    };
    const interrupted = cell(
      '(globalThis as any).ranAnyway = true; await new Promise(() => undefined)',
    );
    const queuedBehind = cell('"queued behind"');
    const reply = await interrupted;
    expect(reply).toMatchObject({ status: 'error', ename: 'CellInterruptedError' });
    expect(String(reply['evalue'])).toMatch(/^Interrupted: .*before this cell ran/);
    expect((globalThis as Record<string, unknown>)['ranAnyway']).toBeUndefined();
    // like any failure with stop_on_error: what was queued behind it is aborted ...
    onPublish = () => undefined;
    expect(await queuedBehind).toMatchObject({ status: 'aborted' });
    // ... and the interrupt belonged to that cell only
    expect(await cell('2 + 2')).toMatchObject({ status: 'ok' });
  });

  test('an interrupt the signal watcher saw, not yet delivered here, also ends the cell', async () => {
    // The watcher thread marks its shared word at SIGINT; its message may reach this thread only
    // after the yield. A lifecycle whose word turns "interrupted" on execute_input, with no
    // engine.interrupt() call, stands in for that moment.
    let marked = false;
    const watched = new ExecutionEngine(
      {
        publish: (msgType) => {
          if (msgType === 'execute_input') marked = true;
        },
        reportError: () => undefined,
        addPayload: () => false,
        log: () => undefined,
      },
      new ExecutionHistory(),
      {
        cellStarted: () => (marked = false),
        cellInterrupted: () => undefined,
        cellEnded: () => undefined,
        interrupted: () => marked,
      },
    );
    const watchedExecutor = loadTslab().createExecutor(rootDir, false, watched.console);
    watched.attach(watchedExecutor);
    try {
      const code = '(globalThis as any).ranWatched = true';
      const reply = await watched.execute(
        parseExecuteRequest({ code, stop_on_error: true }),
        () => undefined,
      );
      expect(reply).toMatchObject({ status: 'error', ename: 'CellInterruptedError' });
      expect((globalThis as Record<string, unknown>)['ranWatched']).toBeUndefined();
    } finally {
      watchedExecutor.close();
    }
  });

  test("an interrupt while the cell awaits ends it with tslab's error", async () => {
    onPublish = ({ msgType }) => {
      if (msgType === 'execute_input') setTimeout(() => engine.interrupt(), 20);
    };
    const reply = await cell('await new Promise(() => undefined)');
    expect(reply).toMatchObject({ status: 'error' });
    expect(String(reply['evalue'])).toMatch(/Interrupted/);
  });

  test('an interrupt between cells changes nothing', async () => {
    engine.interrupt();
    expect(await cell('"still runs"')).toMatchObject({ status: 'ok' });
  });
});
