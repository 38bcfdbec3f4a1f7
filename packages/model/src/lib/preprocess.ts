/**
 * The fitted preprocessing, stored in the bundle: numeric median imputation then standard scaling (population
 * std, as scikit-learn's StandardScaler), and a dense one-hot encoding of the categoricals over the spec's
 * categories (so the matrix layout never depends on which categories a split happened to contain); a missing
 * category is imputed with the training mode, an unknown one becomes all zeros. Fitted on training rows only.
 */
import { MISSING, type RawBatch } from './batch.js';
import type { FeatureSpec } from './spec.js';
import type { Matrix } from './types.js';

export interface NumericStep {
  readonly name: string;
  readonly median: number;
  readonly mean: number;
  /** Population std after imputation; 1 when the column is constant (as scikit-learn does). */
  readonly scale: number;
}

export interface CategoricalStep {
  readonly name: string;
  readonly categories: readonly string[];
  /** The most frequent training category (ties: the alphabetically first, as scikit-learn's most_frequent). */
  readonly mode: string;
}

export interface PreprocessingJson {
  readonly numeric: readonly NumericStep[];
  readonly categorical: readonly CategoricalStep[];
  /** The model's input columns, e.g. "Age" … "BMI", then "Gender=Female" …: numeric first, then one-hot blocks. */
  readonly outputFeatures: readonly string[];
}

/** Median of the non-NaN values of a strided column; NaN when there are none. */
function columnMedian(values: Float64Array, stride: number, column: number, rows: number): number {
  const present: number[] = [];
  for (let r = 0; r < rows; r++) {
    const v = values[r * stride + column]!;
    if (v === v) present.push(v);
  }
  if (present.length === 0) return NaN;
  const sorted = Float64Array.from(present).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Fits the preprocessing on training rows. Throws when a numeric feature has no value at all. `scale: false`
 * keeps the imputed numerics as they are (mean 0, scale 1 in the stored steps).
 */
export function fitPreprocessing(
  batch: RawBatch,
  spec: FeatureSpec,
  options: { scale?: boolean } = {},
): PreprocessingJson {
  if (batch.rows === 0) throw new Error('cannot fit the preprocessing on zero rows');
  const numericNames = [...spec.numeric.map((f) => f.name), ...spec.derived.map((f) => f.name)];
  const nw = batch.numericWidth;
  const numeric: NumericStep[] = numericNames.map((name, j) => {
    const median = columnMedian(batch.numeric, nw, j, batch.rows);
    if (Number.isNaN(median)) throw new Error(`numeric feature "${name}" has no value in the training rows`);
    let sum = 0;
    for (let r = 0; r < batch.rows; r++) {
      const v = batch.numeric[r * nw + j]!;
      sum += v === v ? v : median;
    }
    const mean = sum / batch.rows;
    let ss = 0;
    for (let r = 0; r < batch.rows; r++) {
      const v = batch.numeric[r * nw + j]!;
      const d = (v === v ? v : median) - mean;
      ss += d * d;
    }
    const std = Math.sqrt(ss / batch.rows);
    if (options.scale === false) return { name, median, mean: 0, scale: 1 };
    return { name, median, mean, scale: std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1 };
  });
  const cw = batch.categoricalWidth;
  const categorical: CategoricalStep[] = spec.categorical.map((f, j) => {
    const counts = new Int32Array(f.categories.length);
    for (let r = 0; r < batch.rows; r++) {
      const c = batch.categorical[r * cw + j]!;
      if (c >= 0) counts[c]!++;
    }
    let best = 0;
    for (let c = 1; c < counts.length; c++) {
      if (
        counts[c]! > counts[best]! ||
        (counts[c] === counts[best] && f.categories[c]! < f.categories[best]!)
      )
        best = c;
    }
    return { name: f.name, categories: [...f.categories], mode: f.categories[best]! };
  });
  const outputFeatures = [
    ...numeric.map((s) => s.name),
    ...categorical.flatMap((s) => s.categories.map((c) => `${s.name}=${c}`)),
  ];
  return { numeric, categorical, outputFeatures };
}

/**
 * The preprocessing compiled for speed: typed arrays of its fitted values. `transform` is the one function that
 * turns a raw batch into the model's matrix, at training, evaluation and serving time.
 */
export class Preprocessor {
  readonly outputWidth: number;
  private readonly medians: Float64Array;
  private readonly means: Float64Array;
  private readonly invScales: Float64Array;
  private readonly offsets: Int32Array;
  private readonly modes: Int32Array;
  private readonly nNumeric: number;
  private readonly nCategorical: number;

  constructor(readonly json: PreprocessingJson) {
    this.nNumeric = json.numeric.length;
    this.nCategorical = json.categorical.length;
    this.medians = Float64Array.from(json.numeric, (s) => s.median);
    this.means = Float64Array.from(json.numeric, (s) => s.mean);
    this.invScales = Float64Array.from(json.numeric, (s) => 1 / s.scale);
    this.offsets = new Int32Array(this.nCategorical);
    this.modes = new Int32Array(this.nCategorical);
    let offset = this.nNumeric;
    json.categorical.forEach((s, j) => {
      this.offsets[j] = offset;
      this.modes[j] = s.categories.indexOf(s.mode);
      offset += s.categories.length;
    });
    this.outputWidth = offset;
  }

  /** Transforms every row of `batch` into a rows × outputWidth matrix (written into `out` when given). */
  transform(batch: RawBatch, out?: Float64Array): Matrix {
    const width = this.outputWidth;
    const rows = batch.rows;
    const data = out && out.length >= rows * width ? out : new Float64Array(rows * width);
    const nn = this.nNumeric;
    const nc = this.nCategorical;
    const nw = batch.numericWidth;
    const cw = batch.categoricalWidth;
    if (nw !== nn || cw !== nc)
      throw new Error(
        `batch has ${nw} numeric and ${cw} categorical columns; the preprocessing expects ${nn} and ${nc}`,
      );
    const { medians, means, invScales, offsets, modes } = this;
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      const ni = r * nw;
      for (let j = 0; j < nn; j++) {
        const v = batch.numeric[ni + j]!;
        data[o + j] = ((v === v ? v : medians[j]!) - means[j]!) * invScales[j]!;
      }
      data.fill(0, o + nn, o + width);
      const ci = r * cw;
      for (let j = 0; j < nc; j++) {
        const c = batch.categorical[ci + j]!;
        const code = c === MISSING ? modes[j]! : c;
        if (code >= 0) data[o + offsets[j]! + code] = 1;
      }
    }
    return { data, rows, cols: width };
  }
}

