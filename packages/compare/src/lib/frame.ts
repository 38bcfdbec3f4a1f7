/**
 * A CSV as the comparison sees it: the header and, per column, a pandas-style dtype (int64 / float64 / object) with
 * compact storage that still gives back the exact text of every cell. Missing cells are what pandas' read_csv treats
 * as NaN by default (empty, NA, NaN, null, None, N/A, …).
 *
 * Storage is columnar and typed so a million-row file fits in about 100 MB: a numeric column keeps its parsed values
 * (Float64Array) plus one byte per cell saying how its text is rebuilt from the value (String(v), v.toFixed(d), empty)
 * and a map of the rare cells that cannot be (padded, exponent, other NA spellings); an object column keeps one code
 * per row into its distinct texts. A column that turns out to be text after numeric-looking cells is converted on the
 * spot (every earlier cell's text is rebuilt exactly), so one pass over the file is enough.
 */
import { GrowableArray, PANDAS_NA_VALUES, parseNumberCell } from '@mlops/core';

export type Dtype = 'int64' | 'float64' | 'object';

/** Codes of an object column: one byte per row while it has at most 256 distinct texts, then wider. */
export type Codes = Uint8Array | Uint16Array | Int32Array;

export interface FrameColumn {
  readonly name: string;
  readonly dtype: Dtype;
  /** Number of rows. */
  readonly length: number;
  readonly missingCount: number;
  /** Parsed values (NaN when missing) for int64/float64 columns; undefined for object columns. */
  readonly numbers?: Float64Array;
  /** Object columns: one code per row into `levels` (the distinct cell texts, in order of first appearance). */
  readonly codes?: Codes;
  readonly levels?: readonly string[];
  /** Object columns: 1 where that level is a missing-value spelling. */
  readonly levelMissing?: Uint8Array;
  /** Whether the cell of row i (0-based) is missing. */
  isMissing(i: number): boolean;
  /** The exact text of the cell of row i (0-based), as it is in the file. */
  text(i: number): string;
}

export interface Frame {
  /** Where it came from (for messages and the report). */
  readonly source: string;
  readonly header: readonly string[];
  readonly rowCount: number;
  readonly columns: ReadonlyMap<string, FrameColumn>;
}

const INTEGER = /^[+-]?\d+$/;
/** Cell-text codes of a numeric column: 0 = String(v); 1..21 = v.toFixed(code − 1); the rest below. */
const FMT_EMPTY = 254; // '' (missing)
const FMT_MISSING_TEXT = 253; // another missing spelling, in `exceptions`
const FMT_TEXT = 255; // a number whose text is not rebuilt from its value, in `exceptions`

/**
 * The format code of a plain decimal text ("-12.50", "3", "0.0625"): digits, at most 15 of them significant, no
 * leading zero, no exponent. Such a text is exactly what JS prints for its value (String(v)) when it has no trailing
 * fractional zero, else exactly v.toFixed(its decimals): a double keeps 15 significant digits, so no shorter text
 * names the same value, and rounding to the text's own decimals gives its digits back. -1 when the text is not of
 * that shape (the caller then checks by printing).
 */
function plainDecimalCode(v: number, raw: string): number {
  const len = raw.length;
  let i = raw.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === 1 && v === 0) return -1; // "-0…": JS prints 0
  const intStart = i;
  while (i < len && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) i++;
  const intLen = i - intStart;
  if (intLen === 0 || (intLen > 1 && raw.charCodeAt(intStart) === 48)) return -1;
  if (i === len) return intLen <= 15 ? 0 : -1;
  if (raw.charCodeAt(i) !== 46) return -1; // '.'
  const fracStart = ++i;
  while (i < len && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) i++;
  const fracLen = i - fracStart;
  if (i !== len || fracLen === 0 || fracLen > 20) return -1;
  let significant = intLen + fracLen;
  if (intLen === 1 && raw.charCodeAt(intStart) === 48) {
    let zeros = 0;
    while (zeros < fracLen && raw.charCodeAt(fracStart + zeros) === 48) zeros++;
    if (zeros === fracLen) return fracLen + 1; // "0.0", "0.000": toFixed
    if (zeros >= 6) return -1; // below 1e-6 JS prints an exponent
    significant = fracLen - zeros;
  }
  if (significant > 15) return -1;
  return raw.charCodeAt(len - 1) === 48 ? fracLen + 1 : 0;
}

/** How `raw` (the text of the non-missing number v) is rebuilt from v: a format code, or FMT_TEXT. */
function formatCode(v: number, raw: string): number {
  const plain = plainDecimalCode(v, raw);
  if (plain >= 0) return plain;
  if (String(v) === raw) return 0;
  const dot = raw.indexOf('.');
  if (dot < 0) return FMT_TEXT;
  const decimals = raw.length - dot - 1;
  if (decimals > 20 || raw.includes('e') || raw.includes('E')) return FMT_TEXT;
  return v.toFixed(decimals) === raw ? decimals + 1 : FMT_TEXT;
}

/** Builds one column cell by cell (numeric while every present cell is a number, then object). */
export class ColumnBuilder {
  private numeric = true;
  private integer = true;
  private present = 0;
  private missing = 0;
  private length = 0;
  // numeric storage
  private numbers: GrowableArray<Float64Array> | undefined = new GrowableArray(
    (n) => new Float64Array(n),
    64,
  );
  private fmt: GrowableArray<Uint8Array> | undefined = new GrowableArray((n) => new Uint8Array(n), 64);
  private exceptions = new Map<number, string>();
  // object storage
  private codes: GrowableArray<Codes> | undefined;
  private levels: string[] = [];
  private levelIndex = new Map<string, number>();
  private levelMissing: number[] = [];

