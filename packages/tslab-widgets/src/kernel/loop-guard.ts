/**
 * A cell's code after its first `await` runs as a promise continuation, outside the
 * `vm.runInThisContext(..., { breakOnSigint: true })` call that lets Node break a running
 * script on SIGINT; and while it loops, the event loop (and so `process.on('SIGINT')`) never
 * runs. So `await null; while (true) {}` could not be interrupted. Every loop in a cell therefore
 * starts each iteration with a call to {@link LOOP_GUARD}, which throws once an interrupt arrived
 * (see interrupt-watch.ts): the loop ends with an exception the cell reports like any other.
 */
import type { CellParser, SyntaxNode } from './cell-parser';
import type { CellRewrite } from './cell-rewrite';

/** The global the loop guard is installed as (a string key: cells reach it with one lookup). */
export const LOOP_GUARD = '__tslabWidgetsLoopGuard';

/** The statement put at the start of each loop body; a no-op where no guard is installed. */
const GUARD_CALL = `(globalThis as any).${LOOP_GUARD}?.();`;

/** TypeScript's iteration statements all keep their body in `statement`. */
interface IterationStatement extends SyntaxNode {
  readonly statement: SyntaxNode & { readonly statements?: { readonly pos: number } };
}

/** Puts a guard call at the start of every loop body (`while`, `do`, `for`, `for in`, `for of`). */
export function guardLoops(parser: CellParser): CellRewrite {
  const isLoop = (node: SyntaxNode): boolean =>
    parser.isWhileStatement(node) ||
    parser.isDoStatement(node) ||
    parser.isForStatement(node) ||
    parser.isForInStatement(node) ||
    parser.isForOfStatement(node);
  return (node) => {
    if (!isLoop(node)) return [];
    const body = (node as IterationStatement).statement;
    if (parser.isBlock(body) && body.statements !== undefined) {
      // Right after the `{` (where the block's statement list starts).
      return [{ at: body.statements.pos, text: ` ${GUARD_CALL}` }];
    }
    // A single statement becomes a block: `while (c) x++;` → `while (c) { guard; x++; }`.
    return [
      { at: body.pos, text: ` { ${GUARD_CALL}` },
      { at: body.end, text: ' }' },
    ];
  };
}
