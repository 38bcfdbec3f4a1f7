import {
  closeSync,
  createWriteStream,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { FailureError, InputError, isErrnoException } from './errors.js';
import { trackTempFile } from './signals.js';

let tempCounter = 0;

/**
 * A temp name beside `path`, unique to this process (pid + counter) and to this start (random part, in case a pid
 * is reused): no cryptographic randomness needed, so no loading node:crypto at every CLI start.
 */
function tempPathFor(path: string): string {
  const unique = `${process.pid}.${(tempCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

const WRITE_REFUSED: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  // mkdir in a folder that exists but takes no new entries (/proc, /sys) answers ENOENT
  ENOENT: 'the folder cannot be created there (the file system does not allow new entries)',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
};

/**
 * An error from writing `path` (or its temp file, or its folders) as the workspace reports it, naming `path`
 * itself: an unusable path is bad input (exit 2); a full disk or an I/O error is a failure (exit 1).
 */
export function writeError(path: string, error: unknown): unknown {
  if (!isErrnoException(error) || error instanceof InputError || error instanceof FailureError) return error;
  const why = WRITE_REFUSED[error.code ?? ''];
  if (why) return new InputError(`${path}: cannot write: ${why}`, { cause: error });
  if (error.code === 'ENOSPC' || error.code === 'EDQUOT') {
    return new FailureError(`${path}: cannot write: no space left on the device`, { cause: error });
  }
  if (error.code === 'EIO') return new FailureError(`${path}: cannot write: I/O error`, { cause: error });
  return error;
}

/**
 * Check, before any work, that a file can be written at `path`: not an existing folder, and its folder can be
 * created and written (see checkWritableFolder). Throws the InputError writeError would give, so a stage fails at
 * once with nothing written instead of after its work with part of its outputs on disk.
 */
export function checkWritableFile(path: string): void {
  if (path.trim() === '') throw new InputError('an output path is empty');
  if (/[\\/]$/.test(path)) throw new InputError(`${path}: cannot write: the path names a folder, not a file`);
  let info;
  try {
    info = statSync(path);
  } catch {
    info = undefined;
  }
  if (info?.isDirectory()) throw new InputError(`${path}: cannot write: it is a folder, not a file`);
  // The output replaces what is there by a rename: never a device, a pipe or a socket (as root, renaming over
  // /dev/null would replace the device itself).
  if (info && !info.isFile())
    throw new InputError(`${path}: cannot write: it is not a regular file (a device, a pipe or a socket)`);
  checkWritableFolder(dirname(path), path);
}

/**
 * Check, before any work, that files can be written in the folder `dir` (created later if missing). Permission
 * bits are not trusted (a root process passes access() everywhere, even in /proc): the nearest existing folder is
 * probed by creating, then removing, the first missing folder level or a probe file. Nothing is left behind.
 */
export function checkWritableFolder(dir: string, target = dir): void {
  let missing: string | undefined;
  for (let at = resolve(dir); ; at = dirname(at)) {
    let info;
    try {
      info = statSync(at);
    } catch (error) {
      // missing (created later), or under a file (ENOTDIR): look further up, to name what is in the way
      if (
        isErrnoException(error) &&
        (error.code === 'ENOENT' || error.code === 'ENOTDIR') &&
        dirname(at) !== at
      ) {
        missing = at;
        continue;
      }
      throw writeError(target, error);
    }
    if (!info.isDirectory()) throw new InputError(`${target}: cannot write: ${at} is a file, not a folder`);
    try {
      if (missing !== undefined) {
        mkdirSync(missing);
        rmdirSync(missing);
      } else {
        const probe = join(at, `.mlops-probe.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
        closeSync(openSync(probe, 'wx'));
        unlinkSync(probe);
      }
    } catch (error) {
      throw writeError(target, error);
    }
    return;
  }
}

/**
 * Create `dir` and its missing parents one level at a time. Node 20's `mkdir(…, { recursive: true })` loops for
 * ever on a folder the file system refuses to create (ENOENT under /proc); a plain mkdir per level fails at once.
 */
