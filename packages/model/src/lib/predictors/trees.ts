/**
 * Inference for the tree ensembles the ml stage's histogram learner writes ("random_forest", "gradient_boosting").
 *
 * JSON layout (all trees in one set of flat arrays, each tree in preorder from roots[t]):
 *   feature[i]   split feature of node i, or -1 for a leaf
 *   threshold[i] a row goes left when x[feature[i]] <= threshold[i] (a real value on the preprocessed scale)
 *   left[i], right[i]  child node indices (always greater than i); for a leaf, left[i] is the offset of its values
 *                in `value` and right[i] is -1
 *   value        leaf values: nClasses class probabilities per leaf (random forest) or one weight (boosting)
 * random_forest: predict_proba is the mean of the trees' leaf distributions (as scikit-learn).
 * gradient_boosting: tree t adds its leaf weight to the margin of class t mod nClasses, starting from baseScore;
 *   probabilities are the softmax of the margins.
 */
import type { Matrix, ModelJson, Predictor, PredictorFactory } from '../types.js';
import { checkPredictInput, checkRowFinite, fail, floatArray, intArray, intField } from './checks.js';

interface Trees {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  /** For boosting, a leaf's slot holds its weight, so the walk ends with one read. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

function readTrees(json: ModelJson, nFeatures: number, valueSize: number): Trees {
  const kind = json.kind;
  const feature = intArray(json, 'feature', -1, nFeatures - 1);
  const nodes = feature.length;
  const threshold = floatArray(json, 'threshold');
  const left = intArray(json, 'left', -1, 2 ** 31 - 1);
  const right = intArray(json, 'right', -1, 2 ** 31 - 1);
  const value = floatArray(json, 'value');
  for (const [name, arr] of [
    ['threshold', threshold],
    ['left', left],
    ['right', right],
  ] as const) {
    if (arr.length !== nodes) fail(kind, `${name} has ${arr.length} entries, feature has ${nodes}`);
  }
  const roots = intArray(json, 'roots', 0, Math.max(0, nodes - 1));
  if (roots.length === 0) fail(kind, 'roots is empty: the model has no trees');
  const nTrees = intField(json, 'nTrees', 1);
  if (nTrees !== roots.length) fail(kind, `nTrees is ${nTrees} but roots lists ${roots.length} trees`);
  for (let i = 0; i < nodes; i++) {
    if (feature[i]! >= 0) {
      // children after their parent: every walk moves forward, so no JSON can make it loop
      if (left[i]! <= i || left[i]! >= nodes) fail(kind, `left[${i}] = ${left[i]} must be a node after ${i}`);
      if (right[i]! <= i || right[i]! >= nodes) fail(kind, `right[${i}] = ${right[i]} must be a node after ${i}`);
    } else {
      if (left[i]! < 0 || left[i]! + valueSize > value.length) {
        fail(kind, `left[${i}] = ${left[i]}: leaf value offset outside value (length ${value.length})`);
      }
      if (right[i] !== -1) fail(kind, `right[${i}] must be -1 for a leaf`);
    }
  }
  return { roots, feature, threshold, left, right, value };
}

function header(json: ModelJson, kind: string): { nFeatures: number; nClasses: number } {
  if (json.kind !== kind) fail(kind, `kind is ${JSON.stringify(json.kind)}, expected "${kind}"`);
  return { nFeatures: intField(json, 'nFeatures', 1), nClasses: intField(json, 'nClasses', 2) };
}

export const randomForestPredictor: PredictorFactory = (json) => {
  const kind = 'random_forest';
  const { nFeatures, nClasses } = header(json, kind);
  const { roots, feature, threshold, left, right, value } = readTrees(json, nFeatures, nClasses);
  for (let i = 0; i < value.length; i++) {
    if (value[i]! < 0) fail(kind, `value[${i}] must be a probability >= 0`);
  }
  const nTrees = roots.length;
  const K = nClasses;
  const predictor: Predictor = {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      const data = x.data;
      for (let r = 0; r < x.rows; r++) {
        const base = r * nFeatures;
        checkRowFinite(kind, data, base, nFeatures, r);
        const o = r * K;
        for (let k = 0; k < K; k++) result[o + k] = 0;
        for (let t = 0; t < nTrees; t++) {
          let node = roots[t]!;
          let f = feature[node]!;
          while (f >= 0) {
            node = data[base + f]! <= threshold[node]! ? left[node]! : right[node]!;
            f = feature[node]!;
          }
          const v = left[node]!;
          for (let k = 0; k < K; k++) result[o + k] += value[v + k]!;
        }
        // leaves are stored rounded, so normalise the mean rather than divide by the tree count
        let sum = 0;
        for (let k = 0; k < K; k++) sum += result[o + k]!;
        for (let k = 0; k < K; k++) result[o + k] = sum > 0 ? result[o + k]! / sum : 1 / K;
      }
      return result;
    },
  };
  return predictor;
};

export const gradientBoostingPredictor: PredictorFactory = (json) => {
  const kind = 'gradient_boosting';
  const { nFeatures, nClasses } = header(json, kind);
  const { roots, feature, threshold, left } = readTrees(json, nFeatures, 1);
  const value = floatArray(json, 'value');
  const baseScore = floatArray(json, 'baseScore');
  if (baseScore.length !== nClasses) fail(kind, `baseScore has ${baseScore.length} entries, nClasses is ${nClasses}`);
  if (roots.length % nClasses !== 0) {
    fail(kind, `nTrees ${roots.length} is not a multiple of nClasses ${nClasses} (one tree per class per round)`);
  }
  const right = intArray(json, 'right', -1, 2 ** 31 - 1);
  // a leaf's weight goes into its threshold slot: the walk stops on it with no further lookup
  const walk = Float64Array.from(threshold);
  for (let i = 0; i < feature.length; i++) if (feature[i]! < 0) walk[i] = value[left[i]!]!;
  const rounds = roots.length / nClasses;
  const K = nClasses;
  const margin = new Float64Array(K);
  const predictor: Predictor = {
    kind,
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      const result = checkPredictInput(kind, nFeatures, nClasses, x, out);
      const data = x.data;
      for (let r = 0; r < x.rows; r++) {
        const base = r * nFeatures;
        checkRowFinite(kind, data, base, nFeatures, r);
        margin.set(baseScore);
        let t = 0;
        for (let round = 0; round < rounds; round++) {
          for (let k = 0; k < K; k++, t++) {
            let node = roots[t]!;
            let f = feature[node]!;
            while (f >= 0) {
              node = data[base + f]! <= walk[node]! ? left[node]! : right[node]!;
              f = feature[node]!;
            }
            margin[k] += walk[node]!;
          }
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) if (margin[k]! > max) max = margin[k]!;
        let sum = 0;
        const o = r * K;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(margin[k]! - max);
          result[o + k] = e;
          sum += e;
        }
        for (let k = 0; k < K; k++) result[o + k] = result[o + k]! / sum;
      }
      return result;
    },
  };
  return predictor;
};
