/**
 * Random forest (kind "random_forest") on the shared histogram tree learner, with scikit-learn's
 * RandomForestClassifier semantics: bootstrap samples drawn with replacement (a row drawn c times weighs c),
 * "balanced" class weights n / (K · n_k) from the whole fit data, max_features drawn per node, Gini, and
 * predict_proba = the mean of the trees' leaf class distributions.
 */
import { InputError, type Params } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { binFeatures } from './trees/binning.js';
import { EnsembleBuilder } from './trees/ensemble.js';
import { checkFitData, checkNumber, classCounts } from './trees/fit-data.js';
import { ForestTreeGrower } from './trees/forest-grower.js';

export type RandomForestParams = Params['models']['random_forest'];

/** Deeper trees than this are never useful on ≤ 255 bins per feature, and growth recurses once per level. */
const MAX_DEPTH = 64;
const WHO = 'random_forest';

/** Features drawn per node for `maxFeatures` and F input features, as scikit-learn resolves it. */
export function resolveMaxFeatures(maxFeatures: RandomForestParams['max_features'], F: number): number {
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(F)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(F)));
  if (maxFeatures === 'all') return F;
  if (typeof maxFeatures === 'number' && maxFeatures > 0 && maxFeatures <= 1) {
    return Math.max(1, Math.floor(maxFeatures * F));
  }
  if (typeof maxFeatures === 'number' && Number.isInteger(maxFeatures) && maxFeatures >= 1) {
    if (maxFeatures > F) {
      throw new InputError(
        `${WHO}: max_features ${maxFeatures} exceeds the ${F} features of the training matrix`,
      );
    }
    return maxFeatures;
  }
  throw new InputError(
    `${WHO}: max_features must be sqrt, log2, all, a fraction in (0, 1] or a count, got ${JSON.stringify(maxFeatures)}`,
  );
}

export function randomForestLearner(params: RandomForestParams): Learner {
  const nEstimators = checkNumber(
    WHO,
    'n_estimators',
    params.n_estimators,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  );
  const maxDepth = checkNumber(
    WHO,
    'max_depth',
    params.max_depth,
    (v) => Number.isInteger(v) && v >= 1 && v <= MAX_DEPTH,
    `an integer in 1..${MAX_DEPTH}`,
  );
  const minSamplesLeaf = checkNumber(
    WHO,
    'min_samples_leaf',
    params.min_samples_leaf,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  );
  if (typeof params.bootstrap !== 'boolean') throw new InputError(`${WHO}: bootstrap must be true or false`);
  if (params.class_weight !== 'balanced' && params.class_weight !== 'none') {
    throw new InputError(
      `${WHO}: class_weight must be balanced or none, got ${JSON.stringify(params.class_weight)}`,
    );
  }
  resolveMaxFeatures(params.max_features, Number.MAX_SAFE_INTEGER); // validates the form before any fit
  const { bootstrap, class_weight: classWeight, max_features: maxFeaturesParam } = params;

  return {
    name: 'RandomForest',
    fit(data: FitData, context: FitContext): ModelJson {
      checkFitData(data, WHO);
      const { x, y, nClasses } = data;
      const n = x.rows;
      const maxFeatures = resolveMaxFeatures(maxFeaturesParam, x.cols);
      const baseWeight = new Float64Array(n);
      if (classWeight === 'balanced') {
        const counts = classCounts(y, nClasses);
        let present = 0;
        for (let k = 0; k < nClasses; k++) if (counts[k]! > 0) present++;
        for (let i = 0; i < n; i++) baseWeight[i] = n / (present * counts[y[i]!]!);
      } else baseWeight.fill(1);
      if (data.sampleWeight) for (let i = 0; i < n; i++) baseWeight[i]! *= data.sampleWeight[i]!;

      const binned = binFeatures(x);
      const grower = new ForestTreeGrower(binned, nClasses, { maxDepth, maxFeatures, minSamplesLeaf });
      const out = new EnsembleBuilder(nClasses);
      const draws = new Int32Array(n);
      const weight = new Float64Array(n);
      const rows = new Int32Array(n);
      const { rng } = context;
      for (let t = 0; t < nEstimators; t++) {
        if (bootstrap) {
          draws.fill(0);
          for (let i = 0; i < n; i++) draws[rng.int(n)]!++;
        } else draws.fill(1);
        let count = 0;
        for (let i = 0; i < n; i++) {
          weight[i] = draws[i]! * baseWeight[i]!;
          if (weight[i]! > 0) rows[count++] = i;
        }
        grower.grow(rows, count, y, weight, rng, out);
        context.onProgress?.((t + 1) / nEstimators);
      }
      return { kind: 'random_forest', nFeatures: x.cols, nClasses, nTrees: nEstimators, ...out.toJson() };
    },
  };
}
