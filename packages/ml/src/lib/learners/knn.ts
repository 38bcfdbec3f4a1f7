/**
 * k-nearest neighbours (kind "knn"): fitting stores the training matrix and labels; inference is @mlops/model's
 * brute-force knnPredictor (Minkowski p = 2, uniform weights), as the predecessor's KNeighborsClassifier.
 *
 * The reference set is bounded: past `max_reference_rows` training rows the model keeps a stratified random sample
 * of that many (drawn from the fit's rng), because a brute-force query costs reference rows × features and the
 * bundle stores every reference row. Condensing the reference set is the usual remedy for k-NN on large data (the
 * k-NN literature's "editing"/"condensing"; scikit-learn's docs point to sampling or tree indexes for the same
 * reason). Up to the cap (the real data's 1,722 training rows) every row is kept, in order, and the rng is unused.
 */
import { InputError, type Params } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { stratifiedSample } from '../split.js';
import { checkFitData, checkNumber } from './trees/fit-data.js';

/** params models.knn; max_reference_rows may be absent (hyper-parameters written before it existed: no cap). */
export type KnnParams = Omit<Params['models']['knn'], 'max_reference_rows'> & {
  readonly max_reference_rows?: number;
};

export function knnLearner(params: KnnParams): Learner {
  const k = checkNumber(
    'knn',
    'n_neighbors',
    params.n_neighbors,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  );
  const maxRows = checkNumber(
    'knn',
    'max_reference_rows',
    // hyper-parameters written before the key existed (an older bundle's or a test's) keep every row
    params.max_reference_rows ?? Number.MAX_SAFE_INTEGER,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  );
  return {
    name: 'KNN',
    fit(data: FitData, context: FitContext): ModelJson {
      checkFitData(data, 'knn');
      if (data.x.rows < k) {
        throw new InputError(`knn: n_neighbors ${k} exceeds the ${data.x.rows} training rows`);
      }
      if (maxRows < k) {
        throw new InputError(`knn: max_reference_rows ${maxRows} is below n_neighbors ${k}`);
      }
      const { cols } = data.x;
      const all = Int32Array.from({ length: data.x.rows }, (_, i) => i);
      const keep = stratifiedSample(data.y, all, data.nClasses, maxRows, context.rng);
      const x = new Array<number>(keep.length * cols);
      for (let i = 0; i < keep.length; i++) {
        const o = keep[i]! * cols;
        for (let j = 0; j < cols; j++) x[i * cols + j] = data.x.data[o + j]!;
      }
      // uniform weights: scikit-learn's KNeighborsClassifier ignores sample weights, and so does this learner
      return {
        kind: 'knn',
        nFeatures: cols,
        nClasses: data.nClasses,
        k,
        x,
        y: Array.from(keep, (r) => data.y[r]!),
      };
    },
  };
}
