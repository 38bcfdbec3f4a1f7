/**
 * The training side of the model contract (see @mlops/model's types): a learner fits on a preprocessed matrix and
 * returns JSON-safe model data that @mlops/model turns into a predictor.
 */
import type { SeededRng } from '@mlops/core';
import type { Matrix, ModelJson } from '@mlops/model';

export interface FitData {
  /** Preprocessed training rows (already imputed, scaled and one-hot encoded). */
  readonly x: Matrix;
  /** Class index per row, 0..nClasses-1. */
  readonly y: Int32Array;
  readonly nClasses: number;
  /** Optional per-row weights (class balancing); absent means all 1. */
  readonly sampleWeight?: Float64Array;
}

export interface FitContext {
  /** The only source of randomness a learner may use, so the same seed gives the same model. */
  readonly rng: SeededRng;
  /** Called now and then with the fraction done (0..1) for progress bars; optional. */
  readonly onProgress?: (fraction: number) => void;
}

export interface Learner {
  /** The model key as the predecessor names it in tracking (e.g. "RandomForest"). */
  readonly name: string;
  fit(data: FitData, context: FitContext): ModelJson;
}
