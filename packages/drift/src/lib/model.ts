/**
 * The model part of detect, read through packages/model only:
 * - baseline: the model's scores on the reference's held-out rows (the test split stored in the bundle, never
 *   training rows). When the reference file is not the model's training file (its md5 differs), those rows are
 *   unknown here, and the test-split scores stored in the bundle at training time are the baseline instead;
 * - current: its scores on every current row with a known label and valid features;
 * - both scored against the bundle's fixed label map (a class missing from a file does not shift the codes);
 * - importances: the bundle's, highest first; a derived feature (BMI) is tested for drift by computing it in both
 *   files, since no column holds it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError, bmi, type CodeColumn } from '@mlops/core';
import { BMI_FEATURE, argmax, encodeColumns, loadBundle, type LoadedModel } from '@mlops/model';
import type { ModelEvaluation } from './detect.js';
import { classificationMetrics, METRICS, type Metrics } from './performance.js';
import type { Table, TableColumn } from './table.js';

async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The rows `indices` of a column (values or codes). */
function selectColumn(column: TableColumn, indices: readonly number[]): TableColumn {
  if (column.values) return { ...column, values: Float64Array.from(indices, (i) => column.values![i]!) };
  return { ...column, codes: Int32Array.from(indices, (i) => column.codes![i]!) };
}

function codeColumn(column: TableColumn, rows: number): CodeColumn {
  if (column.codes) return { codes: column.codes, levels: [...column.levels!] };
  // A numeric-looking categorical column: its numbers as text categories.
  const levels: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(rows);
  column.values!.forEach((v, r) => {
    if (Number.isNaN(v)) return void (codes[r] = -1);
    const key = String(v);
    let k = index.get(key);
    if (k === undefined) {
      k = levels.length;
      levels.push(key);
      index.set(key, k);
    }
    codes[r] = k;
  });
  return { codes, levels };
}

interface Scored {
  metrics: Metrics | null;
  rows: number;
  skipped: number;
  skippedReason?: string;
}

/** Rows scored per batch: the model matrix of a batch (rows × 32 doubles) stays a few MB on any file. */
const CHUNK_ROWS = 32768;

function sliceColumn(column: TableColumn, start: number, end: number): TableColumn {
  if (column.values) return { ...column, values: column.values.subarray(start, end) };
  return { ...column, codes: column.codes!.subarray(start, end) };
}

/** Score the model on the rows of a table (all rows, or `indices`), in batches. */
function scoreTable(model: LoadedModel, table: Table, minRows: number, indices?: readonly number[]): Scored {
  const spec = model.bundle.feature_spec;
  const names = [
    ...spec.numeric.map((f) => f.name),
    ...spec.categorical.map((f) => f.name),
    spec.target.name,
  ];
  const columns = new Map<string, TableColumn>();
  for (const name of names) {
    const col = table.columns.get(name);
    if (!col) throw new InputError(`${table.source}: no column "${name}", which the model reads`);
    columns.set(name, indices ? selectColumn(col, indices) : col);
  }
  for (const f of spec.numeric) {
    const col = columns.get(f.name)!;
    if (!col.values) {
      const where = col.firstText ? ` (row ${col.firstText.row}: "${col.firstText.text}")` : '';
      throw new InputError(`${table.source}: column "${f.name}" holds text${where}; the model reads numbers`);
    }
  }
  const rows = indices ? indices.length : table.rowCount;
  const labelIndex = new Map(model.labels.map((l, i) => [l, i]));
  const k = model.nClasses;
  const truth: number[] = [];
  const predicted: number[] = [];
  let invalid = 0;
  let unknownLabels = 0;
  let firstIssue: string | undefined;
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    const part = (name: string) => sliceColumn(columns.get(name)!, start, end);
    const numeric = new Map(spec.numeric.map((f) => [f.name, part(f.name).values!]));
    const categorical = new Map(spec.categorical.map((f) => [f.name, codeColumn(part(f.name), end - start)]));
    const target = codeColumn(part(spec.target.name), end - start);
    const encoded = encodeColumns(spec, end - start, numeric, categorical);
    invalid += end - start - encoded.batch.rows;
    const issue = encoded.issues[0];
    if (issue && !firstIssue) firstIssue = `${issue.field}: ${issue.message}`;
    const levelLabel = target.levels.map((l) => labelIndex.get(l) ?? -1);
    const proba = encoded.batch.rows > 0 ? model.predictBatch(encoded.batch) : new Float64Array(0);
    encoded.rowIndex.forEach((r, b) => {
      const code = target.codes[r]!;
      const label = code < 0 ? -1 : levelLabel[code]!;
      if (label < 0) return void unknownLabels++;
      truth.push(label);
      predicted.push(argmax(proba, b * k, k));
    });
  }
  const reasons: string[] = [];
  if (invalid) reasons.push(`${invalid} with invalid features (e.g. ${firstIssue})`);
  if (unknownLabels) reasons.push(`${unknownLabels} with a missing or unknown label`);
  const skipped = invalid + unknownLabels;
  const extra = reasons.length ? { skippedReason: reasons.join('; ') } : {};
  if (truth.length < minRows) return { metrics: null, rows: truth.length, skipped, ...extra };
  return { metrics: classificationMetrics(truth, predicted, k), rows: truth.length, skipped, ...extra };
}

