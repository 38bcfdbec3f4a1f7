/**
 * Retries of remote operations: core's one policy (transient errors — resets, timeouts, 5xx, 429, throttling —
 * with exponential backoff and jitter; a refused connection or an unknown host once, quickly; a missing object, a
 * refused credential or a corrupt object never). Re-exported here with this package's defaults.
 */
import { classifyError, DEFAULT_RETRY, withRetry, type RetryOptions } from '@mlops/core';

export { DEFAULT_RETRY, withRetry, type RetryOptions };

/** Whether an error may go away on a retry (transient, or unreachable: retried once). */
export function isTransient(error: unknown): boolean {
  return classifyError(error) !== 'permanent';
}
