import { FailureError, InputError, MlopsError } from '@mlops/core';

/** The storage interface every remote kind implements: keys are POSIX paths under the remote URL. */
export interface RemoteBackend {
  /** The remote URL with any secret parts removed: safe to print. */
  readonly displayUrl: string;
  readonly readOnly: boolean;
  /** Stream an object. Rejects with ObjectNotFound when the key is absent. */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Store a local file under `key` (whole object, replaced if present). */
  write(key: string, file: string, size: number): Promise<void>;
  exists(key: string): Promise<boolean>;
  close(): Promise<void>;
  /** A local-folder remote: the file holding `key`, read directly (no stream) by downloads. */
  localPath?(key: string): string;
}

export class ObjectNotFound extends Error {
  constructor(readonly key: string) {
    super(`not found: ${key}`);
    this.name = 'ObjectNotFound';
  }
}

/** A non-2xx HTTP answer, kept as a status so the retry policy can classify it. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** Join a prefix and a key with exactly one `/`. */
export function joinKey(prefix: string, key: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p === '' ? key : `${p}/${key}`;
}

/**
 * Errors from a separately loaded module are instances of its own copies of the error classes: give them ours
 * again (by name), so exit codes (InputError → 2) and not-found handling stay the same.
 */
export function rebrand(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof MlopsError || error instanceof ObjectNotFound)
    return error;
  const e = error as Error & { key?: string; status?: number };
  switch (e.name) {
    case 'ObjectNotFound':
      return new ObjectNotFound(String(e.key));
    case 'InputError':
      return new InputError(e.message, { cause: e.cause });
    case 'FailureError':
      return new FailureError(e.message, { cause: e.cause });
    case 'HttpStatusError':
      return new HttpStatusError(Number(e.status), e.message);
    default:
      return error;
  }
}
