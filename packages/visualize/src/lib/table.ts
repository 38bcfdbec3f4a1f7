/**
 * The input table, read the way pandas' read_csv types it: a column whose every non-missing cell is a number is
 * numeric (int64 when every cell is an integer literal and none is missing, float64 otherwise), any other column is
 * text (object) and is kept as value counts. Missing cells are pandas' default NA strings. Streaming: a numeric
 * column costs 8 bytes a row, a text column one map entry per distinct value, so a million rows stay small.
 */
import { openCsvBatches, parseNumberCell, PANDAS_NA_VALUES } from '@mlops/core';

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  dtype: 'int64' | 'float64';
  /** One value per row, NaN when missing. */
  values: Float64Array;
  missing: number;
}

export interface TextColumn {
  kind: 'text';
  name: string;
  dtype: 'object';
  /** Value → count, in first-seen order. */
  counts: Map<string, number>;
  missing: number;
}

export type Column = NumericColumn | TextColumn;

export interface Table {
  path: string;
  rowCount: number;
  columns: Column[];
}

const INTEGER_LITERAL = /^\s*[+-]?\d+\s*$/;

class Float64Builder {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface ColumnState {
  name: string;
  numeric: Float64Builder | undefined;
  integers: boolean;
  counts: Map<string, number>;
  missing: number;
  /** Set when a numeric-looking column met its first text cell: its text counts need a second pass. */
  flipped: boolean;
}

function countText(counts: Map<string, number>, cell: string) {
  counts.set(cell, (counts.get(cell) ?? 0) + 1);
}

/**
 * Read a CSV into typed columns. Errors (missing file, ragged row, invalid UTF-8…) are core's InputErrors naming the
 * file and line. A column that turns out to be text after numeric-looking rows is recounted in a second pass over
 * the file, so its counts are exact.
 */
export async function readTable(path: string): Promise<Table> {
  const { header, batches } = await openCsvBatches(path);
  const states: ColumnState[] = header.map((name) => ({
    name,
    numeric: new Float64Builder(),
    integers: true,
    counts: new Map(),
    missing: 0,
    flipped: false,
  }));
  let rowCount = 0;
  for await (const batch of batches) {
    for (const { fields } of batch) {
      rowCount++;
      for (let j = 0; j < states.length; j++) {
        const s = states[j]!;
        const cell = fields[j]!;
        if (PANDAS_NA_VALUES.has(cell)) {
          s.missing++;
          s.numeric?.push(NaN);
          continue;
        }
        if (s.numeric) {
          const value = parseNumberCell(cell);
          if (value !== undefined) {
            s.numeric.push(value);
            if (s.integers && !INTEGER_LITERAL.test(cell)) s.integers = false;
            continue;
          }
          s.numeric = undefined;
          s.flipped = true;
        }
        countText(s.counts, cell);
      }
    }
  }
  const flipped = states.filter((s) => s.flipped);
  if (flipped.length > 0) await recount(path, header, flipped);
  const columns: Column[] = states.map((s) =>
    s.numeric
      ? {
          kind: 'numeric',
          name: s.name,
          dtype: s.integers && s.missing === 0 ? 'int64' : 'float64',
          values: s.numeric.finish(),
          missing: s.missing,
        }
      : { kind: 'text', name: s.name, dtype: 'object', counts: s.counts, missing: s.missing },
  );
  return { path, rowCount, columns };
}

async function recount(path: string, header: string[], states: ColumnState[]) {
  const index = states.map((s) => header.indexOf(s.name));
  for (const s of states) s.counts = new Map();
  const { batches } = await openCsvBatches(path);
  for await (const batch of batches) {
    for (const { fields } of batch) {
      for (let j = 0; j < states.length; j++) {
        const cell = fields[index[j]!]!;
        if (!PANDAS_NA_VALUES.has(cell)) countText(states[j]!.counts, cell);
      }
    }
  }
}

/** Python's sys.getsizeof of a str (CPython 3.x compact strings): what pandas' deep memory usage adds up. */
export function pythonStrSize(text: string): number {
  let max = 0;
  let length = 0;
  for (const ch of text) {
    length++;
    const cp = ch.codePointAt(0)!;
    if (cp > max) max = cp;
  }
  if (max < 128) return 49 + length;
  if (max < 256) return 73 + length;
  if (max < 65536) return 74 + 2 * length;
  return 76 + 4 * length;
}

/** A Python float's getsizeof: the NaN object pandas stores for a missing text cell. */
const PYTHON_FLOAT_SIZE = 24;

/** Bytes pandas' `memory_usage(deep=True)` reports for the column (the index excluded). */
export function columnMemoryBytes(column: Column, rowCount: number): number {
  if (column.kind === 'numeric') return 8 * rowCount;
  let bytes = 8 * rowCount + column.missing * PYTHON_FLOAT_SIZE;
  for (const [value, count] of column.counts) bytes += count * pythonStrSize(value);
  return bytes;
}
