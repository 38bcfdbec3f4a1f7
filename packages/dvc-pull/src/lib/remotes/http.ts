import { Readable } from 'node:stream';
import { InputError, describeNetworkError } from '@mlops/core';
import { HttpStatusError, ObjectNotFound, type RemoteBackend } from './types.js';

export interface HttpOptions {
  auth?: string;
  user?: string;
  password?: string;
  custom_auth_header?: string;
}

/**
 * A request that got no answer: names the host and the cause (`connection refused`, `unknown host`…) instead of
 * fetch's bare "fetch failed"; the original error stays as `cause`, so the retry policy still classifies it.
 */
export class HttpRequestError extends Error {
  constructor(host: string, error: unknown) {
    super(`${host}: ${describeNetworkError(error)}`, { cause: error });
    this.name = 'HttpRequestError';
  }
}

/** A read-only http(s) remote: GET `<url>/<key>`; basic auth or one custom header from config.local. */
export class HttpRemote implements RemoteBackend {
  readonly readOnly = true;
  private readonly headers: Record<string, string> = {};
  private readonly base: string;
  private readonly host: string;

  constructor(
    readonly displayUrl: string,
    url: string,
    options: HttpOptions,
  ) {
    // User info in the URL (http://user:password@host/store) is basic auth, never part of a request URL or a
    // message (fetch refuses a URL with credentials, quoting it whole).
    const parsed = new URL(url);
    const userInfo = parsed.username
      ? { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
      : undefined;
    parsed.username = '';
    parsed.password = '';
    this.base = parsed.toString();
    this.host = parsed.host;
    if (userInfo && options.auth === undefined) options = { ...options, auth: 'basic', ...userInfo };
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

  private async request(key: string, method: 'GET' | 'HEAD'): Promise<Response> {
    try {
      return await fetch(this.urlOf(key), { method, headers: this.headers });
    } catch (error) {
      throw new HttpRequestError(this.host, error);
    }
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.request(key, 'GET');
    if (res.status === 404) {
      await res.body?.cancel();
      throw new ObjectNotFound(key);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new HttpStatusError(res.status, `${this.host}: HTTP ${res.status} ${res.statusText} for ${key}`);
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async write(): Promise<void> {
    throw new InputError(`http remote ${this.displayUrl} is read-only`);
  }

  async exists(key: string): Promise<boolean> {
    const res = await this.request(key, 'HEAD');
    if (res.status === 404) return false;
    if (!res.ok)
      throw new HttpStatusError(res.status, `${this.host}: HTTP ${res.status} ${res.statusText} for ${key}`);
    return true;
  }

  async close(): Promise<void> {
    // nothing to release
  }
}
