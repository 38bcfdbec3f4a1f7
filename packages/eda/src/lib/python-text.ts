/**
 * The Python 3 / pandas text and number semantics the predecessor's cleaner relied on, reproduced exactly:
 * `str.strip`, `re` `\s` `\w` `\d` (Unicode-aware), `str.title`, `str.lower`, pandas' default read_csv NA strings,
 * and `pd.to_numeric(errors='coerce')`, whose parser (pandas' `precise_xstrtod`) keeps only 17 significant digits.
 */
import { PANDAS_NA_VALUES } from '@mlops/core';
import { TITLE_EXCEPTIONS } from './title-table.js';

/**
 * Python's whitespace (`str.isspace`, `re` `\s` on str): JavaScript's `\s` minus U+FEFF, plus U+001C–U+001F and
 * U+0085.
 */
const WS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');
const COLLAPSE = new RegExp(`[${WS}]+`, 'g');
/** Not a word character (`\w`: letters, digits, numerics, `_`), whitespace, `-`, `_` or `.`. */
const NOT_KEPT = new RegExp(`[^\\p{L}\\p{N}_${WS}\\-.]`, 'gu');
/** Already clean: ASCII word characters, `-` and `.` only (no whitespace), so step 2 leaves it unchanged. */
const ASCII_CLEAN = /^[A-Za-z0-9_.-]*$/;

/** `s.strip()` with Python's whitespace set. */
export function pythonStrip(s: string): string {
  return s.replace(STRIP, '');
}

/**
 * Step 2 of the predecessor's cleaner, in its order: strip, collapse each whitespace run to one space, then delete
 * every character that is not a word character, whitespace, `-`, `_` or `.` (so deletion can leave new spaces:
 * `"a ? b"` becomes `"a  b"`).
 */
export function cleanText(s: string): string {
  if (ASCII_CLEAN.test(s)) return s;
  return s.replace(STRIP, '').replace(COLLAPSE, ' ').replace(NOT_KEPT, '');
}

/** pandas' default `na_values` for read_csv: exact matches only, no stripping (shared from core). */
export const PANDAS_NA_STRINGS: ReadonlySet<string> = PANDAS_NA_VALUES;

/** The tokens step 3 of the cleaning turns into missing values, matched exactly after step 2. Real NaN reaches it as the string `nan`. */
export const NA_TOKENS: ReadonlySet<string> = new Set([
  'N/A',
  'n/a',
  'NA',
  'na',
  'nan',
  'NaN',
  'NAN',
  'null',
  'NULL',
  'None',
  'NONE',
  '?',
  'unknown',
  'bad',
  'missing',
  'MISSING',
  '',
  ' ',
  '  ',
]);

const CASED = /\p{Cased}/u;
const CASE_IGNORABLE = /\p{Case_Ignorable}/u;

/** Python's lower-casing of a capital sigma at index i of `chars`: final form when it ends a cased word. */
function lowerSigma(chars: readonly string[], i: number): string {
  let j = i - 1;
  while (j >= 0 && CASE_IGNORABLE.test(chars[j]!)) j--;
  let final = j >= 0 && CASED.test(chars[j]!);
  if (final) {
    let k = i + 1;
    while (k < chars.length && CASE_IGNORABLE.test(chars[k]!)) k++;
    final = k === chars.length || !CASED.test(chars[k]!);
  }
  return final ? '\u03c2' : '\u03c3';
}

/**
 * Python's `str.title()`: a character is title-cased when the one before it is not cased (any non-letter,
 * including `_`, digits and `'`), and lower-cased otherwise. `pUBLIC_tRANSPORTATION` → `Public_Transportation`,
 * `o'neil` → `O'Neil`, `1st` → `1St`, `ǆ` → `ǅ`, `ß` → `Ss`.
 */
export function pythonTitle(s: string): string {
  if (/^[A-Za-z]*$/.test(s)) {
    // Fast path, ASCII letters only: one capital then lower case.
    return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase();
  }
  const chars = Array.from(s);
  let out = '';
  let previousCased = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (previousCased) out += c === '\u03a3' ? lowerSigma(chars, i) : c.toLowerCase();
    else out += TITLE_EXCEPTIONS.get(c) ?? c.toUpperCase();
    previousCased = CASED.test(c);
  }
  return out;
}

