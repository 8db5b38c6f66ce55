import type { RunningCodeOptions } from 'vm';
import type { JsonObject } from '../json';
import type { CellParser } from './cell-parser';
import { rewriteCell } from './cell-rewrite';
import { guardLoops } from './loop-guard';
import { expandShorthandProperties } from './shorthand-rewrite';

/**
 * The parts of tslab this kernel builds on. They are internals (`tslab/dist/*`), so the kernel is
 * pinned to the tslab version it was written against and refuses to start on another one.
 */

/** The tslab version this package was written and tested against. */
export const PINNED_TSLAB_VERSION = '1.0.22';

/** Raised when the installed tslab is not {@link PINNED_TSLAB_VERSION}. */
export class TslabVersionError extends Error {
  constructor(found: string, where: string) {
    super(
      `tslab-widgets needs tslab ${PINNED_TSLAB_VERSION} exactly, but found tslab ${found} at ` +
        `${where}. It uses tslab internals that change between versions. Fix: ` +
        `npm install tslab@${PINNED_TSLAB_VERSION} next to tslab-widgets.`,
    );
    this.name = 'TslabVersionError';
  }
}

/** The subset of tslab's `Converter` used here. */
export interface TslabConverter {
  close(): void;
}

/** What tslab's language service says about a position (TypeScript's `QuickInfo`, in part). */
export interface TslabQuickInfo {
  /** The symbol's kind; `''` when the name resolves to nothing (TypeScript then says `any`). */
  kind: string;
}

/** tslab's executor (`tslab/dist/executor` `createExecutor`). */
export interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): TslabQuickInfo | undefined;
  interrupt(): void;
  close(): void;
}

