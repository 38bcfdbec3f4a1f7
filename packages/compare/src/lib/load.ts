/**
 * Read a CSV file into a Frame, streaming: records are parsed batch by batch into the frame's typed columns, so the
 * file is never held as text (1M rows × 17 columns: about 100 MB instead of several GB of cell strings). Every
 * problem (missing file, not a CSV, ragged row…) is an InputError naming it.
 */
import { statSync } from 'node:fs';
import { openCsvBatches } from '@mlops/core';
import { FrameBuilder, type Frame } from './frame.js';

export async function loadFrame(path: string, maxRecordChars?: number): Promise<Frame> {
  const { header, batches } = await openCsvBatches(path, maxRecordChars ? { maxRecordChars } : {});
  const builder = new FrameBuilder(path, header);
  let estimated = false;
  for await (const batch of batches) {
    if (!estimated) {
      estimated = true;
      builder.reserve(estimateRows(path, batch));
    }
    for (const record of batch) builder.push(record.fields);
  }
  return builder.finish();
}

/**
 * The file's row count estimated from its size and the first batch's mean record length (+2 %), so the columns are
 * sized once instead of doubling up to it (1M rows: tens of MB less at the peak). Only an estimate: a compressed
 * file or longer rows later simply grow the columns as they fill. 0 when the size is unknown.
 */
function estimateRows(path: string, batch: readonly { readonly fields: readonly string[] }[]): number {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return 0;
  }
  let chars = 0;
  for (const r of batch) for (const f of r.fields) chars += f.length + 1;
  if (batch.length === 0 || chars === 0) return 0;
  return Math.ceil((size / (chars / batch.length)) * 1.02);
}
