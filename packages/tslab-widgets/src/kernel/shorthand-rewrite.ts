/**
 * tslab 1.0.22's converter rewrites a name that refers to an earlier cell's binding to
 * `exports.<name>`, but it skips the name of a shorthand property: the checker resolves that
 * identifier to the property, not to the earlier binding. So cell 1 `const model = 41;`, cell 2
 * `const o = { model };` throws `ReferenceError: model is not defined`, and in a destructuring
 * assignment (`({ model } = other)`) the value silently goes to a new global instead of the
 * earlier binding. Spelling the shorthand out (`{ model: model }`, `{ model: model = 1 }`) means
 * exactly the same in JavaScript, and the converter handles the long form: that is the rewrite.
 */
import type { CellParser, SyntaxNode } from './cell-parser';
import type { CellRewrite } from './cell-rewrite';

/** TypeScript's `ShorthandPropertyAssignment` (`{ name }` or `{ name = default }`). */
interface ShorthandProperty extends SyntaxNode {
  readonly name: { readonly text: string; readonly end: number };
}

/** Spells out every shorthand property: `{ a }` → `{ a: a }`, `{ a = 1 }` → `{ a: a = 1 }`. */
export function expandShorthandProperties(parser: CellParser): CellRewrite {
  return (node) => {
    if (!parser.isShorthandPropertyAssignment(node)) return [];
    const { name } = node as ShorthandProperty;
    // `text` is the identifier with escapes resolved: always a valid identifier to repeat.
    return [{ at: name.end, text: `: ${name.text}` }];
  };
}