/** The console tslab's executor writes to: `log(value)` for the last expression, `error` else. */
export interface TslabConsole {
  log(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** tslab's `JupyterHandlerImpl` (the parts that do not depend on its wire code). */
export interface TslabHandler {
  handleKernel(): { language_info: JsonObject };
  handleIsComplete(req: { code: string }): { status: string; indent?: string };
  handleInspect(req: { code: string; cursor_pos: number }): JsonObject;
  handleComplete(req: { code: string; cursor_pos: number }): JsonObject;
}

/** A display sink as tslab's public `display` API calls it. */
export type TslabDisplaySink = (data: Record<string, unknown>, update: boolean) => void;

/** Runs `script` (a call of `vm.runInThisContext`) and returns what it returns. */
export type ScriptWrapper = <T>(script: () => T) => T;

/** The tslab internals, loaded and version-checked. */
export interface Tslab {
  version: string;
  typescriptVersion: string;
  /**
   * tslab's executor, with the plugin's cell rewrites. `aroundScript` wraps each
   * `vm.runInThisContext` call with which tslab runs a cell's synchronous part.
   */
  createExecutor(
    rootDir: string,
    isJs: boolean,
    console: TslabConsole,
    aroundScript?: ScriptWrapper,
  ): TslabExecutor;
  createHandler(executor: TslabExecutor, isJs: boolean): TslabHandler;
  /** Parse diagnostics of `code` that are not "more input expected" (for is_complete: invalid). */
  syntaxErrors(code: string): string[];
  /** Whether `code` ends inside a template literal (more lines complete it). */
  endsInTemplate(code: string): boolean;
  /** Routes tslab's `display.*` API (`require('tslab').display`) to `sink`. */
  setDisplaySink(sink: TslabDisplaySink): void;
}

interface TslabPackageJson {
  version: string;
}

interface ConverterModule {
  createConverter(options: { isJS: boolean; isBrowser: boolean }): TslabConverter;
}
interface ExecutorModule {
  createExecutor(
    rootDir: string,
    convs: { node: TslabConverter; browser: TslabConverter; close(): void },
    console: TslabConsole,
  ): TslabExecutor;
}
/** Node's `vm` module, as the object tslab's executor calls it through (so it can be hooked). */
interface VmModule {
  runInThisContext(code: string, options?: RunningCodeOptions | string): unknown;
}
interface MetadataModule {
  getCodeMetadata(src: string): { module?: string; mode?: string };
}
interface JupyterModule {
  JupyterHandlerImpl: new (executor: TslabExecutor, isJs: boolean) => TslabHandler;
  lastWriteDisplayData: TslabDisplaySink | null;
}
interface TypeScriptModule extends CellParser<ParseDiagnostic> {
  version: string;
  ScriptKind: { TS: number; TSX: number };
}

interface ParseDiagnostic {
  code: number;
  messageText: unknown;
  start: number;
  length: number;
}

/** TypeScript's diagnostic code of "Unterminated template literal." */
const UNTERMINATED_TEMPLATE = 1160;

/** Loads tslab through `load` (a `require`), checking the version first. */
export function loadTslab(load: (id: string) => unknown = require): Tslab {
  const pkg = load('tslab/package.json') as TslabPackageJson;
  if (pkg.version !== PINNED_TSLAB_VERSION) {
    let where = 'tslab/package.json';
    try {
      where = require.resolve('tslab/package.json');
    } catch {
      // keep the module id
    }
    throw new TslabVersionError(pkg.version, where);
  }
  const converter = load('tslab/dist/converter') as ConverterModule;
  const executorModule = load('tslab/dist/executor') as ExecutorModule;
  const jupyter = load('tslab/dist/jupyter') as JupyterModule;
  const metadata = load('tslab/dist/metadata') as MetadataModule;
  const vm = load('vm') as VmModule;
  const typescript = load(
    require.resolve('@tslab/typescript-for-tslab', { paths: [require.resolve('tslab')] }),
  ) as TypeScriptModule;

  const parseDiagnostics = (code: string): readonly ParseDiagnostic[] =>
    typescript.createSourceFile(
      'cell.ts',
      code,
      typescript.ScriptTarget.Latest,
      false,
      typescript.ScriptKind.TSX,
    ).parseDiagnostics ?? [];

  return {
    version: pkg.version,
    typescriptVersion: typescript.version,
    createExecutor(rootDir, isJs, console, aroundScript = (script) => script()) {
      // Same converter set as tslab's own startKernel: the browser converter is created lazily.
      let browser: TslabConverter | undefined;
      const node = converter.createConverter({ isJS: isJs, isBrowser: false });
      const convs = {
        node,
        get browser(): TslabConverter {
          browser ??= converter.createConverter({ isJS: isJs, isBrowser: true });
          return browser;
        },
        close() {
          node.close();
          browser?.close();
        },
      };
      const executor = executorModule.createExecutor(rootDir, convs, console);
      // Replaced in place: tslab's handler also calls the executor's inspect and complete.
      const execute = executor.execute.bind(executor);
      const rewrites = [guardLoops(typescript), expandShorthandProperties(typescript)];
      executor.execute = (src) => {
        // Module cells (`@module`) are imported, not run, and do not see earlier cells' bindings.
        const code =
          metadata.getCodeMetadata(src).module === undefined
            ? rewriteCell(src, typescript, rewrites)
            : src;
        // tslab calls `vm.runInThisContext` before `execute` first awaits: hooked just for then.
        const runInThisContext = vm.runInThisContext;
        vm.runInThisContext = (script, options) =>
          aroundScript(() => runInThisContext.call(vm, script, options));
        try {
          return execute(code);
        } finally {
          vm.runInThisContext = runInThisContext;
        }
      };
      const inspect = executor.inspect.bind(executor);
      // A name that resolves to nothing is "not found", not a symbol of type `any`.
      executor.inspect = (src, position) => {
        const info = inspect(src, position);
        return info === undefined || info.kind === '' ? undefined : info;
      };
      return executor;
    },
    createHandler: (executor, isJs) => new jupyter.JupyterHandlerImpl(executor, isJs),
    syntaxErrors(code) {
      return parseDiagnostics(code)
        .filter((diag) => !(diag.start === code.length && diag.length === 0))
        .map((diag) => (typeof diag.messageText === 'string' ? diag.messageText : 'syntax error'));
    },
    endsInTemplate: (code) =>
      parseDiagnostics(code).some(
        (diag) => diag.code === UNTERMINATED_TEMPLATE && diag.start === code.length,
      ),
    setDisplaySink(sink) {
      jupyter.lastWriteDisplayData = sink;
    },
  };
}
