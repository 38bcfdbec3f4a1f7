import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

let tempCounter = 0;

/**
 * A temp name beside `path`, unique to this process (pid + counter) and to this start (random part, in case a pid
 * is reused): no cryptographic randomness needed, so no loading node:crypto at every CLI start.
 */
function tempPathFor(path: string): string {
  const unique = `${process.pid}.${(tempCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

/** Write a whole file atomically: folders are created, the data goes to a temp file beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * writeFileAtomic, synchronously: for a CLI's small outputs, where waiting on the thread pool for each of mkdir,
 * open, write, close and rename costs more than the writes.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
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
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  const stream = createWriteStream(temp);
  try {
    await write(stream);
    stream.end();
    await finished(stream);
    await rename(temp, path);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
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