export function makeFoldersSync(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if (statSync(at).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR' });
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT' && dirname(at) !== at) {
        missing.push(at);
        continue;
      }
      throw error;
    }
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if (!(isErrnoException(error) && error.code === 'EEXIST' && statSync(level).isDirectory())) throw error;
    }
  }
}

/** makeFoldersSync, without blocking the event loop. */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      if ((await stat(at)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR' });
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT' && dirname(at) !== at) {
        missing.push(at);
        continue;
      }
      throw error;
    }
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (error) {
      if (!(isErrnoException(error) && error.code === 'EEXIST' && (await stat(level)).isDirectory()))
        throw error;
    }
  }
}

/**
 * Read a small text file (a config, a manifest, a params file) without trusting it to be small: a device
 * (`/dev/zero`), a pipe or a file over `maxBytes` is bad input naming it and `what` it should be, never read into
 * memory. ENOENT and other read errors are thrown as they are, for the caller to word.
 */
export async function readTextFileBounded(path: string, maxBytes: number, what: string): Promise<string> {
  const info = await stat(path);
  if (info.isDirectory()) throw new InputError(`${path}: is a folder, not ${what}`);
  if (!info.isFile())
    throw new InputError(`${path}: is not a regular file (a device, a pipe or a socket), not ${what}`);
  if (info.size > maxBytes)
    throw new InputError(`${path}: ${info.size} bytes is too large for ${what} (at most ${maxBytes})`);
  return readFile(path, 'utf8');
}

/** Remove a temp file if it is there; a path that cannot even be looked at (a file in the way) has none. */
async function removeQuietly(temp: string): Promise<void> {
  await rm(temp, { force: true }).catch(() => undefined);
}

function removeQuietlySync(temp: string): void {
  try {
    rmSync(temp, { force: true });
  } catch {
    // nothing was written there
  }
}

/** Write a whole file atomically: folders are created, the data goes to a temp file beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  const release = trackTempFile(temp);
  try {
    await makeFolders(dirname(path));
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw writeError(path, error);
  } finally {
    release();
  }
}

/**
 * writeFileAtomic, synchronously: for a CLI's small outputs, where waiting on the thread pool for each of mkdir,
 * open, write, close and rename costs more than the writes.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temp = tempPathFor(path);
  const release = trackTempFile(temp);
  try {
    makeFoldersSync(dirname(path));
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    removeQuietlySync(temp);
    throw writeError(path, error);
  } finally {
    release();
  }
}

/**
 * Stream into a file atomically: `write` fills the stream; only when it resolves is the temp file renamed over
 * `path`. On any error the temp file is removed and nothing is left behind.
 */
export async function writeStreamAtomic(
  path: string,
  write: (stream: WriteStream) => Promise<void>,
): Promise<void> {
  const temp = tempPathFor(path);
  const release = trackTempFile(temp);
  let stream: WriteStream | undefined;
  try {
    await makeFolders(dirname(path));
    stream = createWriteStream(temp);
    // Listen from the start: a failed open (permission, full disk) must reject below, not crash the process as an
    // unhandled 'error' event while `write` is still busy.
    stream.on('error', () => undefined);
    await write(stream);
    stream.end();
    await finished(stream);
    await rename(temp, path);
  } catch (error) {
    if (stream) {
      // The file is opened asynchronously: wait until the destroyed stream has closed its descriptor, or a late
      // open would create the temp file again after it was removed.
      stream.destroy();
      await finished(stream).catch(() => undefined);
    }
    await removeQuietly(temp);
    throw writeError(path, error);
  } finally {
    release();
  }
}

/** Write to a stream, honouring back-pressure. */
export async function writeChunk(stream: WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (!stream.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        stream.off('drain', onDrain);
        reject(error);
      };
      stream.once('drain', onDrain);
      stream.once('error', onError);
    });
  }
}
