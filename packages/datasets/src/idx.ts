import * as fs from 'fs';
import * as zlib from 'zlib';
import { DatasetFormatError } from './errors';

/** The content of an IDX file (the MNIST family's binary format) of unsigned bytes. */
export interface IdxArray {
  /** Dimensions, e.g. `[60000, 28, 28]` for images or `[60000]` for labels. */
  readonly shape: readonly number[];
  /** The values, row-major. */
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE_TYPE = 0x08;

/**
 * Read an IDX file of unsigned bytes, gzip-compressed (`.gz`) or plain. Layout: two zero bytes, a type
 * byte (0x08 = uint8), the number of dimensions, one big-endian uint32 per dimension, then the data.
 * @throws DatasetFormatError when the header or the length does not match.
 */
export function readIdxFile(file: string): IdxArray {
  const raw = fs.readFileSync(file);
  const bytes = file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw;
  const reinstall = 'The file is damaged; reinstall the dataset package.';
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetFormatError(file, 'Not an IDX file (bad magic number)', reinstall);
  }
  if (bytes[2] !== UNSIGNED_BYTE_TYPE) {
    throw new DatasetFormatError(
      file,
      `IDX element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`,
      reinstall,
    );
  }
  const rank = bytes[3];
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DatasetFormatError(file, 'IDX header is truncated', reinstall);
  }
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(bytes.readUInt32BE(4 + 4 * d));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLength + size) {
    throw new DatasetFormatError(
      file,
      `IDX data has ${bytes.length - headerLength} bytes, the header promises ${size}`,
      reinstall,
    );
  }
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, size) };
}
