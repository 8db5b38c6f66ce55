/**
 * Cursor positions in the Jupyter protocol (5.2 and later) count Unicode code points; JavaScript
 * strings and tslab's language service count UTF-16 code units. They differ after every character
 * outside the Basic Multilingual Plane (most emoji), which take two code units.
 */

/** The UTF-16 offset in `text` of code point position `codePoints` (clamped to the text). */
export function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let seen = 0; seen < codePoints && offset < text.length; seen++) {
    const unit = text.charCodeAt(offset);
    const pair =
      unit >= 0xd800 &&
      unit <= 0xdbff &&
      offset + 1 < text.length &&
      text.charCodeAt(offset + 1) >= 0xdc00 &&
      text.charCodeAt(offset + 1) <= 0xdfff;
    offset += pair ? 2 : 1;
  }
  return offset;
}

/** The code point position of UTF-16 offset `offset` in `text` (clamped to the text). */
export function codePointOffset(text: string, offset: number): number {
  // String iteration goes by code point (a lone surrogate counts as one).
  return Array.from(text.slice(0, Math.max(0, offset))).length;
}
