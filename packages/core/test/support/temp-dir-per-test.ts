import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Registers, in the test file or `describe` it is called from, hooks that give every test a fresh
 * temporary folder named `<prefix>…` and remove it afterwards; returns a reader of its path.
 */
export function tempDirPerTest(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('the temporary folder exists only while a test runs');
    return dir;
  };
}
