/** A parsed node, as much of TypeScript's `Node` as the cell rewrites read. */
export interface SyntaxNode {
  readonly kind: number;
  readonly pos: number;
  readonly end: number;
}

/**
 * The parts of the TypeScript compiler API the cell rewrites use (tslab's own copy of
 * TypeScript, `@tslab/typescript-for-tslab`, so cells parse exactly as tslab parses them).
 * `Diagnostic` is what a parse error is read as: the rewrites only count them.
 */
export interface CellParser<Diagnostic = unknown> {
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents: boolean,
    kind: number,
  ): SyntaxNode & { parseDiagnostics?: readonly Diagnostic[] };
  forEachChild(node: SyntaxNode, visit: (child: SyntaxNode) => void): void;
  isShorthandPropertyAssignment(node: SyntaxNode): boolean;
  isWhileStatement(node: SyntaxNode): boolean;
  isDoStatement(node: SyntaxNode): boolean;
  isForStatement(node: SyntaxNode): boolean;
  isForInStatement(node: SyntaxNode): boolean;
  isForOfStatement(node: SyntaxNode): boolean;
  isBlock(node: SyntaxNode): boolean;
}
