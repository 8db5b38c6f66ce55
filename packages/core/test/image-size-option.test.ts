/**
 * `maxMegapixels` is checked before a file is read: NaN or Infinity would otherwise switch off the
 * size limit on the read itself (`size > NaN` is false) and let a huge file into memory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OptionError } from '../src/errors';
import { readImageFileBytes } from '../src/image/read-file';

describe('readImageFileBytes and maxMegapixels', () => {
  it.each([NaN, Infinity, 0, -1])('refuses maxMegapixels = %p before reading', (value) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-')), 'x.png');
    fs.writeFileSync(file, Buffer.alloc(16));
    expect(() => readImageFileBytes(file, value)).toThrow(OptionError);
    expect(() => readImageFileBytes(file, value)).toThrow(/maxMegapixels/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
