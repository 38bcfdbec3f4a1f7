/**
 * Object hashing as DVC 3 does it (dvc-data hashfile/hash.py):
 * - `md5` (outputs with `hash: md5`): md5 of the raw bytes.
 * - `md5-dos2unix` (legacy 2.x outputs, no `hash:` field): the file is read in 1 MiB chunks; a chunk whose first
 *   512 bytes look like text (istextfile.py `istextblock`) has its CRLF turned into LF before hashing. The test is
 *   per chunk, and a CRLF split across two chunks is left alone, exactly like `Dos2UnixHashStreamFile.read`.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { fullRuntime } from './runtime.js';

export type HashName = 'md5' | 'md5-dos2unix';

export const LEGACY_CHUNK = 2 ** 20;
const TEXT_BLOCK = 512;

const TEXT_CHARS = (() => {
  const t = new Uint8Array(256);
  for (let b = 32; b < 127; b++) t[b] = 1;
  for (const b of [0x0a, 0x0d, 0x09, 0x0c, 0x08]) t[b] = 1;
  return t;
})();

/** dvc-data `istextblock`: empty is text; any NUL is binary; else text when ≤ 30% of bytes are non-text. */
export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nontext = 0;
  for (let i = 0; i < block.length; i++) {
    const b = block[i]!;
    if (b === 0) return false;
    if (!TEXT_CHARS[b]) nontext++;
  }
  return nontext / block.length <= 0.3;
}

/** `data.replace(b"\r\n", b"\n")`. */
export function dos2unix(chunk: Uint8Array): Uint8Array {
  let crlf = 0;
  for (let i = 0; i + 1 < chunk.length; i++) if (chunk[i] === 0x0d && chunk[i + 1] === 0x0a) crlf++;
  if (crlf === 0) return chunk;
  const out = new Uint8Array(chunk.length - crlf);
  let j = 0;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] === 0x0d && chunk[i + 1] === 0x0a) continue;
    out[j++] = chunk[i]!;
  }
  return out;
}

/** An incremental hasher for either algorithm; `size` counts the raw bytes seen. */
export interface ObjectHasher {
  update(chunk: Uint8Array): void;
  digest(): string;
  readonly size: number;
}

class Md5Hasher implements ObjectHasher {
  private readonly h: Hash = createHash('md5');
  size = 0;
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    this.h.update(chunk);
  }
  digest(): string {
    return this.h.digest('hex');
  }
}

/** Buffers to exact 1 MiB chunks so the text heuristic sees the same chunks Python's `read(2**20)` returns. */
class Dos2UnixHasher implements ObjectHasher {
  private readonly h: Hash = createHash('md5');
  private readonly buf = new Uint8Array(LEGACY_CHUNK);
  private fill = 0;
  size = 0;
  constructor() {
    // dos2unix is a JavaScript loop over every byte: ten times slower without Turbofan (see runtime.ts).
    fullRuntime();
  }
  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, LEGACY_CHUNK - this.fill);
      this.buf.set(chunk.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === LEGACY_CHUNK) this.flush();
    }
  }
  private flush(): void {
    if (this.fill === 0) return;
    const chunk = this.buf.subarray(0, this.fill);
    this.h.update(isTextBlock(chunk.subarray(0, TEXT_BLOCK)) ? dos2unix(chunk) : chunk);
    this.fill = 0;
  }
  digest(): string {
    this.flush();
    return this.h.digest('hex');
  }
}

export function createObjectHasher(name: HashName): ObjectHasher {
  return name === 'md5' ? new Md5Hasher() : new Dos2UnixHasher();
}

export function hashBytes(data: Uint8Array, name: HashName = 'md5'): string {
  const h = createObjectHasher(name);
  h.update(data);
  return h.digest();
}

export interface FileHash {
  md5: string;
  size: number;
}

/**
 * Read buffers, reused: a pull of thousands of small objects then allocates almost nothing per file, so V8's
 * young generation stays small (read streams allocate a fresh 64 KB chunk per read, which grew it to ~50 MB).
 */
const READ_BUFFER = 256 * 1024;
const buffers: Buffer[] = [];
export async function withReadBuffer<T>(fn: (buf: Buffer) => Promise<T>): Promise<T> {
  const buf = buffers.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER);
  try {
    return await fn(buf);
  } finally {
    buffers.push(buf);
  }
}

/** Feed every byte of an open file to `onChunk` (the chunk is only valid during the call). */
export async function readChunks(
  handle: FileHandle,
  onChunk: (chunk: Buffer) => Promise<void> | void,
): Promise<void> {
  await withReadBuffer(async (buf) => {
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      await onChunk(buf.subarray(0, bytesRead));
    }
  });
}

export async function hashFile(path: string, name: HashName = 'md5'): Promise<FileHash> {
  const h = createObjectHasher(name);
  const handle = await open(path, 'r');
  try {
    await readChunks(handle, (chunk) => h.update(chunk));
  } finally {
    await handle.close();
  }
  return { md5: h.digest(), size: h.size };
}

export const MD5_RE = /^[0-9a-f]{32}$/;
