/**
 * Read a CSV file into a Frame, streaming: records are parsed batch by batch into the frame's typed columns, so the
 * file is never held as text (1M rows × 17 columns: about 100 MB instead of several GB of cell strings). Every
 * problem (missing file, not a CSV, ragged row…) is an InputError naming it.
 */
import { openCsvBatches } from '@mlops/core';
import { FrameBuilder, type Frame } from './frame.js';

export async function loadFrame(path: string, maxRecordChars?: number): Promise<Frame> {
  const { header, batches } = await openCsvBatches(path, maxRecordChars ? { maxRecordChars } : {});
  const builder = new FrameBuilder(path, header);
  for await (const batch of batches) for (const record of batch) builder.push(record.fields);
  return builder.finish();
}
