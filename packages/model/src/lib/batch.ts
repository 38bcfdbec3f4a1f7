/**
 * A raw batch: rows of the 16 inputs, validated against the feature spec and coded, plus the derived BMI, before
 * any fitted step. Training (typed CSV columns), evaluation and serving (row objects) all build one of these, and
 * one function (`Preprocessor.transform`) turns it into the model's matrix.
 *
 * Codes: a categorical value is its index in the spec's category list; -1 is missing (imputed with the training
 * mode), -2 an unknown category (all-zero one-hot, counted per field and reported as a warning).
 */
import { parseNumberCell, type CodeColumn } from '@mlops/core';
import { BMI_FEATURE, type FeatureSpec } from './spec.js';

export const MISSING = -1;
export const UNKNOWN = -2;

export interface RawBatch {
  readonly rows: number;
  /** rows × numericWidth values, row-major: the spec's numeric inputs then its derived features; NaN = missing. */
  readonly numeric: Float64Array;
  /** rows × categorical codes, row-major (see MISSING / UNKNOWN). */
  readonly categorical: Int32Array;
  readonly numericWidth: number;
  readonly categoricalWidth: number;
}

/** One invalid field of one row. `row` is the caller's numbering (1-based data row for files, 0-based index for lists). */
export interface RowIssue {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

/** Unknown categories seen in a batch, per field: how many rows and up to 5 of the values. */
export type UnknownCategories = Record<string, { count: number; values: string[] }>;

export function emptyBatch(spec: FeatureSpec, rows: number): RawBatch {
  const numericWidth = spec.numeric.length + spec.derived.length;
  const categoricalWidth = spec.categorical.length;
  return {
    rows,
    numeric: new Float64Array(rows * numericWidth),
    categorical: new Int32Array(rows * categoricalWidth),
    numericWidth,
    categoricalWidth,
  };
}

/** A view of the first `rows` rows of a batch (no copy). */
export function batchHead(batch: RawBatch, rows: number): RawBatch {
  return {
    ...batch,
    rows,
    numeric: batch.numeric.subarray(0, rows * batch.numericWidth),
    categorical: batch.categorical.subarray(0, rows * batch.categoricalWidth),
  };
}

/**
 * The rows `indices` of a batch, copied into a new batch (splits and CV folds). Indices that select every row in
 * order return the batch itself, uncopied: a refit on the whole training split then holds one copy of a
 * million-row batch, not two (batches are never written after they are built).
 */
export function selectRows(batch: RawBatch, indices: ArrayLike<number>): RawBatch {
  const n = indices.length;
  if (n === batch.rows) {
    let identity = true;
    for (let i = 0; i < n && identity; i++) identity = indices[i] === i;
    if (identity) return batch;
  }
  const nw = batch.numericWidth;
  const cw = batch.categoricalWidth;
  const numeric = new Float64Array(n * nw);
  const categorical = new Int32Array(n * cw);
  for (let i = 0; i < n; i++) {
    const r = indices[i]!;
    numeric.set(batch.numeric.subarray(r * nw, r * nw + nw), i * nw);
    categorical.set(batch.categorical.subarray(r * cw, r * cw + cw), i * cw);
  }
  return { rows: n, numeric, categorical, numericWidth: nw, categoricalWidth: cw };
}

function recordUnknown(unknown: UnknownCategories, field: string, value: string, count = 1): void {
  const entry = (unknown[field] ??= { count: 0, values: [] });
  entry.count += count;
  if (entry.values.length < 5 && !entry.values.includes(value)) entry.values.push(value);
}

/** Where the derived features come from: today only BMI = Weight / Height² (kg/m², Height in metres). */
function derivedPlan(spec: FeatureSpec): { weight: number; height: number } | undefined {
  if (spec.derived.length === 0) return undefined;
  if (spec.derived.length !== 1 || spec.derived[0]!.name !== BMI_FEATURE)
    throw new Error(
      `feature spec: unsupported derived features ${spec.derived.map((d) => d.name).join(', ')}`,
    );
  const weight = spec.numeric.findIndex((f) => f.name === 'Weight');
  const height = spec.numeric.findIndex((f) => f.name === 'Height');
  if (weight < 0 || height < 0)
    throw new Error('feature spec: BMI needs the numeric inputs Weight and Height');
  return { weight, height };
}

/**
 * Encodes rows (objects keyed by field name, as the API and `mlops-ml predict` receive them) into a batch, row by
 * row, with no allocation for a valid row: built once per model and reused.
 */
export class RowEncoder {
  private readonly numericNames: string[];
  private readonly ranges: Float64Array;
  private readonly categoricalNames: string[];
  private readonly categoryIndex: Map<string, number>[];
  private readonly bmi: { weight: number; height: number } | undefined;
  readonly numericWidth: number;
  readonly categoricalWidth: number;
  /** Reads the spec's fields of a record into `values` (numeric fields first). */
  private readonly read: (record: Readonly<Record<string, unknown>>, values: unknown[]) => void;
  private readonly values: unknown[];