  private reserved = 0;

  constructor(readonly name: string) {}

  /** Expect about `n` rows in all (an estimate: more still fit). */
  reserve(n: number): void {
    this.reserved = n;
    this.numbers?.reserve(n);
    this.fmt?.reserve(n);
    this.codes?.reserve(n);
  }

  push(cell: string): void {
    const row = this.length++;
    if (this.numeric) {
      if (PANDAS_NA_VALUES.has(cell) || PANDAS_NA_VALUES.has(cell.trim())) {
        this.missing++;
        this.numbers!.push(NaN);
        if (cell === '') this.fmt!.push(FMT_EMPTY);
        else {
          this.fmt!.push(FMT_MISSING_TEXT);
          this.exceptions.set(row, cell);
        }
        return;
      }
      const v = parseNumberCell(cell);
      if (v !== undefined) {
        this.present++;
        this.numbers!.push(v);
        const code = formatCode(v, cell);
        this.fmt!.push(code);
        if (code === FMT_TEXT) this.exceptions.set(row, cell);
        if (this.integer && !INTEGER.test(cell.trim())) this.integer = false;
        return;
      }
      this.toObject(row);
    }
    this.pushText(cell);
  }

  private pushText(cell: string): void {
    let code = this.levelIndex.get(cell);
    if (code === undefined) {
      code = this.levels.length;
      if (code === 256) this.codes = this.codes!.widen((n) => new Uint16Array(n));
      else if (code === 65536) this.codes = this.codes!.widen((n) => new Int32Array(n));
      this.levels.push(cell);
      this.levelIndex.set(cell, code);
      this.levelMissing.push(PANDAS_NA_VALUES.has(cell.trim()) ? 1 : 0);
    }
    if (this.levelMissing[code]) this.missing++;
    else this.present++;
    this.codes!.push(code);
  }

  /** The text of an earlier cell of a numeric column. */
  private numericText(i: number): string {
    return numericCellText(this.numbers!.get(i), this.fmt!.get(i), this.exceptions, i);
  }

  /** A text cell at row `row`: the column is object from now on; earlier cells become codes of their exact text. */
  private toObject(row: number): void {
    this.numeric = false;
    this.codes = new GrowableArray<Codes>((n) => new Uint8Array(n), 64);
    this.codes.reserve(this.reserved);
    this.missing = 0;
    this.present = 0;
    for (let i = 0; i < row; i++) this.pushText(this.numericText(i));
    this.numbers = undefined;
    this.fmt = undefined;
    this.exceptions = new Map();
  }

  finish(): FrameColumn {
    const name = this.name;
    const length = this.length;
    const missingCount = this.missing;
    if (this.numeric) {
      // pandas: an all-missing column is float64; a column with missing values cannot be int64.
      const dtype: Dtype = this.integer && missingCount === 0 && this.present > 0 ? 'int64' : 'float64';
      const numbers = this.numbers!.view();
      const fmt = this.fmt!.view();
      const exceptions = this.exceptions;
      return {
        name,
        dtype,
        length,
        missingCount,
        numbers,
        isMissing: (i) => fmt[i] === FMT_EMPTY || fmt[i] === FMT_MISSING_TEXT,
        text: (i) => numericCellText(numbers[i]!, fmt[i]!, exceptions, i),
      };
    }
    const codes = this.codes!.view();
    const levels = this.levels;
    const levelMissing = Uint8Array.from(this.levelMissing);
    return {
      name,
      dtype: 'object',
      length,
      missingCount,
      codes,
      levels,
      levelMissing,
      isMissing: (i) => levelMissing[codes[i]!] === 1,
      text: (i) => levels[codes[i]!]!,
    };
  }
}

function numericCellText(
  v: number,
  code: number,
  exceptions: ReadonlyMap<number, string>,
  i: number,
): string {
  if (code === 0) return String(v);
  if (code === FMT_EMPTY) return '';
  if (code >= FMT_MISSING_TEXT) return exceptions.get(i)!;
  return v.toFixed(code - 1);
}

/** Builds a frame row by row (the streaming loader and frameFromRows share it). */
export class FrameBuilder {
  private readonly builders: ColumnBuilder[];
  private rows = 0;
  constructor(
    private readonly source: string,
    private readonly header: readonly string[],
  ) {
    this.builders = header.map((name) => new ColumnBuilder(name));
  }
  /** Expect about `n` rows in all (an estimate, e.g. from the file size: more still fit). */
  reserve(n: number): void {
    for (const b of this.builders) b.reserve(n);
  }
  push(fields: readonly string[]): void {
    const b = this.builders;
    for (let j = 0; j < b.length; j++) b[j]!.push(fields[j] ?? '');
    this.rows++;
  }
  finish(): Frame {
    const columns = new Map<string, FrameColumn>();
    for (const b of this.builders) columns.set(b.name, b.finish());
    return { source: this.source, header: this.header, rowCount: this.rows, columns };
  }
}

/** Build a frame from parsed CSV text (pure: no IO). */
export function frameFromRows(source: string, header: readonly string[], rows: readonly string[][]): Frame {
  const builder = new FrameBuilder(source, header);
  for (const r of rows) builder.push(r);
  return builder.finish();
}

/** The exact text of every cell of row i (0-based), in header order. */
export function rowText(frame: Frame, i: number): string[] {
  return frame.header.map((c) => frame.columns.get(c)!.text(i));
}

export const isNumericDtype = (d: Dtype) => d === 'int64' || d === 'float64';
