import { chmod, copyFile, open, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { isErrnoException, makeFolders, trackTempFile } from '@mlops/core';
import { ObjectNotFound, type RemoteBackend } from './types.js';

/** A remote on a local or mounted filesystem (a plain path or a file:// URL). Objects are stored read-only. */
export class LocalRemote implements RemoteBackend {
  readonly readOnly = false;
  constructor(
    readonly root: string,
    readonly displayUrl: string = root,
  ) {}

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const handle = await open(this.pathOf(key), 'r');
      return handle.createReadStream();
    } catch (error) {
      if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR'))
        throw new ObjectNotFound(key);
      throw error;
    }
  }

  async write(key: string, file: string): Promise<void> {
    const dest = this.pathOf(key);
    await makeFolders(dirname(dest));
    const temp = join(dirname(dest), `.${randomBytes(6).toString('hex')}.tmp`);
    const release = trackTempFile(temp);
    try {
      await copyFile(file, temp);
      await chmod(temp, 0o444);
      await rename(temp, dest);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    } finally {
      release();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
