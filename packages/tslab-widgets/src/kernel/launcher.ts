import { readFileSync } from 'fs';
import { join } from 'path';
import type { JsonObject } from '../json';
import { installRuntime } from '../runtime/runtime';
import { staticHtmlExportOfParent } from './static-export';
import { ExecutionEngine, parseExecuteRequest } from './execution';
import { codePointOffset, utf16Offset } from './code-points';
import { ExecutionHistory } from './history';
import { InterruptWatch } from './interrupt-watch';
import type { ConnectionInfo, KernelServices } from './server';
import { KernelServer } from './server';
import type { Tslab, TslabHandler } from './tslab';
import { loadTslab } from './tslab';
import { PROTOCOL_VERSION } from './wire';

/** This package's version (from its package.json, two folders above this file in src/ and dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function requireString(content: JsonObject, field: string): string {
  const value = content[field];
  if (typeof value !== 'string') throw new TypeError(`content.${field} must be a string`);
  return value;
}

/** The request's cursor (code points, as the protocol counts) as a UTF-16 offset into `code`. */
function cursor(content: JsonObject, code: string): number {
  const value = content['cursor_pos'];
  return typeof value === 'number' ? utf16Offset(code, value) : code.length;
}

function createServices(
  tslab: Tslab,
  handler: TslabHandler,
  engine: ExecutionEngine,
  history: ExecutionHistory,
  close: () => void,
): KernelServices {
  const version = packageVersion();
  return {
    kernelInfo() {
      const base = handler.handleKernel();
      return {
        status: 'ok',
        protocol_version: PROTOCOL_VERSION,
        implementation: 'tslab-widgets',
        implementation_version: version,
        language_info: {
          ...base.language_info,
          name: 'typescript',
          version: tslab.typescriptVersion,
          mimetype: 'text/typescript',
          file_extension: '.ts',
        },
        banner: `TypeScript ${tslab.typescriptVersion} on tslab ${tslab.version} with tslab-widgets ${version} (Jupyter comms and widgets)`,
        help_links: [
          { text: 'tslab', url: 'https://github.com/yunabe/tslab' },
          { text: 'Jupyter widget protocol', url: 'https://github.com/jupyter-widgets/ipywidgets' },
        ],
      };
    },
    execute: (content, onStart) => engine.execute(parseExecuteRequest(content), onStart),
    isComplete(content) {
      const code = requireString(content, 'code');
      // tslab takes an open template literal for a finished cell; more lines can close it.
      if (tslab.endsInTemplate(code)) return { status: 'incomplete', indent: '' };
      const result = handler.handleIsComplete({ code });
      if (result.status === 'complete' && tslab.syntaxErrors(code).length > 0) {
        return { status: 'invalid' };
      }
      return result;
    },
    inspect(content) {
      const code = requireString(content, 'code');
      return handler.handleInspect({ code, cursor_pos: cursor(content, code) });
    },
    complete(content) {
      const code = requireString(content, 'code');
      const reply = handler.handleComplete({ code, cursor_pos: cursor(content, code) });
      // tslab answers in UTF-16 offsets; the protocol counts code points.
      for (const field of ['cursor_start', 'cursor_end']) {
        const offset = reply[field];
        if (typeof offset === 'number') reply[field] = codePointOffset(code, offset);
      }
      return reply;
    },
    history: (content) => ({ status: 'ok', history: history.query(content) }),
    interrupt: () => engine.interrupt(),
    close,
  };
}

/**
 * Starts the `tslab-widgets` kernel on a Jupyter connection file: tslab's executor (pinned
 * version) behind {@link KernelServer}, with the widget runtime installed in the global slot.
 */
export async function startKernel(connectionFile: string): Promise<KernelServer> {
  const tslab = loadTslab();
  const connection = JSON.parse(readFileSync(connectionFile, 'utf8')) as ConnectionInfo;
  const server = new KernelServer(connection);
  const staticHtmlExport = staticHtmlExportOfParent();
  const runtime = installRuntime(server.channel, true, { staticHtmlExport });
  if (staticHtmlExport !== undefined) {
    server.channel.log(
      `started by ${staticHtmlExport}: widgets display their static text/html fallback, not the live view`,
    );
  }
  const history = new ExecutionHistory();
  const interruptWatch: InterruptWatch = new InterruptWatch(server.channel.log, () =>
    engine.interrupt(),
  );
  const engine: ExecutionEngine = new ExecutionEngine(server.channel, history, interruptWatch);
  const executor = tslab.createExecutor(process.cwd(), false, engine.console, (script) =>
    interruptWatch.aroundScript(script),
  );
  engine.attach(executor);
  const handler = tslab.createHandler(executor, false);
  // tslab's own display API (`require('tslab').display`) goes through this server too.
  tslab.setDisplaySink((data, update) =>
    server.channel.publish(update ? 'update_display_data' : 'display_data', data as JsonObject),
  );
  server.attach(
    runtime,
    createServices(tslab, handler, engine, history, () => {
      interruptWatch.close();
      executor.close();
    }),
  );
  server.captureStandardStreams();
  // Once the watcher thread runs, it reports interrupts, and this listener only those it missed
  // while paused; it also keeps Node's signal handler installed (with no SIGINT listener at all, a
  // SIGINT would end the kernel).
  process.on('SIGINT', () => interruptWatch.mainThreadSigint());
  interruptWatch.start();
  process.on('uncaughtException', (error) => server.reportError(error, 'an uncaught exception'));
  process.on('unhandledRejection', (reason) =>
    server.reportError(reason, 'an unhandled promise rejection'),
  );
  await server.start();
  return server;
}
