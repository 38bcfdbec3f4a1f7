/**
 * k-nearest-neighbours inference (kind "knn"), scikit-learn's KNeighborsClassifier with uniform weights and
 * Minkowski p = 2: the probability of class c is the share of the k training rows nearest to the input (squared
 * Euclidean distance) that belong to c. Equal distances are ordered by training row (lower first), so the result
 * does not depend on search order. Brute force over the stored training matrix, with no allocation per row.
 *
 * JSON: { kind: "knn", nFeatures, nClasses, k, x: training rows, row-major (rows × nFeatures), y: class per row }.
 */
import type { Matrix, Predictor, PredictorFactory } from '../types.js';
import { checkPredictInput, checkRowFinite, fail, floatArray, intArray, intField } from './trees.js';

export const knnPredictor: PredictorFactory = (json) => {
  const kind = 'knn';
  if (json.kind !== kind) fail(kind, `kind is ${JSON.stringify(json.kind)}, expected "${kind}"`);
  const nFeatures = intField(json, 'nFeatures', 1);
  const nClasses = intField(json, 'nClasses', 2);
  const k = intField(json, 'k', 1);
  const y = intArray(json, 'y', 0, nClasses - 1);
  const train = floatArray(json, 'x');
  const n = y.length;
  if (train.length !== n * nFeatures) {
    fail(kind, `x holds ${train.length} values, not ${n} rows (length of y) × ${nFeatures} features`);
  }
  if (k > n) fail(kind, `k = ${k} exceeds the ${n} stored training rows`);
  const bestDist = new Float64Array(k);
  const bestRow = new Int32Array(k);
  const predictor: Predictor = {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      const data = x.data;
      const F = nFeatures;
      for (let r = 0; r < x.rows; r++) {
        const base = r * F;
        checkRowFinite(kind, data, base, F, r);
        bestDist.fill(Infinity);
        let worst = Infinity;
        for (let i = 0, t = 0; i < n; i++, t += F) {
          // partial distances only grow (a sum of squares, rounded monotonically), so a row stops being measured
          // once it is no nearer than the k-th: the same neighbours, a fraction of the work on large reference sets
          let d = 0;
          for (let f = 0; f < F && d < worst; f++) {
            const diff = data[base + f]! - train[t + f]!;
            d += diff * diff;
          }
          // strict: a later row at the same distance as the k-th does not displace it
          if (d >= worst) continue;
          let j = k - 1;
          while (j > 0 && bestDist[j - 1]! > d) {
            bestDist[j] = bestDist[j - 1]!;
            bestRow[j] = bestRow[j - 1]!;
            j--;
          }
          bestDist[j] = d;
          bestRow[j] = i;
          worst = bestDist[k - 1]!;
        }
        const o = r * nClasses;
        for (let c = 0; c < nClasses; c++) result[o + c] = 0;
        for (let j = 0; j < k; j++) result[o + y[bestRow[j]!]!] += 1;
        for (let c = 0; c < nClasses; c++) result[o + c] = result[o + c]! / k;
      }
      return result;
    },
  };
  return predictor;
};
