/**
 * Object databases: the local cache (`<cache>/files/md5/ab/cdef…`, legacy `<cache>/ab/cdef…`) and the remote
 * layout (`files/md5/ab/cdef…`, legacy `ab/cdef…`) of DVC 3 (dvc/cachemgr.py, dvc-data hashfile/db/local.py).
 * Every transfer hashes the bytes as they stream; an object whose md5 differs is an error naming it and never
 * lands in the cache. Cache files are read-only (0o444).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import {
  FailureError,
  InputError,
  classifyError,
  describeNetworkError,
  isErrnoException,
  makeFolders,
  trackTempFile,
} from '@mlops/core';
import { createObjectHasher, readChunks, type HashName, type ObjectHasher } from './hash.js';
import { ObjectNotFound, rebrand, type RemoteBackend } from './remotes/types.js';
import { withRetry, type RetryOptions, DEFAULT_RETRY } from './retry.js';
import { redactText } from './redact.js';

export interface ObjectRef {
  /** `<hex>` or `<hex>.dir`. */
  oid: string;
  hashName: HashName;
  /** Workspace path it belongs to, for messages (DVC's obj_name). */
  name: string;
}

export const refKey = (r: ObjectRef): string => `${r.hashName}:${r.oid}`;
const shard = (oid: string): [string, string] => [oid.slice(0, 2), oid.slice(2)];

export function cachePath(cacheDir: string, ref: Pick<ObjectRef, 'oid' | 'hashName'>): string {
  const [a, b] = shard(ref.oid);
  return ref.hashName === 'md5' ? join(cacheDir, 'files', 'md5', a, b) : join(cacheDir, a, b);
}

/** Where to look on a remote, in order: legacy outputs live at `ab/cdef…` (maybe migrated to files/md5). */
export function remoteKeys(ref: Pick<ObjectRef, 'oid' | 'hashName'>): string[] {
  const [a, b] = shard(ref.oid);
  return ref.hashName === 'md5' ? [`files/md5/${a}/${b}`] : [`${a}/${b}`, `files/md5/${a}/${b}`];
}

export const expectedDigest = (oid: string): string => oid.replace(/\.dir$/, '');

/** A corrupt or truncated object. */
export class IntegrityError extends FailureError {}

export function hashingTransform(hasher: ObjectHasher): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hasher.update(chunk);
      cb(null, chunk);
    },
  });
}

const madeDirs = new Set<string>();

/** mkdir -p, remembered for the process: thousands of objects share a few hundred shard folders. */
export async function ensureDir(dir: string): Promise<void> {
  if (madeDirs.has(dir)) return;
  await makeFolders(dir);
  madeDirs.add(dir);
}

export function tempBeside(path: string): string {
  return join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return false;
    throw error;
  }
}

/**
 * The end of a verified write: the temp file's digest must be the object id (else IntegrityError naming `what`),
 * executables get their mode whatever the umask, then the temp file becomes `dest`. Returns the bytes written.
 */
async function commitVerified(
  temp: string,
  dest: string,
  hasher: ObjectHasher,
  ref: Pick<ObjectRef, 'oid' | 'hashName'>,
  what: string,
  mode: number,
): Promise<number> {
  const got = hasher.digest();
  const want = expectedDigest(ref.oid);
  if (got !== want)
    throw new IntegrityError(
      `${what} is corrupt or truncated: expected ${ref.hashName} ${want}, got ${got} (${hasher.size} bytes)`,
    );
  if (mode & 0o111) await chmod(temp, mode); // executables must not depend on the umask
  await rename(temp, dest);
  return hasher.size;
}

/**
 * Copy a stream into `dest` through a temp file, hashing on the way; rename only when the digest matches.
 * Returns the byte count. On mismatch nothing is left behind.
 */
export async function streamVerified(
  source: AsyncIterable<Uint8Array>,
  dest: string,
  ref: Pick<ObjectRef, 'oid' | 'hashName'>,
  what: string,
  mode: number,
): Promise<number> {
  await ensureDir(dirname(dest));
  const temp = tempBeside(dest);
  const release = trackTempFile(temp); // removed by core's SIGINT/SIGTERM handler if interrupted
  const hasher = createObjectHasher(ref.hashName);
  try {
    // Created with its final mode (less the umask): one chmod fewer per object, which counts on slow filesystems.
    await pipeline(source, hashingTransform(hasher), createWriteStream(temp, { mode }));
    return await commitVerified(temp, dest, hasher, ref, what, mode);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    release();
  }
}

/**
 * Copy a local file into `dest` through a temp file, hashing on the way with reused buffers; rename only when the
 * digest matches (nothing is left behind otherwise). `notFound` maps a missing source to the caller's error.
 */
