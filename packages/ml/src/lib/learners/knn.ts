/**
 * k-nearest neighbours (kind "knn"): fitting stores the training matrix and labels; inference is @mlops/model's
 * brute-force knnPredictor (Minkowski p = 2, uniform weights), as the predecessor's KNeighborsClassifier.
 */
import { InputError, type Params } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { checkFitData, checkNumber } from './trees/fit-data.js';

export type KnnParams = Params['models']['knn'];

export function knnLearner(params: KnnParams): Learner {
  const k = checkNumber(
    'knn',
    'n_neighbors',
    params.n_neighbors,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  );
  return {
    name: 'KNN',
    fit(data: FitData, _context: FitContext): ModelJson {
      checkFitData(data, 'knn');
      if (data.x.rows < k) {
        throw new InputError(`knn: n_neighbors ${k} exceeds the ${data.x.rows} training rows`);
      }
      // uniform weights: scikit-learn's KNeighborsClassifier ignores sample weights, and so does this learner
      return {
        kind: 'knn',
        nFeatures: data.x.cols,
        nClasses: data.nClasses,
        k,
        x: Array.from(data.x.data.subarray(0, data.x.rows * data.x.cols)),
        y: Array.from(data.y),
      };
    },
  };
}
