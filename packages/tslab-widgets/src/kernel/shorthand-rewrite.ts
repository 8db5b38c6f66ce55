/**
 * tslab 1.0.22's converter rewrites a name that refers to an earlier cell's binding to
 * `exports.<name>`, but it skips the name of a shorthand property: the checker resolves that
 * identifier to the property, not to the earlier binding. So cell 1 `const model = 41;`, cell 2
 * `const o = { model };` throws `ReferenceError: model is not defined`, and in a destructuring
 * assignment (`({ model } = other)`) the value silently goes to a new global instead of the
 * earlier binding. Spelling the shorthand out (`{ model: model }`, `{ model: model = 1 }`) means
 * exactly the same in JavaScript, and the converter handles the long form: that is the rewrite.
 */

/** A parsed node, as much of TypeScript's `Node` as the rewrite reads. */
export interface SyntaxNode {
  readonly kind: number;
}

/** TypeScript's `ShorthandPropertyAssignment` (`{ name }` or `{ name = default }`). */
interface ShorthandProperty extends SyntaxNode {
  readonly name: { readonly text: string; readonly end: number };
}

/** The parts of the TypeScript compiler API the rewrite uses (tslab's own copy of TypeScript). */
export interface ShorthandParser {
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParents: boolean,
    kind: number,
  ): SyntaxNode & { parseDiagnostics?: readonly unknown[] };
  forEachChild(node: SyntaxNode, visit: (child: SyntaxNode) => void): void;
  isShorthandPropertyAssignment(node: SyntaxNode): boolean;
}

/**
 * Returns `code` with every shorthand property spelled out (`{ a }` → `{ a: a }`,
 * `{ a = 1 }` → `{ a: a = 1 }`), everything else byte for byte unchanged. Code that does not parse
 * is returned as it is, so tslab reports the syntax error against what the user wrote.
 */
export function expandShorthandProperties(code: string, parser: ShorthandParser): string {
  const source = parser.createSourceFile(
    'cell.ts',
    code,
    parser.ScriptTarget.Latest,
    false,
    parser.ScriptKind.TS,
  );
  if ((source.parseDiagnostics ?? []).length > 0) return code;
  const insertions: { at: number; text: string }[] = [];
  const visit = (node: SyntaxNode): void => {
    if (parser.isShorthandPropertyAssignment(node)) {
      const { name } = node as ShorthandProperty;
      // `text` is the identifier with escapes resolved: always a valid identifier to repeat.
      insertions.push({ at: name.end, text: `: ${name.text}` });
    }
    parser.forEachChild(node, visit);
  };
  visit(source);
  if (insertions.length === 0) return code;
  insertions.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const { at, text } of insertions) {
    out += code.slice(from, at) + text;
    from = at;
  }
  return out + code.slice(from);
}
