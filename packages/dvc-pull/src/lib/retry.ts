/**
 * Retries for transient remote errors (connection resets, timeouts, 5xx, 429, throttling) with exponential
 * backoff and jitter. A missing object, a permission error or a corrupt object is never retried.
 */
import { ObjectNotFound, HttpStatusError } from './remotes/types.js';

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
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

function statusOf(error: Record<string, unknown>): number | undefined {
  const meta = error['$metadata'] as { httpStatusCode?: number } | undefined;
  if (typeof meta?.httpStatusCode === 'number') return meta.httpStatusCode;
  for (const k of ['statusCode', 'status', 'code'])
    if (typeof error[k] === 'number') return error[k] as number;
  return undefined;
}

export function isTransient(error: unknown): boolean {
  if (error instanceof ObjectNotFound) return false;
  if (error instanceof HttpStatusError)
    return error.status >= 500 || error.status === 429 || error.status === 408;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  const status = statusOf(e);
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
  for (const k of ['code', 'name', 'Code'])
    if (typeof e[k] === 'string' && TRANSIENT_CODES.has(e[k] as string)) return true;
  const cause = e['cause'];
  return cause !== undefined && cause !== error && isTransient(cause);
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error)) throw error;
      const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(exp / 2 + Math.random() * (exp / 2));
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
