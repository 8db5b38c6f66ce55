/**
 * Writes a generated document formatted like every other file in the repository, so that
 * `prettier --check .` (run by `npm test`) passes on what a committed command regenerates.
 */
import * as fs from 'fs';
import * as prettier from 'prettier';

/** Formats `text` with the repository's Prettier settings for `file`, then writes it there. */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...config, filepath: file }));
}
