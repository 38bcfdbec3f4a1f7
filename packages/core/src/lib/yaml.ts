/**
 * YAML text to plain data, for every config-like file the workspace reads (params.yaml, .dvc files): duplicate
 * keys, syntax errors (with line and column), alias bombs, self-containing aliases and non-plain values (`!!binary`,
 * `!!set`, `!!timestamp`, custom tags…) are InputErrors naming the file, never crashes or hangs.
 *
 * The loader is js-yaml 4 with a schema of our own: YAML 1.2 core scalars resolved exactly as the `yaml` package's
 * default 'core' schema (the parser this replaced) resolves them, so `yes`/`on` and dates stay strings, `0x1F` and
 * `0o17` are ints, `-0x1F`, `0b101` and `1_000` are strings, `.inf`/`.nan` are numbers. In a bundled CLI js-yaml is
 * 104 KB instead of 258 KB, and it reads params.yaml ~10 times faster. It keeps aliases as shared references instead
 * of copies, so checkTree bounds how far they expand before anything else walks the tree.
 */
import { FAILSAFE_SCHEMA, load, type State, Type, YAMLException } from 'js-yaml';
import { InputError } from './errors.js';

/** Dotted key path as the workspace prints it: `models.random_forest.max_depth`, `outs[0].path`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

// The YAML 1.2 core schema's resolution of plain scalars: null, bool, int (decimal, 0o octal, 0x hex), float
// (with .inf/.nan); anything else is a string. Same regular expressions and conversions as `yaml` 2.x.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_DEC = /^[-+]?[0-9]+$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
/** The core schema's float pattern; it also matches decimal ints, which resolve as ints first (implicit order). */
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

const isText = (data: unknown): data is string => typeof data === 'string';

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: unknown) => data === null || (isText(data) && NULL.test(data)),
  construct: () => null,
});
const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => isText(data) && BOOL.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});
const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) =>
    isText(data) && (INT_DEC.test(data) || INT_OCT.test(data) || INT_HEX.test(data)),
  construct: (data: string) =>
    data[1] === 'o'
      ? parseInt(data.slice(2), 8)
      : data[1] === 'x'
        ? parseInt(data.slice(2), 16)
        : parseInt(data, 10),
});
const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: unknown) => isText(data) && (FLOAT.test(data) || FLOAT_SPECIAL.test(data)),
  construct: (data: string) => {
    if (!FLOAT_SPECIAL.test(data)) return parseFloat(data);
    if (data.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return data[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  },
});

/** What any tag outside the core schema (`!!binary`, `!!set`, `!!timestamp`, `!custom`…) loads as. */
class TaggedValue {
  constructor(readonly tag: string) {}
}
/** A prefix of '' makes js-yaml's "multi" types match every tag the schema does not define. */
const otherTags = (['scalar', 'sequence', 'mapping'] as const).map(
  (kind) =>
    new Type('', {
      kind,
      multi: true,
      resolve: () => true,
      construct: (_data: unknown, tag?: string) => new TaggedValue(tag ?? ''),
    }),
);

const SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType],
  explicit: otherTags,
});

/** An anchored mapping or list may be expanded at most this many times (`yaml`'s default maxAliasCount was 100). */
const MAX_EXPANSIONS = 101;
/** The values and characters the expanded tree may hold, per character of YAML text (string aliases cost nothing
 *  while parsing but everything for a walk or a serializer), plus a floor for tiny files. */
const EXPANDED_SIZE_PER_CHAR = 100;
const EXPANDED_SIZE_FLOOR = 10_000;
/** js-yaml refuses text nested deeper than 100 levels; aliases could nest the loaded tree deeper (and a recursive
 *  walk, here or in zod, overflow the stack), so the expanded tree is held to the same depth. */
const MAX_DEPTH = 100;