  constructor(readonly spec: FeatureSpec) {
    this.numericNames = spec.numeric.map((f) => f.name);
    this.ranges = new Float64Array(spec.numeric.flatMap((f) => [f.range[0], f.range[1]]));
    this.categoricalNames = spec.categorical.map((f) => f.name);
    this.categoryIndex = spec.categorical.map((f) => new Map(f.categories.map((c, i) => [c, i])));
    this.bmi = derivedPlan(spec);
    this.numericWidth = spec.numeric.length + spec.derived.length;
    this.categoricalWidth = spec.categorical.length;
    // One property load per field, each at a constant key, compiled once per spec: the engine caches each load
    // for the rows' shape, where a loop over `record[name]` with changing names stays a slow generic lookup (the
    // reads were a third of a warm single-row prediction). Keys go in as JSON string literals, so any name is safe.
    const fields = [...this.numericNames, ...this.categoricalNames];
    this.read = new Function(
      'r',
      'v',
      fields.map((f, i) => `v[${i}] = r[${JSON.stringify(f)}];`).join('\n'),
    ) as (record: Readonly<Record<string, unknown>>, values: unknown[]) => void;
    this.values = new Array<unknown>(fields.length).fill(undefined);
  }

  /**
   * Encodes `record` into row `slot` of `batch`. Returns true when valid; otherwise pushes one issue per bad field
   * onto `issues` (numbered `rowNumber`) and returns false. Absent field: an issue; null, undefined-valued or empty
   * text: missing (imputed). Numbers may come as numbers or numeric text; out of the valid range is an issue.
   */
  encode(
    record: Readonly<Record<string, unknown>>,
    batch: RawBatch,
    slot: number,
    rowNumber: number,
    issues: RowIssue[],
    unknown: UnknownCategories,
  ): boolean {
    let valid = true;
    const nOff = slot * this.numericWidth;
    const names = this.numericNames;
    const values = this.values;
    this.read(record, values);
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const raw = values[j];
      let value: number;
      if (typeof raw === 'number') {
        value = raw;
      } else if (raw === null || raw === '') {
        value = NaN;
      } else if (typeof raw === 'string') {
        const parsed = parseNumberCell(raw);
        if (parsed === undefined) {
          issues.push({ row: rowNumber, field: name, message: `"${raw}" is not a number` });
          valid = false;
          continue;
        }
        value = parsed;
      } else if (raw === undefined && !(name in record)) {
        issues.push({ row: rowNumber, field: name, message: 'missing field' });
        valid = false;
        continue;
      } else if (raw === undefined) {
        value = NaN;
      } else {
        issues.push({ row: rowNumber, field: name, message: `expected a number, got ${typeof raw}` });
        valid = false;
        continue;
      }
      if (value === value) {
        const lo = this.ranges[2 * j]!;
        const hi = this.ranges[2 * j + 1]!;
        if (!(value >= lo && value <= hi)) {
          issues.push({
            row: rowNumber,
            field: name,
            message: `${value} is outside the valid range [${lo}, ${hi}]`,
          });
          valid = false;
          continue;
        }
      }
      batch.numeric[nOff + j] = value;
    }
    const cOff = slot * this.categoricalWidth;
    const cats = this.categoricalNames;
    const nNumeric = names.length;
    for (let j = 0; j < cats.length; j++) {
      const name = cats[j]!;
      const raw = values[nNumeric + j];
      if (typeof raw === 'string') {
        if (raw === '') {
          batch.categorical[cOff + j] = MISSING;
          continue;
        }
        const code = this.categoryIndex[j]!.get(raw);
        if (code === undefined) {
          batch.categorical[cOff + j] = UNKNOWN;
          recordUnknown(unknown, name, raw);
        } else {
          batch.categorical[cOff + j] = code;
        }
      } else if (raw === null || (raw === undefined && name in record)) {
        batch.categorical[cOff + j] = MISSING;
      } else if (raw === undefined) {
        issues.push({ row: rowNumber, field: name, message: 'missing field' });
        valid = false;
      } else {
        issues.push({ row: rowNumber, field: name, message: `expected text, got ${typeof raw}` });
        valid = false;
      }
    }
    if (valid && this.bmi) deriveBmiRow(batch, slot, this.bmi, this.spec.numeric.length);
    return valid;
  }
}

function deriveBmiRow(
  batch: RawBatch,
  slot: number,
  at: { weight: number; height: number },
  column: number,
): void {
  const off = slot * batch.numericWidth;
  const w = batch.numeric[off + at.weight]!;
  const h = batch.numeric[off + at.height]!;
  // NaN when either input is missing (then imputed with the training median of BMI, as any missing numeric).
  batch.numeric[off + column] = h > 0 ? w / (h * h) : NaN;
}

