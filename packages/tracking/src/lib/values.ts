/**
 * Pure helpers for what goes into a run: key validation (MLflow's rules, which also keep keys from escaping the
 * run folder in the file store), param flattening and stringification, metric values, and the params hash.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { InputError, formatPythonFloat } from '@mlops/core';

/** MLflow's limits (mlflow/utils/validation.py, MLflow 2.x). */
export const LIMITS = {
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxMetricsPerBatch: 1000,
  maxParamsPerBatch: 100,
  maxTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  maxBatchRequestBytes: 1_000_000,
} as const;

// MLflow: "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:)
// and slashes (/)." Python's \w is Unicode-aware, hence \p{L}\p{N}.
const VALID_KEY = /^[\p{L}\p{N}_./\- :]+$/u;

/** Throw InputError unless `key` is a name MLflow accepts and that cannot resolve to another path. */
export function validateKey(kind: 'param' | 'metric' | 'tag', key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InputError(`invalid ${kind} name: empty`);
  if (key.length > LIMITS.maxKeyLength)
    throw new InputError(
      `invalid ${kind} name '${key.slice(0, 40)}…': longer than ${LIMITS.maxKeyLength} characters`,
    );
  if (!VALID_KEY.test(key))
    throw new InputError(
      `invalid ${kind} name '${key}': names may only contain alphanumerics, underscores, dashes, periods, spaces, colons and slashes`,
    );
  const norm = posix.normalize(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/') || key.endsWith('/'))
    throw new InputError(`invalid ${kind} name '${key}': it would resolve to another path ('${norm}')`);
}

/** Validate a relative artifact path (a folder inside the run's artifacts). */
export function validateArtifactPath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const norm = posix.normalize(trimmed);
  if (norm !== trimmed || norm.startsWith('..') || norm.includes('\0'))
    throw new InputError(
      `invalid artifact path '${path}': it must be a relative path inside the run's artifacts`,
    );
  return norm;
}

/**
 * A param value as MLflow's Python client would store it: `str(value)`. Whole numbers print without a decimal
 * point (a JS number cannot tell 10 from 10.0), other numbers as Python's repr, booleans True/False, null None,
 * arrays as JSON.
 */
export function stringifyParamValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatPythonFloat(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Flatten nested plain objects into dotted keys: `{model: {max_depth: 10}}` → `{'model.max_depth': 10}`. */
export function flattenObject(obj: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) out.push(...flattenObject(v, key));
    else if (v !== undefined) out.push([key, v]);
  }
  return out;
}

/** Params ready for a store: flattened, validated, stringified, each value within MLflow's length limit. */
export function toParamList(params: Record<string, unknown>): Array<{ key: string; value: string }> {
  return flattenObject(params).map(([key, raw]) => {
    validateKey('param', key);
    const value = stringifyParamValue(raw);
    if (value.length > LIMITS.maxParamValueLength)
      throw new InputError(
        `param '${key}' is ${value.length} characters long; MLflow accepts at most ${LIMITS.maxParamValueLength}`,
      );
    return { key, value };
  });
}

export function toTagList(tags: Record<string, unknown>): Array<{ key: string; value: string }> {
  return Object.entries(tags)
    .filter(([, v]) => v !== undefined)
    .map(([key, raw]) => {
      validateKey('tag', key);
      const value = typeof raw === 'string' ? raw : stringifyParamValue(raw);
      if (value.length > LIMITS.maxTagValueLength)
        throw new InputError(
          `tag '${key}' is ${value.length} characters long; MLflow accepts at most ${LIMITS.maxTagValueLength}`,
        );
      return { key, value };
    });
}

/** Metric values must be numbers (NaN and ±Infinity are allowed, as in MLflow); booleans count as 0/1. */
export function toMetricValue(key: string, raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'bigint') return Number(raw);
  throw new InputError(`metric '${key}' must be a number, got ${raw === null ? 'null' : typeof raw}`);
}

export function validateStep(step: unknown): number {
  if (step === undefined) return 0;
  if (typeof step !== 'number' || !Number.isSafeInteger(step))
    throw new InputError(`metric step must be an integer, got ${String(step)}`);
  return step;
}

export function validateTimestamp(ts: unknown): number {
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0)
    throw new InputError(
      `metric timestamp must be a non-negative integer of milliseconds, got ${String(ts)}`,
    );
  return ts;
}

/** JSON with object keys sorted at every level and no whitespace: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of `obj`: key order and formatting do not change it. */
export function paramsHash(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex');
}