export async function copyVerified(
  src: string,
  dest: string,
  ref: Pick<ObjectRef, 'oid' | 'hashName'>,
  what: string,
  mode: number,
  notFound?: () => Error,
): Promise<number> {
  let input: FileHandle;
  try {
    input = await open(src, 'r');
  } catch (error) {
    if (notFound && isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR'))
      throw notFound();
    throw error;
  }
  const temp = tempBeside(dest);
  let release: (() => void) | undefined;
  try {
    await ensureDir(dirname(dest));
    release = trackTempFile(temp); // removed by core's SIGINT/SIGTERM handler if interrupted
    const hasher = createObjectHasher(ref.hashName);
    const output = await open(temp, 'wx', mode);
    try {
      await readChunks(input, async (chunk) => {
        hasher.update(chunk);
        let off = 0;
        while (off < chunk.length) off += (await output.write(chunk, off, chunk.length - off)).bytesWritten;
      });
    } finally {
      await output.close();
    }
    return await commitVerified(temp, dest, hasher, ref, what, mode);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await input.close();
    release?.();
  }
}

/**
 * Objects whose bytes this process has hashed and found intact (fetched, or cached and checked by fetch): a pull
 * then checks them out with a kernel copy instead of hashing them a second time.
 */
const verified = new Set<string>();
export const markVerified = (ref: Pick<ObjectRef, 'oid' | 'hashName'>): void => {
  verified.add(`${ref.hashName}:${ref.oid}`);
};
export const isVerified = (ref: Pick<ObjectRef, 'oid' | 'hashName'>): boolean =>
  verified.has(`${ref.hashName}:${ref.oid}`);

/** Copy an object verified in this run to `dest` (temp file, mode, rename): no second hashing pass. */
export async function copyTrusted(src: string, dest: string, mode: number): Promise<void> {
  await ensureDir(dirname(dest));
  const temp = tempBeside(dest);
  const release = trackTempFile(temp);
  try {
    await copyFile(src, temp);
    await chmod(temp, mode);
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    release();
  }
}

export interface TransferContext {
  remote: RemoteBackend;
  remoteName: string;
  cacheDir: string;
  secrets: readonly string[];
  retry?: RetryOptions;
  onRetry?: (message: string) => void;
}

function describeError(error: unknown, secrets: readonly string[]): string {
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode ?? (error as { statusCode?: number })?.statusCode;
  // A HEAD answer has no body, so the SDK can only say "UnknownError": name the usual cause instead.
  const generic = !e?.message || e.message === 'UnknownError' || e.message === e.name;
  const parts = [
    generic && (status === 401 || status === 403)
      ? 'access denied: check the credentials and permissions'
      : classifyError(error) === 'unreachable'
        ? describeNetworkError(error, { withAddress: true }) // "connection refused (…) at host:port (ECONNREFUSED)"
        : e?.message || e?.name || String(error),
  ];
  if (e?.code && typeof e.code === 'string' && !parts[0]!.includes(e.code)) parts.push(`(${e.code})`);
  if (status) parts.push(`(HTTP ${status})`);
  return redactText(parts.join(' '), secrets);
}

/**
 * A cloud SDK that found no credentials at all (AWS's default chain, Google's default credentials): bad input —
 * the user must configure them — not a network failure; nothing is retried.
 */
function missingCredentials(ctx: TransferContext, error: unknown): InputError | undefined {
  const e = error as { name?: string; message?: string } | undefined;
  const message = e?.message ?? '';
  if (
    e?.name === 'CredentialsProviderError' ||
    /Could not load credentials from any providers|Could not load the default credentials/i.test(message)
  )
    return new InputError(
      `remote '${ctx.remoteName}' (${ctx.remote.displayUrl}): no credentials found (${redactText(message, ctx.secrets)}); ` +
        `set them with \`mlops-dvc remote modify --local ${ctx.remoteName} …\` or the provider's environment variables`,
      { cause: error },
    );
  return undefined;
}

/** A remote's stream, its errors given this module's classes (a cloud remote module is loaded separately). */
async function* rebranded(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    yield* source;
  } catch (error) {
    throw rebrand(error);
  }
}