function storedTestMetrics(model: LoadedModel): Metrics | null {
  const test = model.bundle.metrics.test as Record<string, unknown>;
  const out = {} as Metrics;
  for (const m of METRICS) {
    const v = test[m];
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out[m] = v;
  }
  return out;
}

/** Importances of the model's features, highest first. */
export function rankedImportances(model: LoadedModel): Array<readonly [string, number]> {
  const fi = model.bundle.feature_importances;
  return fi.features.map((f, i) => [f, fi.importances[i] ?? 0] as const).sort((a, b) => b[1] - a[1]);
}

/** The derived BMI column of a table (NaN where Weight or Height is missing), for its drift test. */
export function derivedColumn(table: Table, name: string): TableColumn | null {
  if (name !== BMI_FEATURE) return null;
  const w = table.columns.get('Weight')?.values;
  const h = table.columns.get('Height')?.values;
  if (!w || !h) return null;
  const values = new Float64Array(table.rowCount);
  let missing = 0;
  for (let r = 0; r < values.length; r++) {
    values[r] = h[r]! > 0 ? bmi(w[r]!, h[r]!) : NaN;
    if (Number.isNaN(values[r]!)) missing++;
  }
  return { name, dtype: 'float64', missing, values };
}

export async function evaluateModel(
  modelDir: string,
  reference: Table,
  current: Table,
  options: { minRows: number },
): Promise<ModelEvaluation> {
  const model = loadBundle(modelDir);
  const modelName = model.bundle.model_name;
  const importances = rankedImportances(model);
  const training = model.bundle.training_data;
  let baseline: Scored;
  let baselineNote: string | undefined;
  const sameFile = reference.rowCount === training.rows && (await fileMd5(reference.source)) === training.md5;
  if (sameFile) {
    baseline = scoreTable(model, reference, options.minRows, training.test_indices);
  } else {
    const stored = storedTestMetrics(model);
    if (!stored)
      return {
        computed: false,
        modelName,
        reason: `${reference.source} is not the model's training file (${training.file}, md5 ${training.md5}) and the bundle stores no test-split metrics`,
      };
    baseline = { metrics: stored, rows: training.test_rows, skipped: 0 };
    baselineNote = `the reference is not the model's training file (${training.file}): baseline = test-split metrics stored at training`;
  }
  if (!baseline.metrics)
    return {
      computed: false,
      modelName,
      reason: `not enough held-out reference rows with valid features (${baseline.rows})`,
    };
  const cur = scoreTable(model, current, options.minRows);
  if (!cur.metrics)
    return {
      computed: false,
      modelName,
      reason: `not enough current rows with a known label and valid features (${cur.rows}, at least ${options.minRows} needed${cur.skippedReason ? `; skipped: ${cur.skippedReason}` : ''})`,
    };
  return {
    computed: true,
    modelName,
    baseline: baseline.metrics,
    baselineRows: baseline.rows,
    ...(baselineNote ? { baselineNote } : {}),
    current: cur.metrics,
    currentRows: cur.rows,
    currentRowsSkipped: cur.skipped,
    ...(cur.skippedReason ? { skippedReason: cur.skippedReason } : {}),
    importances,
  };
}
