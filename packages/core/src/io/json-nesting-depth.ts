/**
 * The nesting depth of a JSON text, measured without parsing it: a crafted model.json such as
 * `'['.repeat(200000)` must be refused before any recursive code (a parser's error reporting, a
 * deserialiser) walks it and overflows the stack.
 */

/**
 * Whether the arrays and objects of `text` nest deeper than `maxDepth`. Brackets inside strings
 * are skipped; the text need not be valid JSON.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      // A stray closer must not buy room for deeper nesting later (JSON.parse rejects it anyway).
      depth = Math.max(0, depth - 1);
    }
  }
  return false;
}
