/**
 * The contract between training (packages/ml) and inference (packages/model, used by ml, drift and the api).
 *
 * A learner in ml fits on a preprocessed design matrix and returns its model as plain JSON-safe data (`ModelJson`);
 * every score, at training time (CV folds, test split) and at serving time, goes through the predictor that
 * `packages/model` builds from that JSON, so training and serving can never disagree about inference.
 */

/** A row-major design matrix: `rows` × `cols` values in one Float64Array (row i starts at i * cols). */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/**
 * A fitted model as JSON-safe data (numbers, strings, booleans, arrays and plain objects only; no typed arrays, no
 * NaN/Infinity). `kind` selects the predictor that reads it (see `predictorFromJson`).
 */
export interface ModelJson {
  readonly kind: string;
  /** Width of the preprocessed input matrix the model expects. */
  readonly nFeatures: number;
  /** Number of classes; probabilities come out in label-index order 0..nClasses-1. */
  readonly nClasses: number;
  readonly [field: string]: unknown;
}

/** Inference for one model kind. Implementations must be allocation-free per row when `out` is given. */
export interface Predictor {
  readonly kind: string;
  readonly nFeatures: number;
  readonly nClasses: number;
  /**
   * Class probabilities for every row of `x` (x.cols === nFeatures), row-major rows × nClasses, each row summing
   * to 1. Writes into `out` when given (length ≥ rows × nClasses) and returns it.
   */
  predictProba(x: Matrix, out?: Float64Array): Float64Array;
}

/** Builds a predictor from its JSON; throws an Error naming the field when the JSON is malformed. */
export type PredictorFactory = (json: ModelJson) => Predictor;
