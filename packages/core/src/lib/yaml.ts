/**
 * YAML text to plain data, for every config-like file the workspace reads (params.yaml, .dvc files): duplicate
 * keys, syntax errors (with line and column), alias bombs and non-plain values (`!!binary` buffers, sets…) are
 * InputErrors naming the file, never crashes.
 */
import { parseDocument } from 'yaml';
import { InputError } from './errors.js';

/** Dotted key path as the workspace prints it: `models.random_forest.max_depth`, `outs[0].path`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** The key path of the first value that is not plain data, if any. */
function findNonPlainValue(value: unknown, path: PropertyKey[]): string | undefined {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonPlainValue(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const found = findNonPlainValue(v, [...path, k]);
      if (found) return found;
    }
    return undefined;
  }
  return formatKeyPath(path);
}

/** Parse YAML text into plain data (mappings, lists, strings, numbers, booleans, null). */
export function parseYamlData(text: string, source: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new InputError(`${source}: bad YAML${where}: ${e.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    // yaml refuses alias expansions past 100 (a "billion laughs" file) with an error of its own
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError(`${source}: bad YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const odd = findNonPlainValue(value, []);
  if (odd) {
    throw new InputError(
      `${source}: ${odd}: only mappings, lists, strings, numbers and booleans are allowed`,
    );
  }
  return value;
}
