/**
 * One retry-with-backoff policy for every network client of the workspace (DVC remotes, the MLflow REST store).
 *
 * - transient (retried with exponential backoff and jitter): 5xx, 429, 408, connection resets, timeouts,
 *   throttling codes of the cloud SDKs;
 * - unreachable (retried once, quickly, then reported): connection refused, unknown host, no route, a connection
 *   attempt nobody answers; a server that is not there does not come back within a backoff, so waiting longer
 *   only delays the error;
 * - anything else (404, 401/403, a corrupt object, a bad request) is never retried.
 */

export type ErrorClass = 'transient' | 'unreachable' | 'permanent';

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'InternalError',
  'ServiceUnavailable',
  'ServerBusy',
  'OperationTimedOut',
  'TimeoutError',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  // no answer to the connection attempt at all (a host that drops packets): waiting longer does not help
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);

/** What a network code means, for messages. */
const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port)',
  ENOTFOUND: 'unknown host (DNS lookup failed)',
  EAI_AGAIN: 'DNS lookup timed out',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host is down',
  ENETDOWN: 'network is down',
  ECONNRESET: 'connection reset by the server',
  ETIMEDOUT: 'connection timed out',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time (headers timeout)',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving (body timeout)',
  UND_ERR_SOCKET: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host name',
};

function httpStatusOf(e: Record<string, unknown>): number | undefined {
  const meta = e['$metadata'] as { httpStatusCode?: number } | undefined;
  if (typeof meta?.httpStatusCode === 'number') return meta.httpStatusCode;
  for (const k of ['status', 'statusCode', 'httpStatus', 'code'])
    if (typeof e[k] === 'number') return e[k] as number;
  return undefined;
}

/** Classify a failed request (an HTTP status, a Node/undici error code, a cloud SDK error name, its causes). */
export function classifyError(error: unknown, depth = 0): ErrorClass {
  if (typeof error !== 'object' || error === null || depth > 5) return 'permanent';
  const e = error as Record<string, unknown>;
  if (e['retryable'] === false) return 'permanent';
  const status = httpStatusOf(e);
  if (status !== undefined)
    return status >= 500 || status === 429 || status === 408 ? 'transient' : 'permanent';
  for (const k of ['code', 'name', 'Code']) {
    const v = e[k];
    if (typeof v !== 'string') continue;
    if (UNREACHABLE_CODES.has(v)) return 'unreachable';
    if (TRANSIENT_CODES.has(v)) return 'transient';
  }
  // An abort by a per-request timeout (AbortSignal.timeout) is a timeout.
  if (e['name'] === 'TimeoutError') return 'transient';
  const errors = e['errors'];
  if (Array.isArray(errors) && errors.length > 0) {
    const classes = errors.map((x) => classifyError(x, depth + 1));
    if (classes.includes('transient')) return 'transient';
    if (classes.includes('unreachable')) return 'unreachable';
  }
  const cause = e['cause'];
  return cause !== undefined && cause !== error ? classifyError(cause, depth + 1) : 'permanent';
}

/**
 * The innermost useful description of a network error: "connection refused (…) (ECONNREFUSED)", not "fetch
 * failed". With `withAddress`, the host and port the system error names are added (for clients whose message does
 * not name the host already).
 */
export function describeNetworkError(error: unknown, options: { withAddress?: boolean } = {}): string {
  const seen = new Set<unknown>();
  let best: string | undefined;
  for (let e: unknown = error; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e);
    const r = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
      name?: unknown;
      hostname?: unknown;
      address?: unknown;
      port?: unknown;
    };
    const code = typeof r.code === 'string' ? r.code : undefined;
    if (code && CAUSES[code]) {
      const host =
        typeof r.hostname === 'string' ? r.hostname : typeof r.address === 'string' ? r.address : '';
      const at =
        options.withAddress && host ? ` at ${host}${typeof r.port === 'number' ? `:${r.port}` : ''}` : '';
      return `${CAUSES[code]}${at} (${code})`;
    }
    if (r.name === 'TimeoutError') return 'no answer in time (request timeout)';
    if (typeof r.message === 'string' && r.message && r.message !== 'fetch failed')
      best = code && !r.message.includes(code) ? `${r.message} (${code})` : r.message;
    if (Array.isArray(r.errors) && r.errors.length > 0) e = r.errors[0];
    else e = r.cause;
  }
  return best ?? (error instanceof Error ? error.message : String(error));
}

export interface RetryOptions {
  /** Total tries for transient errors, the first included (default 6: five retries). */
  attempts: number;
  /** First backoff in ms, doubled each retry (with jitter: a random wait in [d/2, d]). */
  baseDelayMs: number;
  /** Upper bound of one wait. */
  maxDelayMs: number;
  /** Total tries for unreachable errors (default 2: one quick retry after `baseDelayMs`). */
  unreachableAttempts?: number;
  /** The class of an error (default classifyError). */
  classify?: (error: unknown) => ErrorClass;
  /** A wait the server asked for (Retry-After), in ms; it replaces the backoff, capped at maxDelayMs. */
  retryAfterMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8000 };

/** Run `fn` and retry it as the policy above says; the last error is rethrown as is. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const classify = options.classify ?? classifyError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const kind = classify(error);
      const limit =
        kind === 'transient'
          ? options.attempts
          : kind === 'unreachable'
            ? Math.min(options.attempts, options.unreachableAttempts ?? 2)
            : 1;
      if (attempt >= limit) throw error;
      const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      let delay = Math.round(exp / 2 + Math.random() * (exp / 2));
      const asked = options.retryAfterMs?.(error);
      if (asked !== undefined && Number.isFinite(asked) && asked >= 0)
        delay = Math.min(asked, options.maxDelayMs);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
