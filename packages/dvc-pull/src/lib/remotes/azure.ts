import {
  AnonymousCredential,
  BlobServiceClient,
  StorageSharedKeyCredential,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { InputError } from '@mlops/core';
import { ObjectNotFound, joinKey, type RemoteBackend } from './types.js';

export interface AzureOptions {
  connection_string?: string;
  account_name?: string;
  account_key?: string;
  sas_token?: string;
  allow_anonymous_login?: string;
}

function isNotFound(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || e?.code === 'BlobNotFound';
}

/**
 * azure://container/prefix with @azure/storage-blob. Credentials, first found wins: connection_string, account_name
 * + account_key, account_name + sas_token (config.local or AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT /
 * AZURE_STORAGE_KEY / AZURE_STORAGE_SAS_TOKEN), or anonymous with allow_anonymous_login. The SDK's retries are off.
 */
export class AzureRemote implements RemoteBackend {
  readonly readOnly = false;
  private readonly container: ContainerClient;
  private readonly prefix: string;

  constructor(
    readonly displayUrl: string,
    url: URL,
    options: AzureOptions,
  ) {
    const containerName = url.hostname;
    if (!containerName) throw new InputError(`azure remote URL ${displayUrl} has no container`);
    this.prefix = decodeURIComponent(url.pathname);
    const env = process.env;
    const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: 1 } };
    const connection = options.connection_string || env['AZURE_STORAGE_CONNECTION_STRING'];
    const account = options.account_name || env['AZURE_STORAGE_ACCOUNT'];
    const key = options.account_key || env['AZURE_STORAGE_KEY'];
    const sas = options.sas_token || env['AZURE_STORAGE_SAS_TOKEN'];
    let service: BlobServiceClient;
    if (connection) {
      service = BlobServiceClient.fromConnectionString(connection, pipeline);
    } else if (account && key) {
      service = new BlobServiceClient(
        `https://${account}.blob.core.windows.net`,
        new StorageSharedKeyCredential(account, key),
        pipeline,
      );
    } else if (account && sas) {
      service = new BlobServiceClient(
        `https://${account}.blob.core.windows.net?${sas.replace(/^\?/, '')}`,
        undefined,
        pipeline,
      );
    } else if (account && /^(true|1|yes)$/i.test(options.allow_anonymous_login ?? '')) {
      service = new BlobServiceClient(
        `https://${account}.blob.core.windows.net`,
        new AnonymousCredential(),
        pipeline,
      );
    } else {
      throw new InputError(
        `azure remote ${displayUrl}: no credentials; set connection_string, or account_name with account_key or sas_token ` +
          `(mlops-dvc remote modify --local NAME connection_string …, or AZURE_STORAGE_CONNECTION_STRING)`,
      );
    }
    this.container = service.getContainerClient(containerName);
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const res = await this.container.getBlockBlobClient(joinKey(this.prefix, key)).download();
      if (!res.readableStreamBody) throw new Error(`empty response body for ${key}`);
      return res.readableStreamBody as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFound(key);
      throw error;
    }
  }

  async write(key: string, file: string): Promise<void> {
    await this.container.getBlockBlobClient(joinKey(this.prefix, key)).uploadFile(file);
  }

  async exists(key: string): Promise<boolean> {
    return this.container.getBlockBlobClient(joinKey(this.prefix, key)).exists();
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
