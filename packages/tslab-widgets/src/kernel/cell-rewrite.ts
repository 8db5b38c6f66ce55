import type { CellParser, SyntaxNode } from './cell-parser';

/** A piece of text to insert at a UTF-16 offset of a cell's source. */
export interface TextInsertion {
  at: number;
  text: string;
}

/** What one rewrite inserts for one node (nothing for most nodes). */
export type CellRewrite = (node: SyntaxNode) => TextInsertion[];

/**
 * Parses a cell once and applies `rewrites` to every node: returns the code with all insertions
 * made, everything else byte for byte unchanged. Code that does not parse is returned as it is,
 * so tslab reports the syntax error against what the user wrote.
 */
export function rewriteCell(
  code: string,
  parser: CellParser,
  rewrites: readonly CellRewrite[],
): string {
  const source = parser.createSourceFile(
    'cell.ts',
    code,
    parser.ScriptTarget.Latest,
    false,
    parser.ScriptKind.TS,
  );
  if ((source.parseDiagnostics ?? []).length > 0) return code;
  const insertions: (TextInsertion & { order: number })[] = [];
  const visit = (node: SyntaxNode): void => {
    for (const rewrite of rewrites) {
      for (const insertion of rewrite(node))
        insertions.push({ ...insertion, order: insertions.length });
    }
    parser.forEachChild(node, visit);
  };
  visit(source);
  if (insertions.length === 0) return code;
  // Stable by offset: at one offset, an outer node's text comes before an inner node's.
  insertions.sort((a, b) => a.at - b.at || a.order - b.order);
  let out = '';
  let from = 0;
  for (const { at, text } of insertions) {
    out += code.slice(from, at) + text;
    from = at;
  }
  return out + code.slice(from);
}
