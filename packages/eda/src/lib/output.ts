/**
 * The cleaned rows as pandas `to_csv(index=False)` writes them: floats with Python's repr, int64 columns as plain
 * integers, text as is.
 */
import { formatCsvField, formatPythonFloat } from '@mlops/core';
import type { CleanedTable } from './clean.js';

/** Python's repr of a float, with fast paths for the common plain forms (same digits: both are shortest round-trip). */
export function formatFloat(x: number): string {
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e16) return Object.is(x, -0) ? '-0.0' : `${x}.0`;
  if (a >= 1e-4 && a < 1e16) return String(x);
  return formatPythonFloat(x);
}

/** An int64 value as pandas writes it. */
export function formatInteger(x: number): string {
  return Math.abs(x) < 1e21 ? String(x + 0) : formatPythonFloat(x);
}

/** The output header. */
export function outputHeader(table: CleanedTable): string[] {
  return table.columns.map((c) => c.name);
}

/**
 * A function that fills `cells` with the written fields of row i: floats with Python's repr, int64 columns as plain
 * integers, category levels as they are or, with `quoteLevels`, already quoted for CSV (each level once).
 */
function rowFiller(table: CleanedTable, quoteLevels: boolean): (i: number, cells: string[]) => void {
  const columns = table.columns;
  const m = columns.length;
  const numeric: (Float64Array | undefined)[] = [];
  const integer: boolean[] = [];
  const codes: (Int32Array | undefined)[] = [];
  const levels: (readonly string[] | undefined)[] = [];
  for (const col of columns) {
    if (col.kind === 'numeric') {
      numeric.push(col.values);
      integer.push(col.integer);
      codes.push(undefined);
      levels.push(undefined);
    } else {
      numeric.push(undefined);
      integer.push(false);
      codes.push(col.codes);
      levels.push(quoteLevels ? col.levels.map(formatCsvField) : col.levels);
    }
  }
  return (i, cells) => {
    for (let j = 0; j < m; j++) {
      const values = numeric[j];
      cells[j] =
        values === undefined
          ? levels[j]![codes[j]![i]!]!
          : integer[j]
            ? formatInteger(values[i]!)
            : formatFloat(values[i]!);
    }
  };
}

/** Yield each written row's fields, in order. */
export function* outputRows(table: CleanedTable): Generator<string[], void, undefined> {
  const fill = rowFiller(table, false);
  const n = table.inputRows;
  for (let i = 0; i < n; i++) {
    if (table.keep[i] === 0) continue;
    const fields = new Array<string>(table.columns.length);
    fill(i, fields);
    yield fields;
  }
}

/**
 * The whole CSV (header, then every written row, LF line ends) as text chunks of about `chunkChars` characters:
 * the bytes formatCsvRow(outputHeader) + formatCsvRow(each of outputRows) give, without a per-row array or a
 * quoting test per cell (numbers never need quotes; each category level is quoted once).
 */
export function* outputCsvChunks(
  table: CleanedTable,
  chunkChars = 1 << 16,
): Generator<string, void, undefined> {
  const fill = rowFiller(table, true);
  const keep = table.keep;
  const n = table.inputRows;
  // Cells go into one reused array and lines into a list, each joined natively: flat strings instead of a chain of
  // two concatenations per cell.
  const cells = new Array<string>(table.columns.length);
  let lines: string[] = [outputHeader(table).map(formatCsvField).join(',')];
  let chars = lines[0]!.length;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    fill(i, cells);
    const line = cells.join(',');
    lines.push(line);
    chars += line.length + 1;
    if (chars >= chunkChars) {
      yield `${lines.join('\n')}\n`;
      lines = [];
      chars = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}
