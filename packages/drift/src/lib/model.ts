/** The model part of detect, read through packages/model only (pending the model package). */
import type { ModelEvaluation } from './detect.js';
import type { Table } from './table.js';

export async function evaluateModel(
  modelDir: string,
  _reference: Table,
  _current: Table,
  _options: { minRows: number },
): Promise<ModelEvaluation> {
  return { computed: false, reason: `model support pending (${modelDir})` };
}
