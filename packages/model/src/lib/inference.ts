/**
 * Inference for serving: a loaded bundle validates rows against its feature spec, preprocesses them with its
 * fitted preprocessing (the same `Preprocessor.transform` training used) and scores them with the predictor built
 * from its ModelJson. The single-row path reuses buffers allocated once, so a warm prediction costs the model's
 * own time plus a few hundred nanoseconds.
 */
import { InputError } from '@mlops/core';
import {
  RowEncoder,
  describeIssues,
  describeUnknown,
  emptyBatch,
  encodeRows,
  type RawBatch,
  type RowIssue,
  type UnknownCategories,
} from './batch.js';
import { bundleFileOf, parseBundle, readBundle, type BundleContent } from './bundle.js';
import { predictorFromJson } from './predictors/index.js';
import { Preprocessor } from './preprocess.js';
import type { Matrix, Predictor } from './types.js';

export interface Prediction {
  /** The predicted class name (from the stored label map). */
  readonly label: string;
  readonly classIndex: number;
  /** Probability per class name, in label order. */
  readonly probabilities: Record<string, number>;
}

export interface PredictResult {
  /** One per valid input row, in input order. */
  readonly predictions: Prediction[];
  /** For each prediction, the index of its input row. */
  readonly rowIndex: Int32Array;
  /** Invalid rows (only when `skipInvalid`; otherwise they throw). */
  readonly invalid: RowIssue[];
  /** Unknown categories per field (encoded as all zeros). */
  readonly unknownCategories: UnknownCategories;
  /** Batch-level warnings for people (unknown categories). */
  readonly warnings: string[];
}

/** Invalid rows: an InputError (exit 2) carrying every issue. */
export class RowValidationError extends InputError {
  constructor(readonly issues: readonly RowIssue[]) {
    super(`invalid input: ${describeIssues(issues)}`);
  }
}

export class LoadedModel {
  readonly labels: readonly string[];
  readonly encoder: RowEncoder;
  readonly preprocessor: Preprocessor;
  readonly predictor: Predictor;
  private readonly one: RawBatch;
  private readonly oneX: Float64Array;
  private readonly oneMatrix: Matrix;
  private readonly oneProba: Float64Array;
  private readonly oneIssues: RowIssue[] = [];
  private oneUnknown: UnknownCategories = {};
  /**
   * The probabilities object of one row, built by an object literal compiled once for the label map: every result
   * has the same shape (a fast object for the caller and JSON.stringify), where adding keys one by one costs about
   * as much as the rest of a warm single-row prediction. Keys go in as JSON string literals.
   */
  private readonly probabilities: (proba: Float64Array, offset: number) => Record<string, number>;

  constructor(readonly bundle: BundleContent) {
    this.labels = bundle.labels;
    this.encoder = new RowEncoder(bundle.feature_spec);
    this.preprocessor = new Preprocessor(bundle.preprocessing);
    this.predictor = predictorFromJson(bundle.model);
    if (this.predictor.nFeatures !== this.preprocessor.outputWidth)
      throw new Error(
        `model expects ${this.predictor.nFeatures} features; the preprocessing gives ${this.preprocessor.outputWidth}`,
      );
    this.one = emptyBatch(bundle.feature_spec, 1);
    this.oneX = new Float64Array(this.preprocessor.outputWidth);
    this.oneMatrix = { data: this.oneX, rows: 1, cols: this.preprocessor.outputWidth };
    this.oneProba = new Float64Array(this.labels.length);
    this.probabilities = new Function(
      'p',
      'o',
      `return { ${this.labels.map((l, c) => `${JSON.stringify(l)}: p[o + ${c}]`).join(', ')} };`,
    ) as (proba: Float64Array, offset: number) => Record<string, number>;
  }

  get nClasses(): number {
    return this.labels.length;
  }

  /** Probabilities of a raw batch (rows × nClasses): the evaluation path. */
  predictBatch(batch: RawBatch, out?: Float64Array): Float64Array {
    return this.predictor.predictProba(this.preprocessor.transform(batch), out);
  }

  /**
   * One row into `proba` (length ≥ nClasses), returning the class index: the allocation-free serving path. Throws
   * RowValidationError for an invalid row. Unknown categories are counted into `unknown` when given.
   */
  predictOneInto(
    row: Readonly<Record<string, unknown>>,
    proba: Float64Array,
    unknown?: UnknownCategories,
  ): number {
    const issues = this.oneIssues;
    issues.length = 0;
    const seen = unknown ?? this.oneUnknown;
    if (!this.encoder.encode(row, this.one, 0, 0, issues, seen)) throw new RowValidationError(issues.slice());
    if (!unknown) for (const _ in seen) this.oneUnknown = {};
    this.preprocessor.transform(this.one, this.oneX);
    this.predictor.predictProba(this.oneMatrix, proba);
    return argmax(proba, 0, this.labels.length);
  }

  /** One row, as a Prediction (with `unknownCategories` when the row had any). */
  predictOne(row: Readonly<Record<string, unknown>>): Prediction & { unknownCategories?: UnknownCategories } {
    const k = this.predictOneInto(row, this.oneProba, this.oneUnknown);
    const prediction = this.prediction(this.oneProba, 0, k);
    for (const _ in this.oneUnknown) {
      const unknownCategories = this.oneUnknown;
      this.oneUnknown = {};
      return { ...prediction, unknownCategories };
    }
    return prediction;
  }

  /**
   * Many rows. Invalid rows throw a RowValidationError naming row and field, unless `skipInvalid` (then they are
   * listed in `invalid`). Rows are numbered from `firstRowNumber` (0: list indices; 1: data rows of a file).
   */
  predict(
    rows: readonly Readonly<Record<string, unknown>>[],
    options: { skipInvalid?: boolean; firstRowNumber?: number } = {},
  ): PredictResult {
    const encoded = encodeRows(this.encoder, rows, options.firstRowNumber ?? 0);
    if (encoded.issues.length > 0 && !options.skipInvalid) throw new RowValidationError(encoded.issues);
    const proba = this.predictBatch(encoded.batch);
    const k = this.labels.length;
    const predictions: Prediction[] = new Array(encoded.batch.rows);
    for (let r = 0; r < encoded.batch.rows; r++)
      predictions[r] = this.prediction(proba, r * k, argmax(proba, r * k, k));
    const warning = describeUnknown(encoded.unknown);
    return {
      predictions,
      rowIndex: encoded.rowIndex,
      invalid: encoded.issues,
      unknownCategories: encoded.unknown,
      warnings: warning ? [warning] : [],
    };
  }

  private prediction(proba: Float64Array, offset: number, k: number): Prediction {
    return { label: this.labels[k]!, classIndex: k, probabilities: this.probabilities(proba, offset) };
  }
}

/** Index of the largest value of `values[offset .. offset+k)` (ties: the first, as numpy's argmax). */
export function argmax(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  let max = values[offset]!;
  for (let c = 1; c < k; c++) {
    if (values[offset + c]! > max) {
      max = values[offset + c]!;
      best = c;
    }
  }
  return best;
}

/** Loads a model folder (or a bundle file): verified bundle, predictor and preprocessing ready to serve. */
export function loadBundle(dir: string): LoadedModel {
  const bundle = readBundle(dir);
  try {
    return new LoadedModel(bundle);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${bundleFileOf(dir)}: invalid model bundle: ${(error as Error).message}`);
  }
}

/** A LoadedModel from a bundle file's text (tests, the api's in-memory models). */
export function loadBundleText(text: string, name = 'model bundle'): LoadedModel {
  return new LoadedModel(parseBundle(text, name));
}
