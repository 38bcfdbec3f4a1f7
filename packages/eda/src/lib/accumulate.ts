/**
 * Reading side of the cleaner: checks the header, then takes raw CSV records one at a time and keeps only typed
 * columns (a float and one status byte per numeric cell, a code per categorical cell into a table of distinct raw
 * strings), so a million rows never become 18 million strings. Pure: no file access.
 */
import { InputError, listForMessage, type ColumnKind } from '@mlops/core';
import { formatPythonFloat } from '@mlops/core';
import {
  PANDAS_NA_STRINGS,
  coerceNumericCell,
  newCoercedNumber,
  readCsvNumber,
  NumericOutcome,
} from './python-text.js';
import { COLUMNS_TO_DROP, REQUIRED_COLUMNS } from './rules.js';

type TypedArrayOf = Float64Array | Int32Array | Uint8Array;

/**
 * A column with a first block of `capacity` elements, then fixed 64 Ki-element chunks. When the first block is
 * enough (the caller's capacity is an upper bound, e.g. from the file size), `finish` returns a view of it with no
 * copy, and since fresh typed arrays are zero pages from the OS, the untouched tail costs no memory. Otherwise
 * `finish` copies the chunks into one exact-length array, one column at a time.
 */
class ChunkedColumn<T extends TypedArrayOf> {
  private static readonly CHUNK = 1 << 16;
  private readonly chunks: T[] = [];
  private current: T;
  private used = 0;
  length = 0;
  constructor(
    private readonly make: (n: number) => T,
    capacity: number,
  ) {
    // A known bound is reserved exactly (a small file needs a small block); an unknown one starts at one chunk.
    this.current = make(capacity > 0 ? capacity : ChunkedColumn.CHUNK);
  }
  push(v: number): void {
    if (this.used === this.current.length) {
      this.chunks.push(this.current);
      this.current = this.make(ChunkedColumn.CHUNK);
      this.used = 0;
    }
    this.current[this.used++] = v;
    this.length++;
  }
  finish(): T {
    if (this.chunks.length === 0) return this.current.subarray(0, this.used) as T;
    const out = this.make(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk as never, offset);
      offset += chunk.length;
    }
    out.set(this.current.subarray(0, this.used) as never, offset);
    this.chunks.length = 0;
    this.current = this.make(0);
    return out;
  }
}
const float64Column = (capacity: number) => new ChunkedColumn((n) => new Float64Array(n), capacity);
const int32Column = (capacity: number) => new ChunkedColumn((n) => new Int32Array(n), capacity);
const uint8Column = (capacity: number) => new ChunkedColumn((n) => new Uint8Array(n), capacity);

/** At most this many rows are reserved up front (virtual memory; pages are only used as rows arrive). */
const MAX_RESERVED_ROWS = 1 << 26;

/**
 * An upper bound on the data rows of a CSV file of `bytes` bytes with `columns` columns: every row takes at least
 * one byte per separator and its line break. Pass it as RawAccumulator's capacity.
 */
export function maxRowsForFileSize(bytes: number, columns: number): number {
  return Math.min(Math.ceil(bytes / Math.max(columns, 1)) + 1, MAX_RESERVED_ROWS);
}

/** Status byte of a numeric cell: bits 0–1 the NumericOutcome, bit 2 "step 2 changed the text", bit 3 "integer". */
export const CELL_TEXT_CHANGED = 4;
export const CELL_INTEGER = 8;

/** A numeric column as read (steps 2–4 applied cell by cell, with pandas' dtype inference settled). */
export interface RawNumericColumn {
  readonly name: string;
  /** The coerced value of each row (NaN = missing). */
  readonly values: Float64Array;
  /** One status byte per row (see CELL_*). */
  readonly status: Uint8Array;
  /** pandas read the column as numbers (float64/int64), so steps 2–3 did not apply to it. */
  readonly readAsNumber: boolean;
}

