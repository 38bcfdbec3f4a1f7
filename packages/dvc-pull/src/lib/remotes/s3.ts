import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { InputError } from '@mlops/core';
import { ObjectNotFound, joinKey, type RemoteBackend } from './types.js';

export interface S3Options {
  region?: string;
  profile?: string;
  credentialpath?: string;
  configpath?: string;
  endpointurl?: string;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  use_ssl?: string;
  ssl_verify?: string;
  allow_anonymous_login?: string;
  sse?: string;
  sse_kms_key_id?: string;
  acl?: string;
  connect_timeout?: string;
  read_timeout?: string;
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(`s3 timeout must be a positive number of seconds, got '${value}'`);
  return n;
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(true|1|yes|on)$/i.test(v);
const falsy = (v: string | undefined): boolean => v !== undefined && /^(false|0|no|off)$/i.test(v);

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NoSuchKey' ||
    e?.name === 'NotFound' ||
    e?.Code === 'NoSuchKey' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/**
 * s3://bucket/prefix with @aws-sdk/client-s3. Credentials: config keys (from config.local), else `profile` /
 * `credentialpath` via the shared ini files, else the SDK's default chain (env, AWS_PROFILE, SSO, IMDS…).
 * With `endpointurl` (S3-compatible servers) path-style addressing is used and optional checksums are off.
 * The SDK's own retries are off: the transfer layer retries with its own backoff and reporting.
 */
// The pinned SDK prints a notice about future releases needing Node 22 on every run; it concerns versions we
// do not use, and it would bury real messages on stderr. An explicit setting by the user still wins.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export class S3Remote implements RemoteBackend {
  readonly readOnly = false;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    readonly displayUrl: string,
    url: URL,
    private readonly options: S3Options,
    maxSockets: number,
  ) {
    this.bucket = url.hostname;
    if (!this.bucket) throw new InputError(`s3 remote URL ${displayUrl} has no bucket`);
    this.prefix = decodeURIComponent(url.pathname);
    let endpoint = options.endpointurl;
    if (endpoint && falsy(options.use_ssl)) endpoint = endpoint.replace(/^https:/, 'http:');
    const config: S3ClientConfig = {
      region: options.region || process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'] || 'us-east-1', // compose passes unset variables as ''
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        // DVC's s3 defaults: connect_timeout and read_timeout of 60 s (seconds in the config).
        connectionTimeout: seconds(options.connect_timeout, 60) * 1000,
        requestTimeout: seconds(options.read_timeout, 60) * 1000,
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
        httpsAgent: new HttpsAgent({
          keepAlive: true,
          maxSockets,
          rejectUnauthorized: !falsy(options.ssl_verify),
        }),
      },
    };
    if (endpoint) {
      config.endpoint = endpoint;
      config.forcePathStyle = true;
    }
    if (options.access_key_id || options.secret_access_key) {
      if (!options.access_key_id || !options.secret_access_key)
        throw new InputError(
          `s3 remote ${displayUrl}: access_key_id and secret_access_key must be set together`,
        );
      config.credentials = {
        accessKeyId: options.access_key_id,
        secretAccessKey: options.secret_access_key,
        ...(options.session_token ? { sessionToken: options.session_token } : {}),
      };
    } else if (options.profile || options.credentialpath || options.configpath) {
      config.credentials = fromIni({
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.credentialpath ? { filepath: options.credentialpath } : {}),
        ...(options.configpath ? { configFilepath: options.configpath } : {}),
      });
    } else if (truthy(options.allow_anonymous_login)) {
      config.credentials = { accessKeyId: '', secretAccessKey: '' };
      config.signer = { sign: async (request) => request };
    }
    this.client = new S3Client(config);
  }

  private key(key: string): string {
    return joinKey(this.prefix, key);
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!res.Body) throw new Error(`empty response body for ${key}`);
      return res.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFound(key);
      throw error;
    }
  }

  async write(key: string, file: string, size: number): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        Body: createReadStream(file),
        ContentLength: size,
        ...(this.options.acl ? { ACL: this.options.acl as 'private' } : {}),
        ...(this.options.sse ? { ServerSideEncryption: this.options.sse as 'AES256' } : {}),
        ...(this.options.sse_kms_key_id ? { SSEKMSKeyId: this.options.sse_kms_key_id } : {}),
      }),
    );
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
