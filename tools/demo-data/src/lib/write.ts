import { join } from 'node:path';
import { createProgress, writeCsv, type CsvWriter, type Logger } from '@mlops/core';
import { CLEAN_HEADER, DIRTY_HEADER, generateDemo } from './generate.js';

export const DIRTY_FILE = 'obesity_estimation_modified.csv';
export const CLEAN_FILE = 'obesity_clean_reference.csv';

export interface WriteDemoOptions {
  rows: number;
  seed: number;
  dirtyPath: string;
  cleanPath: string;
  logger: Logger;
}

export function defaultPaths(outDir: string): { dirtyPath: string; cleanPath: string } {
  return { dirtyPath: join(outDir, DIRTY_FILE), cleanPath: join(outDir, CLEAN_FILE) };
}

/**
 * Write both files atomically: the dirty one with CRLF line endings (as the real file), the clean reference with
 * LF (as the UCI original). Both streams are filled in one pass over the generator.
 */
export async function writeDemoData(
  options: WriteDemoOptions,
): Promise<{ dirtyRows: number; cleanRows: number }> {
  const progress = createProgress({
    label: 'demo rows',
    total: options.rows,
    logger: options.logger,
    unit: 'rows',
  });
  let dirtyRows = 0;
  let cleanRows = 0;
  await writeCsv(
    options.cleanPath,
    CLEAN_HEADER,
    async (clean: CsvWriter) => {
      await writeCsv(
        options.dirtyPath,
        DIRTY_HEADER,
        async (dirty: CsvWriter) => {
          for (const record of generateDemo(options.rows, options.seed)) {
            await dirty.writeRow(record.dirty);
            dirtyRows++;
            if (record.clean) {
              await clean.writeRow(record.clean);
              cleanRows++;
            }
            progress.tick();
          }
        },
        { eol: '\r\n' },
      );
    },
    { eol: '\n' },
  );
  progress.done();
  return { dirtyRows, cleanRows };
}
