import { Readable } from 'node:stream';
import { InputError } from '@mlops/core';
import { HttpStatusError, ObjectNotFound, type RemoteBackend } from './types.js';

export interface HttpOptions {
  auth?: string;
  user?: string;
  password?: string;
  custom_auth_header?: string;
}

/** A read-only http(s) remote: GET `<url>/<key>`; basic auth or one custom header from config.local. */
export class HttpRemote implements RemoteBackend {
  readonly readOnly = true;
  private readonly headers: Record<string, string> = {};

  constructor(
    readonly displayUrl: string,
    private readonly base: string,
    options: HttpOptions,
  ) {
    if (options.auth === 'basic') {
      if (!options.user) throw new InputError(`http remote ${displayUrl}: auth basic needs user`);
      const token = Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64');
      this.headers['authorization'] = `Basic ${token}`;
    } else if (options.auth === 'custom') {
      if (!options.custom_auth_header)
        throw new InputError(`http remote ${displayUrl}: auth custom needs custom_auth_header`);
      this.headers[options.custom_auth_header.toLowerCase()] = options.password ?? '';
    } else if (options.auth !== undefined) {
      throw new InputError(
        `http remote ${displayUrl}: auth '${options.auth}' is not supported (basic, custom)`,
      );
    }
  }

  private urlOf(key: string): string {
    return `${this.base.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await fetch(this.urlOf(key), { headers: this.headers });
    if (res.status === 404) {
      await res.body?.cancel();
      throw new ObjectNotFound(key);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new HttpStatusError(res.status, `HTTP ${res.status} ${res.statusText} for ${key}`);
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async write(): Promise<void> {
    throw new InputError(`http remote ${this.displayUrl} is read-only`);
  }

  async exists(key: string): Promise<boolean> {
    const res = await fetch(this.urlOf(key), { method: 'HEAD', headers: this.headers });
    if (res.status === 404) return false;
    if (!res.ok) throw new HttpStatusError(res.status, `HTTP ${res.status} ${res.statusText} for ${key}`);
    return true;
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
