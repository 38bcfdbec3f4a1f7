/**
 * A CSV as pandas' read_csv types it, which is what Evidently and the predecessor see: per column a dtype
 * (int64 / float64 / bool / object), the numbers of numeric columns and the categories of the others. Missing
 * cells are pandas' default NA strings (exact match). Built from streamed batches of records, so a large file is
 * never held as text: numeric columns are Float64Arrays, the others dictionary codes.
 */
import { GrowableArray, PANDAS_NA_VALUES, parseNumberCell } from '@mlops/core';

export type Dtype = 'int64' | 'float64' | 'bool' | 'object';

export interface TableColumn {
  readonly name: string;
  readonly dtype: Dtype;
  /** Missing cells (pandas NA). */
  readonly missing: number;
  /** int64 / float64: the values, NaN where missing. */
  readonly values?: Float64Array;
  /** bool / object: one code per row (-1 where missing) into `levels`. */
  readonly codes?: Int32Array;
  readonly levels?: readonly string[];
  /** First row (1-based) and text of a cell that is not a number, for messages (object columns). */
  readonly firstText?: { row: number; text: string };
}

export interface Table {
  readonly source: string;
  readonly header: readonly string[];
  readonly rowCount: number;
  readonly columns: ReadonlyMap<string, TableColumn>;
}

const INTEGER = /^[+-]?\d+$/;
/** pandas reads a column whose every value is one of these as bool. */
const BOOL_TEXT: Readonly<Record<string, string>> = {
  True: 'True',
  TRUE: 'True',
  true: 'True',
  False: 'False',
  FALSE: 'False',
  false: 'False',
};
/** A numeric column keeps its dictionary of texts only up to this many (it is needed only if text turns up). */
const NUMERIC_DICTIONARY_LIMIT = 4096;

/** Accumulates one column's cells, inferring its dtype as pandas would. */
export class ColumnBuilder {
  private numeric = true;
  private integer = true;
  private bool = true;
  private missing = 0;
  private present = 0;
  private rows = 0;
  private readonly values = new GrowableArray((n) => new Float64Array(n));
  private codes: GrowableArray<Int32Array> | undefined = new GrowableArray((n) => new Int32Array(n));
  private levels: string[] = [];
  private index = new Map<string, number>();
  private firstText: { row: number; text: string } | undefined;
  /** Set when a numeric column dropped its dictionary and then met text: the caller must re-read it as text. */
  lostText = false;

  /** `keepDictionary`: never drop the texts (for re-reading a column that turned out to hold text). */
  constructor(
    readonly name: string,
    private readonly keepDictionary = false,
  ) {}

  push(cell: string): void {
    this.rows++;
    if (PANDAS_NA_VALUES.has(cell)) {
      this.missing++;
      this.values.push(NaN);
      this.codes?.push(-1);
      return;
    }
    this.present++;
    if (this.numeric) {
      const v = parseNumberCell(cell);
      if (v === undefined) {
        this.numeric = false;
        this.firstText = { row: this.rows, text: cell };
        if (!this.codes) this.lostText = true;
      } else {
        this.values.push(v);
        if (this.integer && !INTEGER.test(cell.trim())) this.integer = false;
      }
    }
    if (this.bool && BOOL_TEXT[cell] === undefined) this.bool = false;
    if (this.codes) {
      let code = this.index.get(cell);
      if (code === undefined) {
        code = this.levels.length;
        this.levels.push(cell);
        this.index.set(cell, code);
        // A numeric column with many distinct values needs no dictionary (it is read as numbers).
        if (this.numeric && !this.keepDictionary && this.levels.length > NUMERIC_DICTIONARY_LIMIT) {
          this.codes = undefined;
          this.index = new Map();
          this.levels = [];
          return;
        }
      }
      this.codes.push(code);
    }
  }

  finish(): TableColumn {
    const name = this.name;
    if (this.numeric) {
      // pandas: an all-missing column is float64; a column with a missing value cannot be int64.
      const dtype: Dtype = this.integer && this.missing === 0 && this.present > 0 ? 'int64' : 'float64';
      return { name, dtype, missing: this.missing, values: this.values.compact() };
    }
    const dtype: Dtype = this.bool && this.missing === 0 ? 'bool' : 'object';
    let codes = this.codes?.compact() ?? new Int32Array(0);
    let levels = this.levels;
    if (dtype === 'bool') {
      // pandas reads True/TRUE/true as one value: merge the spellings into True and False.
      levels = ['False', 'True'];
      const map = this.levels.map((l) => levels.indexOf(BOOL_TEXT[l]!));
      codes = codes.map((c) => map[c]!);
    }
    return {
      name,
      dtype,
      missing: this.missing,
      codes,
      levels,
      ...(this.firstText ? { firstText: this.firstText } : {}),
    };
  }
}

/** Build a table from a header and rows of cells (pure; the CLI streams batches into `TableBuilder`). */
export function tableFromRows(source: string, header: readonly string[], rows: readonly string[][]): Table {
  const builder = new TableBuilder(source, header);
  for (const row of rows) builder.push(row);
  return builder.finish();
}

export class TableBuilder {
  private readonly builders: ColumnBuilder[];
  private rowCount = 0;
  /** `keepText`: columns whose texts are always kept (see ColumnBuilder). */
  constructor(
    readonly source: string,
    readonly header: readonly string[],
    keepText: ReadonlySet<string> = new Set(),
  ) {
    this.builders = header.map((h) => new ColumnBuilder(h, keepText.has(h)));
  }
  push(fields: readonly string[]): void {
    this.rowCount++;
    const b = this.builders;
    for (let j = 0; j < b.length; j++) b[j]!.push(fields[j] ?? '');
  }
  /** Columns whose text was dropped (numeric with many values, then text): re-read them with `textOnly`. */
  get columnsNeedingText(): string[] {
    return this.builders.filter((b) => b.lostText).map((b) => b.name);
  }
  finish(): Table {
    return {
      source: this.source,
      header: this.header,
      rowCount: this.rowCount,
      columns: new Map(this.builders.map((b) => [b.name, b.finish()])),
    };
  }
}

export const isNumericDtype = (d: Dtype): boolean => d === 'int64' || d === 'float64';

/** The non-missing, finite values of a numeric column. */
export function finiteValues(column: TableColumn): Float64Array {
  const v = column.values!;
  let n = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) out[j++] = v[i]!;
  return out;
}
