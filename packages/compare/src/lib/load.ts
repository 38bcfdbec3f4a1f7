/** Read a CSV file into a Frame. Every problem (missing file, not a CSV, ragged row…) is an InputError naming it. */
import { readCsvText } from '@mlops/core';
import { frameFromRows, type Frame } from './frame.js';

export async function loadFrame(path: string, maxRecordChars?: number): Promise<Frame> {
  const { header, rows } = await readCsvText(path, maxRecordChars ? { maxRecordChars } : {});
  return frameFromRows(path, header, rows);
}
