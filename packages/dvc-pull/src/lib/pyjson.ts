/**
 * Python's `json.dumps(value, sort_keys=True)` byte for byte: default separators `", "` and `": "`, keys sorted by
 * code point, and `ensure_ascii=True` (every character outside space..tilde escaped as lowercase `\uXXXX`, astral
 * characters as surrogate pairs). dvc-data serialises `.dir` manifests this way (hashfile/tree.py `as_bytes`), so
 * the md5 of a directory depends on it.
 */
export type PyJson = string | number | boolean | null | PyJson[] | { [key: string]: PyJson };

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
};

/** Python's `py_encode_basestring_ascii`: works on UTF-16 code units, exactly as CPython does for non-BMP text. */
export function pyEncodeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

/** Compare two strings by Unicode code point, as Python's `<` on str does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`pyJsonDumps: ${n} has no JSON form`);
  if (Number.isInteger(n)) return n.toFixed(0);
  // Python's float repr and JS's shortest round-trip agree except for exponent formatting, which .dir never uses.
  return String(n);
}

/** `json.dumps(value, sort_keys=True)`; with `sortKeys: false`, plain `json.dumps(value)` (insertion order). */
export function pyJsonDumps(value: PyJson, sortKeys = true): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pyEncodeString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return encodeNumber(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, sortKeys)).join(', ')}]`;
  const keys = sortKeys ? Object.keys(value).sort(compareCodePoints) : Object.keys(value);
  return `{${keys.map((k) => `${pyEncodeString(k)}: ${pyJsonDumps(value[k]!, sortKeys)}`).join(', ')}}`;
}
