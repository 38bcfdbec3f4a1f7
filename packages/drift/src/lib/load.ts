/**
 * Reading the CSV files (the only IO of the library besides the CLI): a table streamed batch by batch, and the
 * simulate pass that rewrites a file with some columns replaced. Every problem (missing file, empty file, header
 * only, ragged row, invalid UTF-8) is an InputError naming the file, from core's CSV reader.
 */
import {
  InputError,
  PANDAS_NA_VALUES,
  formatPythonFloat,
  openCsvBatches,
  parseNumberCell,
  writeCsv,
} from '@mlops/core';
import { TableBuilder, type Table } from './table.js';

async function readInto(path: string, keepText: ReadonlySet<string>): Promise<Table> {
  const { header, batches } = await openCsvBatches(path);
  const builder = new TableBuilder(path, header, keepText);
  for await (const batch of batches) for (const record of batch) builder.push(record.fields);
  const lost = builder.columnsNeedingText;
  if (lost.length && keepText.size === 0) return readInto(path, new Set(lost));
  return builder.finish();
}

/** Read a CSV into a typed table, as pandas' read_csv would type it. */
export function loadTable(path: string): Promise<Table> {
  return readInto(path, new Set());
}

/** The numbers of some columns of a CSV (first pass of simulate): a missing column or a text cell is an error. */
export async function loadNumericColumns(
  path: string,
  names: readonly string[],
): Promise<{ header: string[]; rowCount: number; columns: Map<string, Float64Array> }> {
  const { header, batches } = await openCsvBatches(path);
  const index = names.map((n) => header.indexOf(n));
  const missing = names.filter((_, j) => index[j]! < 0);
  if (missing.length) {
    await batches.return();
    throw new InputError(
      `${path}: no column ${missing.map((m) => `"${m}"`).join(', ')} (named in drift.simulate; found: ${header.join(', ')})`,
    );
  }
  // Typed arrays that double as they grow (plain number arrays of a million rows cost about twice as much).
  let capacity = 1 << 12;
  let parts = names.map(() => new Float64Array(capacity));
  let rowCount = 0;
  for await (const batch of batches) {
    for (const { fields, row, line } of batch) {
      if (rowCount === capacity) {
        capacity *= 2;
        parts = parts.map((p) => {
          const next = new Float64Array(capacity);
          next.set(p);
          return next;
        });
      }
      for (let j = 0; j < names.length; j++) {
        const cell = fields[index[j]!]!;
        const v = PANDAS_NA_VALUES.has(cell) ? NaN : parseNumberCell(cell);
        if (v === undefined) {
          await batches.return();
          throw new InputError(
            `${path}: row ${row} (line ${line}), column "${names[j]}": "${cell}" is not a number`,
          );
        }
        parts[j]![rowCount] = v;
      }
      rowCount++;
    }
  }
  return { header, rowCount, columns: new Map(names.map((n, j) => [n, parts[j]!.slice(0, rowCount)])) };
}

/**
 * Copy `input` to `output` with the given columns replaced (numbers written as pandas writes floats, missing as
 * an empty cell); every other cell is copied as it is. Atomic: the output appears only when complete.
 */
export async function writeWithColumns(
  input: string,
  output: string,
  columns: ReadonlyMap<string, Float64Array>,
): Promise<void> {
  const { header, batches } = await openCsvBatches(input);
  const replaced = [...columns].map(([name, values]) => [header.indexOf(name), values] as const);
  let i = 0;
  await writeCsv(output, header, async (writer) => {
    for await (const batch of batches) {
      for (const { fields } of batch) {
        const out = fields.slice();
        for (const [j, values] of replaced) {
          const v = values[i]!;
          out[j] = Number.isNaN(v) ? '' : formatPythonFloat(v);
        }
        i++;
        await writer.writeRow(out);
      }
    }
  });
}