/** A categorical column as read: raw codes (-1 = missing in the file) into the distinct raw strings. */
export interface RawCategoricalColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly codes: Int32Array;
  readonly levels: string[];
}

export interface RawTable {
  readonly source: string;
  /** The input header as found. */
  readonly inputColumns: readonly string[];
  /** The 17 required columns, in input order (the output order). */
  readonly columns: readonly string[];
  /** Known junk columns removed by step 1. */
  readonly droppedColumns: readonly string[];
  /** Columns the schema does not know: kept out of the output, reported. */
  readonly unknownColumns: readonly string[];
  readonly rowCount: number;
  /** Cells pandas would read as missing, over every input column. */
  readonly inputMissing: number;
  readonly numeric: readonly RawNumericColumn[];
  readonly categorical: readonly RawCategoricalColumn[];
}

interface NumericState {
  name: string;
  index: number;
  values: ChunkedColumn<Float64Array>;
  status: ChunkedColumn<Uint8Array>;
  /** Every non-NA cell so far is a number to pandas' read_csv (so far the column would be float64/int64). */
  readable: boolean;
  readableAllInt: boolean;
  hasMissing: boolean;
  /** Rows whose value differs when pandas read the column as float64 (value formatted with repr, then coerced). */
  overrideRows: number[];
  overrideValues: number[];
  overrideStatus: number[];
}

interface CategoricalState {
  name: string;
  kind: ColumnKind;
  index: number;
  codes: ChunkedColumn<Int32Array>;
  levels: string[];
  lookup: Map<string, number>;
}

export class RawAccumulator {
  private readonly numeric: NumericState[] = [];
  private readonly categorical: CategoricalState[] = [];
  private readonly columns: string[] = [];
  private readonly droppedColumns: string[] = [];
  private readonly unknownColumns: string[] = [];
  /** Input columns the output does not keep (dropped or unknown). */
  private readonly otherIndices: number[] = [];
  private rows = 0;
  private missing = 0;
  private readonly scratch = newCoercedNumber();

