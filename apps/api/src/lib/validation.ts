/**
 * Request validation with Ajv, strict: no type coercion, no removal of extra fields, no defaults, every error
 * reported. Errors become field-level issues (`samples[3].Age: must be <= 100`), never a stack trace.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface FieldIssue {
  /** Where, as a path: `Age`, `samples[3].Age`, `(body)` for the body itself. */
  readonly field: string;
  readonly message: string;
}

/** One Ajv instance per process: compiled validators are cached by schema. */
export function createAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: false,
    strict: false,
    // Messages quote the offending value where it helps (enum lists, the bad key).
    verbose: true,
  });
}

/** `/samples/3/Age` → `samples[3].Age`; the root is `(body)`. */
export function pathToField(instancePath: string, prefix = ''): string {
  const parts = instancePath.split('/').slice(1);
  let out = prefix;
  for (const raw of parts) {
    const p = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out === '' ? '(body)' : out;
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return String(v);
};

/** Field-level issues of a failed validation, in a stable order with one issue per field. */
export function issuesOf(errors: readonly ErrorObject[] | null | undefined, prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let field = pathToField(e.instancePath, prefix);
    let message: string;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        field = field === '(body)' ? missing : `${field}.${missing}`;
        message = 'is required';
        break;
      }
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        field = field === '(body)' ? extra : `${field}.${extra}`;
        message = 'is not an accepted field';
        break;
      }
      case 'enum':
        message = `${show(e.data)} is not one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
        break;
      case 'type': {
        const type = (e.params as { type: string }).type;
        const article = /^[aeiou]/.test(type) ? 'an' : 'a';
        message = `must be ${article} ${type}, not ${show(e.data)}`;
        break;
      }
      case 'minimum':
      case 'maximum':
        // JSON has no NaN or Infinity, but 1e309 parses to Infinity: say what is wrong with it.
        message =
          typeof e.data === 'number' && !Number.isFinite(e.data)
            ? `must be a finite number (got ${show(e.data)})`
            : `${show(e.data)} is out of range: ${e.message}`;
        break;
      case 'maxItems':
      case 'minItems':
        message = e.message ?? e.keyword;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  // What is wrong with a value says more than what is absent: wrong values first, missing fields last.
  return [
    ...out.filter((i) => i.message !== 'is required'),
    ...out.filter((i) => i.message === 'is required'),
  ];
}

/** Issues as one line: `Age: must be <= 100; CAEC: "x" is not one of …` (at most 5, then a count). */
export function describeIssues(issues: readonly FieldIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.field}: ${i.message}`);
  if (issues.length > 5) shown.push(`and ${issues.length - 5} more`);
  return shown.join('; ');
}

/** An invalid request: status 422 (400 for protocols that say so) with the field-level issues. */
export class RequestValidationError extends Error {
  readonly statusCode: number;
  constructor(
    readonly issues: readonly FieldIssue[],
    statusCode = 422,
  ) {
    super(`invalid input: ${describeIssues(issues)}`);
    this.statusCode = statusCode;
  }
}

/** A request that is well formed but too large (rows above the limit): 413. */
export class PayloadTooLargeError extends Error {
  readonly statusCode = 413;
}

/** Runs a compiled validator; returns the issues (empty when valid). */
export function validate(fn: ValidateFunction, value: unknown, prefix = ''): FieldIssue[] {
  return fn(value) ? [] : issuesOf(fn.errors, prefix);
}