function tagName(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * Check the loaded tree in one walk of the expanded structure, bounded: every value must be plain data (mappings,
 * lists, strings, numbers, booleans, null), no list or mapping may contain itself, and aliases may not blow the
 * tree up (each shared list or mapping is walked at most MAX_EXPANSIONS times, and the whole walk is bounded by the
 * text's length), so nothing downstream walks an exponential structure. Errors name the first offending key path
 * in document order.
 */
function checkTree(root: unknown, source: string, textLength: number): void {
  const visits = new Map<object, number>();
  const onPath = new Set<object>();
  const path: PropertyKey[] = [];
  const limit = EXPANDED_SIZE_FLOOR + EXPANDED_SIZE_PER_CHAR * textLength;
  let budget = limit;
  const aliasBomb = (why: string) =>
    new InputError(`${source}: bad YAML: ${formatKeyPath(path)}: ${why} (an alias bomb?)`);

  const walk = (value: unknown): void => {
    budget -= typeof value === 'string' ? 1 + value.length : 1;
    if (budget < 0) throw aliasBomb(`aliases expand the file past ${limit} values and characters`);
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      return;
    }
    const isList = Array.isArray(value);
    if (typeof value !== 'object' || (!isList && Object.getPrototypeOf(value) !== Object.prototype)) {
      const what = value instanceof TaggedValue ? `, not ${tagName(value.tag)}` : '';
      throw new InputError(
        `${source}: ${formatKeyPath(path)}: only mappings, lists, strings, numbers and booleans are allowed${what}`,
      );
    }
    if (path.length > MAX_DEPTH) {
      throw new InputError(
        `${source}: bad YAML: ${formatKeyPath(path)}: aliases nest values deeper than ${MAX_DEPTH} levels`,
      );
    }
    if (onPath.has(value)) {
      throw new InputError(
        `${source}: bad YAML: ${formatKeyPath(path)}: an alias refers to a value that contains it`,
      );
    }
    const seen = (visits.get(value) ?? 0) + 1;
    if (seen > MAX_EXPANSIONS) throw aliasBomb(`an alias is expanded more than ${MAX_EXPANSIONS - 1} times`);
    visits.set(value, seen);
    onPath.add(value);
    if (isList) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i]);
        path.pop();
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        budget -= key.length;
        path.push(key);
        walk(record[key]);
        path.pop();
      }
    }
    onPath.delete(value);
  };
  walk(root);
}

function badYaml(source: string, reason: string, line?: number, column?: number): InputError {
  const where = line === undefined ? '' : ` at line ${line}, column ${column}`;
  return new InputError(`${source}: bad YAML${where}: ${reason}`);
}

/** Parse YAML text into plain data (mappings, lists, strings, numbers, booleans, null). */
export function parseYamlData(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = load(text, {
      filename: source,
      schema: SCHEMA,
      listener: (event: string, state: State) => {
        if (event !== 'open') return;
        const line = state.line + 1;
        const column = state.position - state.lineStart + 1;
        // js-yaml's own error for a second document has no position; its (internal) list of finished ones tells
        const documents = (state as State & { documents?: unknown[] }).documents;
        if (documents !== undefined && documents.length > 0) {
          throw badYaml(source, 'a second document (after ---); a file holds one', line, column);
        }
        // js-yaml reads a `%YAML 1.1` document with the same (1.2) schema; `yaml` switched to 1.1 rules (`yes` is
        // true, dates are timestamps). Neither guess is safe for a config file: refuse it.
        if (state.version !== null && String(state.version) !== '1.2') {
          throw badYaml(source, `%YAML ${state.version} is not supported, only YAML 1.2`, line, column);
        }
      },
    });
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark as YAMLException['mark'] | undefined;
      throw badYaml(source, error.reason, mark && mark.line + 1, mark && mark.column + 1);
    }
    throw error;
  }
  // js-yaml gives undefined for a document with no content; `yaml` gave null
  if (value === undefined) return null;
  checkTree(value, source, text.length);
  return value;
}
