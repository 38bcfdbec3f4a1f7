/**
 * The cleaned rows as pandas `to_csv(index=False)` writes them: floats with Python's repr, int64 columns as plain
 * integers, text as is.
 */
import { formatPythonFloat } from '@mlops/core';
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
