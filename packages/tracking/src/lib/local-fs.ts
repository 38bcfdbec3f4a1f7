/**
 * The file operations the file store uses, with the signatures of node:fs/promises but done synchronously. A run
 * logged to a local `mlruns/` makes a few hundred small operations (folders, meta.yaml, one file per param and tag,
 * artifacts); through the thread pool each one costs an event-loop turn and a hand-off between threads, which
 * weighs on a short stage such as eda. Synchronous calls make the same system calls, so the store's guarantees
 * (exclusive mkdir and link, O_APPEND, rename) are unchanged. Only for CLIs: a server should not block on disk.
 */
import {
  closeSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  type Dirent,
  type MakeDirectoryOptions,
  type RmOptions,
  type Stats,
} from 'node:fs';
import { makeFoldersSync } from '@mlops/core';

export async function stat(path: string): Promise<Stats> {
  return statSync(path);
}

export async function readFile(path: string, encoding: 'utf8'): Promise<string> {
  return readFileSync(path, encoding);
}

export async function mkdir(path: string, options?: MakeDirectoryOptions): Promise<string | undefined> {
  // core's level-by-level creation: Node 20's recursive mkdir spins on a folder the file system refuses (/proc).
  if (options?.recursive) {
    makeFoldersSync(path);
    return undefined;
  }
  return mkdirSync(path, options);
}

export async function writeFile(path: string, data: string, encoding: 'utf8'): Promise<void> {
  writeFileSync(path, data, encoding);
}

export async function rename(from: string, to: string): Promise<void> {
  renameSync(from, to);
}

export async function rm(path: string, options?: RmOptions): Promise<void> {
  rmSync(path, options);
}

export async function link(existing: string, created: string): Promise<void> {
  linkSync(existing, created);
}

export async function readdir(path: string, options: { withFileTypes: true }): Promise<Dirent[]> {
  return readdirSync(path, options);
}

export async function copyFile(from: string, to: string): Promise<void> {
  copyFileSync(from, to);
}

/** open() with the two FileHandle methods the store uses. */
export async function open(
  path: string,
  flags: number,
  mode: number,
): Promise<{ write(text: string): Promise<void>; close(): Promise<void> }> {
  const fd = openSync(path, flags, mode);
  return {
    async write(text: string) {
      // one write() per batch, so O_APPEND lines from several processes never interleave (a partial write, rare
      // on a regular file, continues where it stopped)
      const bytes = Buffer.from(text, 'utf8');
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    },
    async close() {
      closeSync(fd);
    },
  };
}
