import * as fs from 'fs';
import * as path from 'path';
import { ModelFileError, quoteForMessage, UnsafeModelPathError } from '../errors';

/**
 * File access confined to a model folder. Paths come from an untrusted model.json, so each is
 * checked as written (relative, no `..`, no URL scheme), then walked one segment at a time so that
 * a symbolic link anywhere on the way must stay inside the folder, and must end at a regular file.
 * Failures about anything outside the folder never say whether it exists, how big it is or what it
 * holds: every such path gets the same rule in its error.
 */

/** A path as written in model.json, with the folder it must stay in. */
export interface ConfinedPath {
  /** Real (symlink-free) path of the model folder. */
  readonly folder: string;
  /** The path as written, relative to the folder. */
  readonly written: string;
  /** The model.json the path comes from, for error messages. */
  readonly modelJsonPath: string;
  /** What the path is, for error messages: `'Weight shard'` or `'Model file'`. */
  readonly kind: string;
}

/** A regular file inside the folder, found by {@link resolveInsideFolder}. */
export interface FolderFile {
  /** Its real path. */
  readonly realPath: string;
  /** Its size in bytes, from `lstat`. */
  readonly size: number;
  /**
   * Its device and inode: the file that is read must be this one. A directory on the way swapped
   * for a link between the check and the read would otherwise open a file outside the folder.
   */
  readonly identity: { readonly dev: number; readonly ino: number };
}

const MAX_WRITTEN_LENGTH = 1024;
const LEAVES_FOLDER =
  'it leads (through a symbolic link) outside the model folder, or to nothing; links must point to files inside the folder';

/** The rule `written` breaks as a relative path inside a folder, or `undefined`. */
function lexicalProblem(written: string): string | undefined {
  if (written.length === 0) return 'it is empty';
  if (written.length > MAX_WRITTEN_LENGTH)
    return `it is longer than ${MAX_WRITTEN_LENGTH} characters`;
  if (written.includes('\0')) return 'it contains a NUL character';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(written)) {
    return 'it starts with a URL scheme or drive letter ("name:"); only paths inside the model folder are read';
  }
  if (written.startsWith('/')) return 'it is an absolute path';
  if (written.includes('\\')) return 'it contains a backslash (write "/" between folders)';
  if (written.split('/').includes('..')) return 'it contains a ".." segment';
  return undefined;
}

/** Whether `candidate` lies strictly inside `folder` (both absolute and normalised). */
export function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return (
    relative !== '' &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  );
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Resolves a path written in model.json to a regular file inside the model folder.
 *
 * @throws UnsafeModelPathError when the path breaks a rule (absolute, `..`, URL scheme, a link
 *   leaving the folder, a directory, FIFO, device or socket).
 * @throws ModelFileError when the file is missing inside the folder.
 */
export function resolveInsideFolder(target: ConfinedPath): FolderFile {
  const refuse = (rule: string): never => {
    throw new UnsafeModelPathError(target.modelJsonPath, target.written, rule, target.kind);
  };
  const lexical = lexicalProblem(target.written);
  if (lexical !== undefined) refuse(lexical);
  const segments = target.written.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) refuse('it names the model folder itself, not a file');
  let current = target.folder;
  for (const segment of segments) {
    const candidate = path.join(current, segment);
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(candidate);
    } catch (error) {
      // `current` is a real directory inside the folder, so this says nothing about the outside.
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new ModelFileError(
          target.modelJsonPath,
          `${target.kind} ${quoteForMessage(target.written)} listed in model.json is missing from the model folder`,
          `Copy every file named in model.json into ${target.folder}, next to model.json.`,
        );
      }
      return refuse(`it cannot be inspected (${code ?? 'unknown error'})`);
    }
    if (stats.isSymbolicLink()) {
      let real: string;
      try {
        real = fs.realpathSync(candidate);
      } catch {
        return refuse(LEAVES_FOLDER);
      }
      if (!isInside(target.folder, real)) refuse(LEAVES_FOLDER);
      current = real;
    } else {
      current = candidate;
    }
  }
  let stats: fs.Stats;
  try {
    stats = fs.lstatSync(current);
  } catch (error) {
    return refuse(`it cannot be inspected (${errnoCode(error) ?? 'unknown error'})`);
  }
  if (stats.isDirectory()) refuse('it is a directory, not a file');
  if (!stats.isFile()) refuse('it is not a regular file (a FIFO, device or socket)');
  // A hard link is the outside file itself: nothing in the folder tells where else it lives.
  if (stats.nlink > 1) refuse('it has other hard links (copy the file instead of linking it)');
  return { realPath: current, size: stats.size, identity: { dev: stats.dev, ino: stats.ino } };
}

/**
 * Reads exactly `file.size` bytes of a file found by {@link resolveInsideFolder}. Opened without
 * following links and without blocking, and checked again on the open descriptor, so a file
 * swapped for a FIFO, device or link in between is refused instead of read.
 *
 * @throws UnsafeModelPathError when the file changed into something else than the regular file of
 *   that size.
 */
export function readFolderFile(file: FolderFile, target: ConfinedPath): Buffer {
  const changed = (): never => {
    throw new UnsafeModelPathError(
      target.modelJsonPath,
      target.written,
      'it changed into something else while being read',
      target.kind,
    );
  };
  let fd: number;
  try {
    fd = fs.openSync(
      file.realPath,
      fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW,
    );
  } catch {
    return changed();
  }
  try {
    const stats = fs.fstatSync(fd);
    const same = stats.dev === file.identity.dev && stats.ino === file.identity.ino;
    if (!stats.isFile() || !same || stats.size !== file.size || stats.nlink > 1) changed();
    const bytes = Buffer.alloc(file.size);
    let filled = 0;
    while (filled < file.size) {
      const read = fs.readSync(fd, bytes, filled, file.size - filled, filled);
      if (read === 0) changed();
      filled += read;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}