/** Python's `str.lower()` (full Unicode mapping with the final-sigma rule, as JavaScript's). */
export function pythonLower(s: string): string {
  return s.toLowerCase();
}

/** Python's `<` on str: code-point order (JavaScript's default compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const POW10: Float64Array = (() => {
  const table = new Float64Array(309);
  for (let k = 0; k <= 308; k++) table[k] = Number(`1e${k}`);
  return table;
})();

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
function isAsciiSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

export interface ParsedNumber {
  /** The value, NaN when the text is not a number. */
  value: number;
  /** True when the text had no decimal point and no exponent (pandas keeps such columns as int64). */
  integer: boolean;
}

/**
 * pandas' `precise_xstrtod` (the float parser behind read_csv and to_numeric): optional ASCII spaces, sign,
 * digits, `.`, digits, optional exponent, spaces; at most 17 significant digits are used (the rest are dropped,
 * so `0.30000000000000004` reads as 0.3), then one multiplication or division by a power of ten. An exponent above
 * 308 or an infinite result is an error. Returns NaN when the whole text is not consumed.
 */
export function pandasParseFloat(s: string, allowExponent: boolean): ParsedNumber {
  const maxDigits = 17;
  let p = 0;
  const n = s.length;
  let integer = true;
  while (p < n && isAsciiSpace(s.charCodeAt(p))) p++;
  let negative = false;
  if (s[p] === '-') {
    negative = true;
    p++;
  } else if (s[p] === '+') p++;
  let number = 0;
  let exponent = 0;
  let numDigits = 0;
  let numDecimals = 0;
  while (p < n && isDigit(s.charCodeAt(p))) {
    if (numDigits < maxDigits) {
      number = number * 10 + (s.charCodeAt(p) - 48);
      numDigits++;
    } else exponent++;
    p++;
  }
  if (s[p] === '.') {
    integer = false;
    p++;
    while (numDigits < maxDigits && p < n && isDigit(s.charCodeAt(p))) {
      number = number * 10 + (s.charCodeAt(p) - 48);
      p++;
      numDigits++;
      numDecimals++;
    }
    if (numDigits >= maxDigits) while (p < n && isDigit(s.charCodeAt(p))) p++;
    exponent -= numDecimals;
  }
  if (numDigits === 0) return { value: NaN, integer };
  if (negative) number = -number;
  if (allowExponent && (s[p] === 'e' || s[p] === 'E')) {
    integer = false;
    const start = p;
    p++;
    let expNegative = false;
    if (s[p] === '-') {
      expNegative = true;
      p++;
    } else if (s[p] === '+') p++;
    let expDigits = 0;
    let e = 0;
    while (expDigits < maxDigits && p < n && isDigit(s.charCodeAt(p))) {
      e = e * 10 + (s.charCodeAt(p) - 48);
      expDigits++;
      p++;
    }
    exponent += expNegative ? -e : e;
    if (expDigits === 0) p = start; // not an exponent: the text is then not fully consumed
  }
  if (exponent > 308) return { value: NaN, integer };
  if (exponent > 0) number *= POW10[exponent]!;
  else if (exponent < -308) {
    if (exponent < -616) number = 0;
    else {
      number /= POW10[-308 - exponent]!;
      number /= POW10[308]!;
    }
  } else number /= POW10[-exponent]!;
  if (!Number.isFinite(number)) return { value: NaN, integer };
  while (p < n && isAsciiSpace(s.charCodeAt(p))) p++;
  if (p !== n) return { value: NaN, integer };
  return { value: number, integer };
}

/** Non-digit (Python `\d` = Unicode Nd), non-`.`, non-`-` characters, removed by step 4. */
const NOT_NUMERIC_CHAR = /[^\p{Nd}.-]/gu;
const PLAIN_DECIMAL = /^-?[0-9]+(?:\.[0-9]*)?$/;