/** Checks a preprocessing read from a bundle against its spec; throws an Error naming the bad field. */
export function checkPreprocessing(value: unknown, spec: FeatureSpec, where: string): PreprocessingJson {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  const v = value as PreprocessingJson;
  if (typeof v !== 'object' || v === null || !Array.isArray(v.numeric) || !Array.isArray(v.categorical))
    fail('needs numeric and categorical steps');
  const numericNames = [...spec.numeric.map((f) => f.name), ...spec.derived.map((f) => f.name)];
  if (v.numeric.length !== numericNames.length)
    fail(`numeric: ${v.numeric.length} steps for ${numericNames.length} features`);
  v.numeric.forEach((s, j) => {
    if (s.name !== numericNames[j]) fail(`numeric[${j}].name: "${s.name}", expected "${numericNames[j]}"`);
    for (const k of ['median', 'mean', 'scale'] as const)
      if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) fail(`numeric[${j}].${k}: not a finite number`);
  });
  if (v.categorical.length !== spec.categorical.length) fail('categorical: step count differs from the spec');
  v.categorical.forEach((s, j) => {
    if (s.name !== spec.categorical[j]!.name) fail(`categorical[${j}].name: "${s.name}"`);
    if (!Array.isArray(s.categories) || !s.categories.includes(s.mode))
      fail(`categorical[${j}].mode: not one of its categories`);
  });
  return v;
}