/** Download one object from the remote into the cache (verified). */
export async function downloadToCache(ctx: TransferContext, ref: ObjectRef): Promise<number> {
  const dest = cachePath(ctx.cacheDir, ref);
  const keys = remoteKeys(ref);
  for (const key of keys) {
    try {
      const local = ctx.remote.localPath?.(key);
      if (local !== undefined) {
        const n = await copyVerified(
          local,
          dest,
          ref,
          `object ${key} for '${ref.name}' on remote '${ctx.remoteName}' (${ctx.remote.displayUrl})`,
          0o444,
          () => new ObjectNotFound(key),
        );
        markVerified(ref);
        return n;
      }
      const n = await withRetry(
        async () =>
          streamVerified(
            rebranded(await ctx.remote.read(key)),
            dest,
            ref,
            `object ${key} for '${ref.name}' on remote '${ctx.remoteName}' (${ctx.remote.displayUrl})`,
            0o444,
          ),
        {
          ...(ctx.retry ?? DEFAULT_RETRY),
          onRetry: (error, attempt, delay) =>
            ctx.onRetry?.(
              `retrying ${key} from ${ctx.remote.displayUrl} (attempt ${attempt + 1} in ${delay} ms): ${describeError(error, ctx.secrets)}`,
            ),
        },
      );
      markVerified(ref);
      return n;
    } catch (error) {
      if (error instanceof ObjectNotFound) continue;
      if (error instanceof IntegrityError) throw error;
      throw (
        missingCredentials(ctx, error) ??
        new FailureError(
          `failed to download ${key} for '${ref.name}' from remote '${ctx.remoteName}' (${ctx.remote.displayUrl}): ${describeError(error, ctx.secrets)}`,
          { cause: error },
        )
      );
    }
  }
  throw new FailureError(
    `missing on remote '${ctx.remoteName}' (${ctx.remote.displayUrl}): ${keys[0]} for '${ref.name}'`,
  );
}

/** Verify the cached copy of an object; a corrupt one is removed (so the next fetch replaces it). */
export async function verifyCached(cacheDir: string, ref: ObjectRef): Promise<'ok' | 'missing' | 'corrupt'> {
  const path = cachePath(cacheDir, ref);
  const hasher = createObjectHasher(ref.hashName);
  try {
    const handle = await open(path, 'r');
    try {
      await readChunks(handle, (chunk) => hasher.update(chunk));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (
      isErrnoException(error) &&
      (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR')
    )
      return 'missing';
    throw error;
  }
  if (hasher.digest() === expectedDigest(ref.oid)) {
    markVerified(ref);
    return 'ok';
  }
  await rm(path, { force: true });
  return 'corrupt';
}

/** Upload one cached object after checking its md5; legacy objects go to the legacy location. */
export async function uploadFromCache(ctx: TransferContext, ref: ObjectRef): Promise<number> {
  const src = cachePath(ctx.cacheDir, ref);
  const hasher = createObjectHasher(ref.hashName);
  try {
    for await (const chunk of createReadStream(src)) hasher.update(chunk as Buffer);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT')
      throw new FailureError(`cannot push '${ref.name}': object ${ref.oid} is not in the cache (${src})`);
    throw error;
  }
  if (hasher.digest() !== expectedDigest(ref.oid))
    throw new IntegrityError(
      `cannot push '${ref.name}': cache object ${src} is corrupt (md5 differs from ${expectedDigest(ref.oid)})`,
    );
  const key = remoteKeys(ref)[0]!;
  try {
    await withRetry(() => ctx.remote.write(key, src, hasher.size), {
      ...(ctx.retry ?? DEFAULT_RETRY),
      onRetry: (error, attempt, delay) =>
        ctx.onRetry?.(
          `retrying upload of ${key} to ${ctx.remote.displayUrl} (attempt ${attempt + 1} in ${delay} ms): ${describeError(error, ctx.secrets)}`,
        ),
    });
  } catch (error) {
    if (error instanceof FailureError) throw error;
    throw (
      missingCredentials(ctx, error) ??
      new FailureError(
        `failed to upload ${key} for '${ref.name}' to remote '${ctx.remoteName}' (${ctx.remote.displayUrl}): ${describeError(error, ctx.secrets)}`,
        { cause: error },
      )
    );
  }
  return hasher.size;
}

export async function remoteHas(ctx: TransferContext, ref: ObjectRef): Promise<boolean> {
  for (const key of remoteKeys(ref)) {
    try {
      if (await withRetry(() => ctx.remote.exists(key), ctx.retry ?? DEFAULT_RETRY)) return true;
    } catch (error) {
      throw (
        missingCredentials(ctx, error) ??
        new FailureError(
          `failed to query ${key} on remote '${ctx.remoteName}' (${ctx.remote.displayUrl}): ${describeError(error, ctx.secrets)}`,
          { cause: error },
        )
      );
    }
  }
  return false;
}

/** Put a local file into the cache (read-only), unless an object with that oid is already there. */
export async function addFileToCache(
  cacheDir: string,
  ref: Pick<ObjectRef, 'oid' | 'hashName'>,
  file: string,
): Promise<void> {
  const dest = cachePath(cacheDir, ref);
  if (await fileExists(dest)) return;
  await streamVerified(createReadStream(file), dest, ref, `file ${file} (changed while being added?)`, 0o444);
}