/** Digits of a text that matched PLAIN_DECIMAL (all but the sign and the point). */
function plainDigits(raw: string, dot: number): number {
  return raw.length - (raw.charCodeAt(0) === 45 ? 1 : 0) - (dot === -1 ? 0 : 1);
}

/** repr(value) is not in exponent form (and coerces back to value). */
function reprIsPlain(value: number): boolean {
  const a = Math.abs(value);
  return a === 0 || (a >= 1e-4 && a < 1e16);
}

/** What happened to one cell of a numeric column in steps 2–4. */
export const NumericOutcome = {
  /** Parsed to a number. */
  ok: 0,
  /** Missing in the file (a pandas NA string, e.g. empty). */
  rawMissing: 1,
  /** Became missing in step 3 (an N/A token after the text clean). */
  naToken: 2,
  /** Not a number after removing everything but digits, `.` and `-` (step 4). */
  unparseable: 3,
} as const;
export type NumericOutcome = (typeof NumericOutcome)[keyof typeof NumericOutcome];

export interface CoercedNumber {
  value: number;
  outcome: NumericOutcome;
  /** Step 2 changed the text. */
  textChanged: boolean;
  /** pandas would keep the value as an integer (no `.` in the text that was parsed). */
  integer: boolean;
  /**
   * The raw text is a plain decimal of at most 15 digits (parsed exactly) whose repr is not in exponent form: pandas
   * reading it as a float64 and the cleaner then coercing repr(value) surely gives the same value back.
   */
  plain: boolean;
}

/**
 * Steps 2–4 for one cell of a numeric column that pandas read as text: pandas NA → `nan`; text clean; N/A tokens →
 * missing; remove all but digits, `.` and `-`; `pd.to_numeric(errors='coerce')`.
 */
export function coerceNumericCell(raw: string, out: CoercedNumber): CoercedNumber {
  out.textChanged = false;
  out.plain = false;
  if (PLAIN_DECIMAL.test(raw)) {
    const dot = raw.indexOf('.');
    out.integer = dot === -1;
    out.outcome = NumericOutcome.ok;
    if (plainDigits(raw, dot) <= 15) {
      // Clinger's fast path: pandas accumulates the digits into an exact integer (< 2^53) and divides once by an
      // exact power of ten, a correctly rounded result, which is what the engine's native Number() returns.
      out.value = Number(raw);
      out.plain = reprIsPlain(out.value);
    } else out.value = pandasParseFloat(raw, false).value;
    return out;
  }
  out.integer = false;
  if (PANDAS_NA_STRINGS.has(raw)) {
    out.value = NaN;
    out.outcome = NumericOutcome.rawMissing;
    return out;
  }
  const cleaned = cleanText(raw);
  out.textChanged = cleaned !== raw;
  if (NA_TOKENS.has(cleaned)) {
    out.value = NaN;
    out.outcome = NumericOutcome.naToken;
    return out;
  }
  const kept = cleaned.replace(NOT_NUMERIC_CHAR, '');
  const parsed = pandasParseFloat(kept, false);
  out.value = parsed.value;
  out.integer = parsed.integer;
  out.outcome = Number.isNaN(parsed.value) ? NumericOutcome.unparseable : NumericOutcome.ok;
  return out;
}

export function newCoercedNumber(): CoercedNumber {
  return { value: NaN, outcome: NumericOutcome.ok, textChanged: false, integer: false, plain: false };
}

const INF_STRINGS = new Set(['inf', '+inf', 'infinity', '+infinity', '-inf', '-infinity']);

/**
 * How pandas' read_csv would type one non-NA cell of a column: a float (the column becomes float64 when every cell
 * is one), with `integer` when it is an int64 literal. Undefined when the cell is text (the column stays object).
 */
export function readCsvNumber(raw: string): ParsedNumber | undefined {
  const parsed = pandasParseFloat(raw, true);
  if (!Number.isNaN(parsed.value)) return parsed;
  const lower = raw.toLowerCase();
  if (INF_STRINGS.has(lower)) return { value: lower.startsWith('-') ? -Infinity : Infinity, integer: false };
  return undefined;
}
