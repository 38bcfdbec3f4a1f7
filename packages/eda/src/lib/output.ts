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

/** Yield each written row's fields, in order. */
export function* outputRows(table: CleanedTable): Generator<string[], void, undefined> {
  const formatters = table.columns.map((col): ((i: number) => string) => {
    if (col.kind === 'numeric') {
      const values = col.values;
      return col.integer ? (i) => formatInteger(values[i]!) : (i) => formatFloat(values[i]!);
    }
    const { codes, levels } = col;
    return (i) => levels[codes[i]!]!;
  });
  const n = table.inputRows;
  for (let i = 0; i < n; i++) {
    if (table.keep[i] === 0) continue;
    const fields = new Array<string>(formatters.length);
    for (let j = 0; j < formatters.length; j++) fields[j] = formatters[j]!(i);
    yield fields;
  }
}

/**
 * The whole CSV (header, then every written row, LF line ends) as text chunks of about `chunkChars` characters:
 * the bytes formatCsvRow(outputHeader) + formatCsvRow(each of outputRows) give, built column-wise without a
 * per-row array or a quoting test per cell (numbers never need quotes; each category level is quoted once).
 */
export function* outputCsvChunks(
  table: CleanedTable,
  chunkChars = 1 << 16,
): Generator<string, void, undefined> {
  const columns = table.columns;
  const m = columns.length;
  const numeric: (Float64Array | undefined)[] = [];
  const integer: boolean[] = [];
  const codes: (Int32Array | undefined)[] = [];
  const quoted: (string[] | undefined)[] = [];
  for (const col of columns) {
    if (col.kind === 'numeric') {
      numeric.push(col.values);
      integer.push(col.integer);
      codes.push(undefined);
      quoted.push(undefined);
    } else {
      numeric.push(undefined);
      integer.push(false);
      codes.push(col.codes);
      quoted.push(col.levels.map(formatCsvField));
    }
  }
  const keep = table.keep;
  const n = table.inputRows;
  // Cells go into one reused array and lines into a list, each joined natively: flat strings instead of a chain of
  // two concatenations per cell.
  const cells = new Array<string>(m);
  let lines: string[] = [outputHeader(table).map(formatCsvField).join(',')];
  let chars = lines[0]!.length;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    for (let j = 0; j < m; j++) {
      const values = numeric[j];
      cells[j] =
        values === undefined
          ? quoted[j]![codes[j]![i]!]!
          : integer[j]
            ? formatInteger(values[i]!)
            : formatFloat(values[i]!);
    }
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
