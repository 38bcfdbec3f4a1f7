/**
 * A CSV as the comparison sees it: the header, the raw text of every cell, and per column a pandas-style dtype
 * (int64 / float64 / object) with the parsed numbers of numeric columns. Missing cells are what pandas' read_csv
 * treats as NaN by default (empty, NA, NaN, null, None, N/A, …).
 */
import { PANDAS_NA_VALUES, parseNumberCell } from '@mlops/core';

export type Dtype = 'int64' | 'float64' | 'object';

export interface FrameColumn {
  readonly name: string;
  readonly dtype: Dtype;
  /** Raw cell text, one per row. */
  readonly text: readonly string[];
  /** Missing flags, one per row. */
  readonly missing: Uint8Array;
  readonly missingCount: number;
  /** Parsed values (NaN when missing) for int64/float64 columns; undefined for object columns. */
  readonly numbers?: Float64Array;
}

export interface Frame {
  /** Where it came from (for messages and the report). */
  readonly source: string;
  readonly header: readonly string[];
  readonly rowCount: number;
  readonly columns: ReadonlyMap<string, FrameColumn>;
}

const INTEGER = /^[+-]?\d+$/;

/** Build a frame from parsed CSV text (pure: no IO). */
export function frameFromRows(source: string, header: readonly string[], rows: readonly string[][]): Frame {
  const columns = new Map<string, FrameColumn>();
  header.forEach((name, j) => {
    const text = rows.map((r) => r[j] ?? '');
    const missing = new Uint8Array(text.length);
    let missingCount = 0;
    let numeric = true;
    let integer = true;
    let present = 0;
    const numbers = new Float64Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const cell = text[i]!;
      if (PANDAS_NA_VALUES.has(cell.trim())) {
        missing[i] = 1;
        missingCount++;
        numbers[i] = NaN;
        continue;
      }
      present++;
      if (!numeric) continue;
      const v = parseNumberCell(cell);
      if (v === undefined) {
        numeric = false;
        continue;
      }
      numbers[i] = v;
      if (integer && !INTEGER.test(cell.trim())) integer = false;
    }
    // pandas: an all-missing column is float64; a column with missing values cannot be int64.
    const dtype: Dtype = !numeric
      ? 'object'
      : integer && missingCount === 0 && present > 0
        ? 'int64'
        : 'float64';
    columns.set(name, {
      name,
      dtype,
      text,
      missing,
      missingCount,
      ...(dtype === 'object' ? {} : { numbers }),
    });
  });
  return { source, header, rowCount: rows.length, columns };
}

export const isNumericDtype = (d: Dtype) => d === 'int64' || d === 'float64';
