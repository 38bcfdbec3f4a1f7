import { Storage, type Bucket, type StorageOptions } from '@google-cloud/storage';
import { InputError } from '@mlops/core';
import { ObjectNotFound, joinKey, type RemoteBackend } from './types.js';

export interface GcsOptions {
  projectname?: string;
  credentialpath?: string;
  endpointurl?: string;
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: number | string };
  return e?.code === 404;
}

/**
 * gs://bucket/prefix with @google-cloud/storage: `credentialpath` (a service-account key file) or the Google
 * default credentials (GOOGLE_APPLICATION_CREDENTIALS); `endpointurl` points at another server (an emulator),
 * which the client then talks to without authentication.
 */
export class GcsRemote implements RemoteBackend {
  readonly readOnly = false;
  private readonly bucket: Bucket;
  private readonly prefix: string;

  constructor(
    readonly displayUrl: string,
    url: URL,
    options: GcsOptions,
  ) {
    if (!url.hostname) throw new InputError(`gs remote URL ${displayUrl} has no bucket`);
    this.prefix = decodeURIComponent(url.pathname);
    const config: StorageOptions = { retryOptions: { autoRetry: false } };
    if (options.projectname) config.projectId = options.projectname;
    if (options.credentialpath) config.keyFilename = options.credentialpath;
    if (options.endpointurl) config.apiEndpoint = options.endpointurl;
    this.bucket = new Storage(config).bucket(url.hostname);
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    const file = this.bucket.file(joinKey(this.prefix, key));
    const stream = file.createReadStream({ validation: false });
    // Surface a 404 as ObjectNotFound before the caller starts consuming.
    return (async function* () {
      try {
        for await (const chunk of stream) yield chunk as Uint8Array;
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFound(key);
        throw error;
      }
    })();
  }

  async write(key: string, file: string): Promise<void> {
    await this.bucket.upload(file, {
      destination: joinKey(this.prefix, key),
      resumable: false,
      validation: false,
    });
  }

  async exists(key: string): Promise<boolean> {
    try {
      const [exists] = await this.bucket.file(joinKey(this.prefix, key)).exists();
      return exists;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