  /**
   * @param capacity rows to reserve up front (see maxRowsForFileSize); more rows still fit, at the cost of one
   * copy at the end.
   */
  constructor(
    private readonly header: readonly string[],
    private readonly source = 'input',
    capacity = 0,
  ) {
    const missing = [...REQUIRED_COLUMNS.keys()].filter((c) => !header.includes(c));
    if (missing.length > 0) {
      const list = missing.map((c) => `"${c}"`).join(', ');
      throw new InputError(
        `${source}: missing required column${missing.length > 1 ? 's' : ''} ${list} (found: ${listForMessage(header, 20) || 'none'})`,
      );
    }
    header.forEach((name, index) => {
      const kind = REQUIRED_COLUMNS.get(name);
      if (kind === undefined) {
        (COLUMNS_TO_DROP.includes(name) ? this.droppedColumns : this.unknownColumns).push(name);
        this.otherIndices.push(index);
        return;
      }
      this.columns.push(name);
      if (kind === 'numeric') {
        this.numeric.push({
          name,
          index,
          values: float64Column(capacity),
          status: uint8Column(capacity),
          readable: true,
          readableAllInt: true,
          hasMissing: false,
          overrideRows: [],
          overrideValues: [],
          overrideStatus: [],
        });
      } else {
        this.categorical.push({
          name,
          kind,
          index,
          codes: int32Column(capacity),
          levels: [],
          lookup: new Map(),
        });
      }
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Add one record (its fields in header order). */
  push(fields: readonly string[]): void {
    const row = this.rows++;
    // Missing cells of the input: the kept columns count theirs as they go; the others are checked here.
    for (let k = 0; k < this.otherIndices.length; k++)
      if (PANDAS_NA_STRINGS.has(fields[this.otherIndices[k]!]!)) this.missing++;
    const cell = this.scratch;
    const numeric = this.numeric;
    for (let c = 0; c < numeric.length; c++) {
      const col = numeric[c]!;
      const raw = fields[col.index]!;
      coerceNumericCell(raw, cell);
      const status =
        cell.outcome | (cell.textChanged ? CELL_TEXT_CHANGED : 0) | (cell.integer ? CELL_INTEGER : 0);
      col.values.push(cell.value);
      col.status.push(status);
      if (cell.outcome === NumericOutcome.rawMissing) {
        this.missing++;
        col.hasMissing = true;
        continue;
      }
      if (!col.readable) continue;
      // pandas' read_csv types a column as float64 when every non-NA cell is a number; the cleaner then sees
      // repr(float) rather than the text, which differs for exponents, >17 digits and values below 1e-4.
      if (cell.plain) {
        if (!cell.integer) col.readableAllInt = false;
        continue;
      }
      const read = readCsvNumber(raw);
      if (read === undefined) {
        col.readable = false;
        col.overrideRows = [];
        col.overrideValues = [];
        col.overrideStatus = [];
        continue;
      }
      if (!read.integer) col.readableAllInt = false;
      const viaRepr = coerceNumericCell(formatPythonFloat(read.value), newCoercedNumber());
      const same =
        Object.is(viaRepr.value, cell.value) || (Number.isNaN(viaRepr.value) && Number.isNaN(cell.value));
      if (!same || viaRepr.outcome !== cell.outcome) {
        col.overrideRows.push(row);
        col.overrideValues.push(viaRepr.value);
        col.overrideStatus.push(viaRepr.outcome);
      }
    }
    const categorical = this.categorical;
    for (let c = 0; c < categorical.length; c++) {
      const col = categorical[c]!;
      const raw = fields[col.index]!;
      // One lookup per cell: the table also remembers the pandas NA strings seen, as code -1.
      let code = col.lookup.get(raw);
      if (code === undefined) {
        if (PANDAS_NA_STRINGS.has(raw)) code = -1;
        else {
          code = col.levels.length;
          col.levels.push(raw);
        }
        col.lookup.set(raw, code);
      }
      if (code === -1) this.missing++;
      col.codes.push(code);
    }
  }

  finish(): RawTable {
    const numeric = this.numeric.map((col): RawNumericColumn => {
      const values = col.values.finish();
      const status = col.status.finish();
      // An int64 column (all integers, nothing missing) prints as the same digits: nothing to override.
      const asInt64 = col.readable && col.readableAllInt && !col.hasMissing;
      const readAsNumber = col.readable && this.rows > 0;
      if (readAsNumber) {
        for (let i = 0; i < status.length; i++) status[i]! &= ~CELL_TEXT_CHANGED;
        if (!asInt64) {
          for (let k = 0; k < col.overrideRows.length; k++) {
            const r = col.overrideRows[k]!;
            values[r] = col.overrideValues[k]!;
            status[r] = col.overrideStatus[k]!;
          }
          // float64: repr always has a '.', an exponent or 'inf', so no value is an integer
          for (let i = 0; i < status.length; i++) status[i]! &= ~CELL_INTEGER;
        }
      }
      return { name: col.name, values, status, readAsNumber };
    });
    const categorical = this.categorical.map((col): RawCategoricalColumn => ({
      name: col.name,
      kind: col.kind,
      codes: col.codes.finish(),
      levels: col.levels,
    }));
    return {
      source: this.source,
      inputColumns: [...this.header],
      columns: this.columns,
      droppedColumns: this.droppedColumns,
      unknownColumns: this.unknownColumns,
      rowCount: this.rows,
      inputMissing: this.missing,
      numeric,
      categorical,
    };
  }
}

/** Accumulate in-memory records (for tests and small inputs). */
export function accumulateRows(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  source = 'input',
): RawTable {
  const acc = new RawAccumulator(header, source);
  for (const r of rows) acc.push(r);
  return acc.finish();
}