/** The result of encoding many rows: the batch of the valid rows, which input rows they are, and what was wrong. */
export interface EncodedRows {
  readonly batch: RawBatch;
  /** For each batch row, the index of its input row. */
  readonly rowIndex: Int32Array;
  readonly issues: RowIssue[];
  readonly unknown: UnknownCategories;
}

/**
 * Encodes a list of row objects; invalid rows are left out of the batch and reported in `issues`, numbered
 * `firstRowNumber + index`.
 */
export function encodeRows(
  encoder: RowEncoder,
  records: readonly Readonly<Record<string, unknown>>[],
  firstRowNumber = 0,
): EncodedRows {
  const batch = emptyBatch(encoder.spec, records.length);
  const rowIndex = new Int32Array(records.length);
  const issues: RowIssue[] = [];
  const unknown: UnknownCategories = {};
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    if (encoder.encode(records[i]!, batch, n, firstRowNumber + i, issues, unknown)) rowIndex[n++] = i;
  }
  return { batch: batchHead(batch, n), rowIndex: rowIndex.subarray(0, n), issues, unknown };
}

/**
 * Encodes typed CSV columns (numbers as Float64Array with NaN for missing, categories as codes into levels) into a
 * batch: the training and evaluation path. Rows are numbered from 1 (data rows of the file). Out-of-range values
 * are issues; the rows with issues are left out.
 */
export function encodeColumns(
  spec: FeatureSpec,
  rowCount: number,
  numeric: ReadonlyMap<string, Float64Array>,
  categorical: ReadonlyMap<string, CodeColumn>,
): EncodedRows {
  const full = emptyBatch(spec, rowCount);
  const nw = full.numericWidth;
  const cw = full.categoricalWidth;
  const bad = new Uint8Array(rowCount);
  const issues: RowIssue[] = [];
  const unknown: UnknownCategories = {};
  spec.numeric.forEach((f, j) => {
    const column = numeric.get(f.name);
    if (!column) throw new Error(`missing numeric column "${f.name}"`);
    const [lo, hi] = f.range;
    for (let r = 0; r < rowCount; r++) {
      const v = column[r]!;
      if (v === v && !(v >= lo && v <= hi)) {
        issues.push({ row: r + 1, field: f.name, message: `${v} is outside the valid range [${lo}, ${hi}]` });
        bad[r] = 1;
      }
      full.numeric[r * nw + j] = v;
    }
  });
  spec.categorical.forEach((f, j) => {
    const column = categorical.get(f.name);
    if (!column) throw new Error(`missing categorical column "${f.name}"`);
    const index = new Map(f.categories.map((c, i) => [c, i]));
    const levelCode = column.levels.map((level) => (level === '' ? MISSING : (index.get(level) ?? UNKNOWN)));
    const levelRows = new Int32Array(column.levels.length);
    for (let r = 0; r < rowCount; r++) {
      const c = column.codes[r]!;
      const code = c < 0 ? MISSING : levelCode[c]!;
      if (code === UNKNOWN) levelRows[c]!++;
      full.categorical[r * cw + j] = code;
    }
    column.levels.forEach((level, c) => {
      if (levelRows[c]! > 0) recordUnknown(unknown, f.name, level, levelRows[c]!);
    });
  });
  const plan = derivedPlan(spec);
  const keep: number[] = [];
  for (let r = 0; r < rowCount; r++) {
    if (bad[r]) continue;
    if (plan) deriveBmiRow(full, r, plan, spec.numeric.length);
    keep.push(r);
  }
  if (keep.length === rowCount) {
    const rowIndex = new Int32Array(rowCount);
    for (let r = 0; r < rowCount; r++) rowIndex[r] = r;
    return { batch: full, rowIndex, issues, unknown };
  }
  return { batch: selectRows(full, keep), rowIndex: Int32Array.from(keep), issues, unknown };
}

/** A one-line warning for unknown categories (undefined when there were none). */
export function describeUnknown(unknown: UnknownCategories): string | undefined {
  const fields = Object.keys(unknown);
  if (fields.length === 0) return undefined;
  const parts = fields.map((f) => {
    const e = unknown[f]!;
    return `${f}: ${e.count} row${e.count === 1 ? '' : 's'} (${e.values.map((v) => JSON.stringify(v)).join(', ')})`;
  });
  return `unknown categories encoded as all zeros: ${parts.join('; ')}`;
}

/** One line naming the first issues, e.g. `row 3, field "Age": "abc" is not a number; … (and 4 more)`. */
export function describeIssues(issues: readonly RowIssue[], max = 3): string {
  const shown = issues
    .slice(0, max)
    .map((i) => `row ${i.row}, field "${i.field}": ${i.message}`)
    .join('; ');
  return issues.length > max ? `${shown}; … (${issues.length - max} more)` : shown;
}
