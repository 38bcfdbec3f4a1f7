/**
 * The eda stage's steps, as library functions the CLI calls in order: read the raw CSV into the accumulator,
 * refuse a table that cannot be cleaned, write the clean CSV and the profile.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  InputError,
  createProgress,
  openCsvBatches,
  writeChunk,
  writeFileAtomicSync,
  writeStreamAtomic,
  type Logger,
} from '@mlops/core';
import { RawAccumulator, maxRowsForFileSize } from './accumulate.js';
import type { CleanedTable } from './clean.js';
import { outputCsvChunks } from './output.js';
import { PROFILE_JSON, PROFILE_MARKDOWN, renderProfileMarkdown, type EdaProfile } from './profile.js';

/** Up to this many output rows (~13 MB of CSV) the clean CSV is built whole and written in one call. */
const WHOLE_OUTPUT_MAX_ROWS = 100_000;

/** Stream the raw CSV into the accumulator (one record of at most `maxRecordChars` characters at a time). */
export async function readRaw(input: string, logger: Logger, maxRecordChars?: number) {
  const { header, batches } = await openCsvBatches(input, maxRecordChars ? { maxRecordChars } : {});
  let accumulator: RawAccumulator;
  try {
    const bytes = (await stat(input)).size;
    accumulator = new RawAccumulator(header, input, maxRowsForFileSize(bytes, header.length));
  } catch (error) {
    await batches.return();
    throw error;
  }
  const progress = createProgress({ label: 'reading', logger, unit: 'rows' });
  for await (const batch of batches) {
    for (let i = 0; i < batch.length; i++) accumulator.push(batch[i]!.fields);
    progress.tick(batch.length);
  }
  return accumulator.finish();
}

/** A column with no usable value cannot be imputed, and a table with no row left is no output: bad input. */
export function checkUsable(table: CleanedTable, input: string): void {
  if (table.emptyColumns.length > 0) {
    const names = table.emptyColumns.map((c) => `"${c}"`).join(', ');
    throw new InputError(
      `${input}: column${table.emptyColumns.length > 1 ? 's' : ''} ${names} ha${table.emptyColumns.length > 1 ? 've' : 's'} no usable value ` +
        `(all ${table.inputRows - table.droppedMissingTarget} cells are empty, N/A or not a value), so it cannot be imputed`,
    );
  }
  if (table.outputRows === 0) throw new InputError(`${input}: no row is left after cleaning`);
}

/** The clean CSV: a small table in one synchronous write, a large one streamed in 64K-character chunks. */
export async function writeCleanCsv(table: CleanedTable, output: string): Promise<void> {
  if (table.outputRows <= WHOLE_OUTPUT_MAX_ROWS) {
    writeFileAtomicSync(output, [...outputCsvChunks(table)].join(''));
  } else {
    await writeStreamAtomic(output, async (stream) => {
      for (const chunk of outputCsvChunks(table)) await writeChunk(stream, chunk);
    });
  }
}

/** The profile, JSON and Markdown, in `dir`; returns their paths. */
export function writeProfile(profile: EdaProfile, dir: string): { json: string; markdown: string } {
  const json = join(dir, PROFILE_JSON);
  const markdown = join(dir, PROFILE_MARKDOWN);
  writeFileAtomicSync(json, JSON.stringify(profile, null, 2) + '\n');
  writeFileAtomicSync(markdown, renderProfileMarkdown(profile));
  return { json, markdown };
}
