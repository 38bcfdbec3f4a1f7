/**
 * Multinomial logistic regression: p = softmax(W x + b). Fitted in packages/ml; this is its inference.
 *
 * ModelJson fields: `coef` (nClasses × nFeatures, row-major), `intercept` (nClasses).
 */
import type { Matrix, ModelJson, Predictor, PredictorFactory } from '../types.js';
import { numberArray } from './check.js';

export interface LogisticRegressionJson extends ModelJson {
  readonly kind: 'logistic_regression';
  readonly coef: readonly number[];
  readonly intercept: readonly number[];
}

/** Softmax of `out[o .. o+k)` in place, stable against overflow. */
export function softmaxInPlace(out: Float64Array, o: number, k: number): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (out[o + c]! > max) max = out[o + c]!;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(out[o + c]! - max);
    out[o + c] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let c = 0; c < k; c++) out[o + c]! *= inv;
}

export const logisticRegressionPredictor: PredictorFactory = (json: ModelJson): Predictor => {
  const d = json.nFeatures;
  const k = json.nClasses;
  const coef = Float64Array.from(numberArray(json, 'coef', k * d));
  const intercept = Float64Array.from(numberArray(json, 'intercept', k));
  return {
    kind: 'logistic_regression',
    nFeatures: d,
    nClasses: k,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      if (x.cols !== d) throw new Error(`logistic_regression: expected ${d} features, got ${x.cols}`);
      const res = out ?? new Float64Array(x.rows * k);
      const data = x.data;
      for (let r = 0; r < x.rows; r++) {
        const xo = r * d;
        const o = r * k;
        for (let c = 0; c < k; c++) {
          let z = intercept[c]!;
          const wo = c * d;
          for (let j = 0; j < d; j++) z += coef[wo + j]! * data[xo + j]!;
          res[o + c] = z;
        }
        softmaxInPlace(res, o, k);
      }
      return res;
    },
  };
};
