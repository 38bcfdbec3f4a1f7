/**
 * The learner registry: which models `models.algorithms` trains, under the predecessor's model keys, run names,
 * metric prefixes and artifact names (so tracking reads as it did), with the hyper-parameters params.yaml gives
 * them, and the learner that fits each key.
 *
 * Wiring a learner is one line in LEARNERS: `Key: (hp) => someLearner(hp)`. A selected algorithm whose model key
 * has no learner in this build is an InputError (exit 2) before any work.
 */
import { InputError, type Params } from '@mlops/core';
import type { Learner } from '../learner.js';
import { gradientBoostingLearner, type GradientBoostingParams } from './boosting.js';
import { randomForestLearner, type RandomForestParams } from './forest.js';
import { knnLearner, type KnnParams } from './knn.js';
import { logisticRegressionLearner } from './logistic.js';
import { mlpLearner, type MlpParams } from './mlp.js';
import { svmLearner, type SvmParams } from './svm.js';

export type Algorithm = Params['models']['algorithms'][number];
export type HyperValue = number | string | boolean | readonly number[];
export type HyperParams = Readonly<Record<string, HyperValue>>;
export type LearnerFactory = (hyper: HyperParams) => Learner;

/** One model the stage trains and cross-validates. */
export interface CandidateSpec {
  /** The predecessor's model key, e.g. "RandomForest"; also the registry key of its learner. */
  readonly key: string;
  readonly algorithm: Algorithm;
  /** The tracking run name (the predecessor's: "RandomForest_Baseline", "XGBoost_SMOTE_Tuning"…). */
  readonly runName: string;
  /** The prefix of its weighted metrics in tracking ("rf" → rf_precision_weighted). */
  readonly metricPrefix: string;
  /** The name its model artifact had ("random_forest_model"). */
  readonly artifactName: string;
  /** The hyper-parameters it is fitted with (before search), as params.yaml gives them. */
  readonly hyperParams: HyperParams;
  /** Random search: draws from `space` over `hyperParams`, each CV-scored; the best draw is the model's. */
  readonly search?: {
    readonly space: Readonly<Record<string, readonly HyperValue[]>>;
    readonly iterations: number;
  };
  /** Fitted with the best searched hyper-parameters of another candidate, minus `drop`. */
  readonly tunedFrom?: { readonly key: string; readonly drop: readonly string[] };
  /** A soft-voting ensemble of other candidates' best draws (no learner of its own; see train.ts). */
  readonly ensemble?: true;
}

/** The model key of the soft-voting ensemble. */
export const SOFT_VOTING = 'SoftVoting';

// The hyper-parameters come from params.yaml (validated by its schema) and from the search space (validated too);
// each learner checks every value it reads again and names the bad one.
const LEARNERS: Readonly<Record<string, LearnerFactory>> = {
  RandomForest: (hp) => randomForestLearner(hp as unknown as RandomForestParams),
  // the predecessor's XGBoost_SMOTE: SMOTE (k_neighbors from the search space) before boosting
  XGBoost_SMOTE: (hp) =>
    gradientBoostingLearner(
      { ...(hp as unknown as GradientBoostingParams), smote: true },
      { smoteKNeighbors: num(hp, 'smote_k_neighbors') },
    ),
  XGBoost_Simple: (hp) => gradientBoostingLearner(hp as unknown as GradientBoostingParams),
  KNN: (hp) => knnLearner(hp as unknown as KnnParams),
  SVM_Linear: (hp) => svmLearner(hp as unknown as SvmParams),
  LogisticRegression: (hp) => logisticRegressionLearner({ C: num(hp, 'C'), max_iter: num(hp, 'max_iter') }),
  MLP: (hp) => mlpLearner(hp as unknown as MlpParams),
};

/** A numeric hyper-parameter, or an InputError naming it. */
export function num(hp: HyperParams, name: string): number {
  const v = hp[name];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new InputError(`hyper-parameter ${name}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The candidates of the selected algorithms, in the predecessor's order, each with its params.yaml values. */
export function candidatesFor(params: Params): CandidateSpec[] {
  const m = params.models;
  const out: CandidateSpec[] = [];
  const selected = new Set(m.algorithms);
  if (selected.has('random_forest'))
    out.push({
      key: 'RandomForest',
      algorithm: 'random_forest',
      runName: 'RandomForest_Baseline',
      metricPrefix: 'rf',
      artifactName: 'random_forest_model',
      hyperParams: { ...m.random_forest, class_weight: 'balanced' },
    });
  if (selected.has('xgboost')) {
    const space = params.training.search_space;
    out.push({
      key: 'XGBoost_SMOTE',
      algorithm: 'xgboost',
      runName: 'XGBoost_SMOTE_Tuning',
      metricPrefix: 'xgb_smote',
      artifactName: 'xgboost_smote_model',
      hyperParams: {
        ...m.xgboost,
        subsample: 1,
        colsample_bytree: 1,
        smote_k_neighbors: space.smote_k_neighbors[0]!,
      },
      ...(params.training.random_search_iterations > 0
        ? { search: { space, iterations: params.training.random_search_iterations } }
        : {}),
    });
    out.push({
      key: 'XGBoost_Simple',
      algorithm: 'xgboost',
      runName: 'XGBoost_Simple',
      metricPrefix: 'xgb_simple',
      artifactName: 'xgboost_simple_model',
      hyperParams: { ...m.xgboost },
      // the notebook's best model: the tuned parameters without SMOTE (the predecessor's trainer forgot them)
      tunedFrom: { key: 'XGBoost_SMOTE', drop: ['smote_k_neighbors'] },
    });
  }
  if (selected.has('knn'))
    out.push({
      key: 'KNN',
      algorithm: 'knn',
      runName: 'KNN',
      metricPrefix: 'knn',
      artifactName: 'knn_model',
      hyperParams: { ...m.knn },
    });
  if (selected.has('svm'))
    out.push({
      key: 'SVM_Linear',
      algorithm: 'svm',
      runName: 'SVM_Linear',
      metricPrefix: 'svm',
      artifactName: 'svm_model',
      hyperParams: { ...m.svm },
    });
  if (selected.has('logistic_regression'))
    out.push({
      key: 'LogisticRegression',
      algorithm: 'logistic_regression',
      runName: 'LogisticRegression',
      metricPrefix: 'logreg',
      artifactName: 'logistic_regression_model',
      hyperParams: { ...m.logistic_regression },
    });
  if (selected.has('mlp'))
    out.push({
      key: 'MLP',
      algorithm: 'mlp',
      runName: 'MLP',
      metricPrefix: 'mlp',
      artifactName: 'mlp_model',
      hyperParams: { ...m.mlp },
    });
  // last: its members are the others, and ties go to the earlier (single) model
  if (selected.has('soft_voting'))
    out.push({
      key: SOFT_VOTING,
      algorithm: 'soft_voting',
      runName: 'SoftVoting_Ensemble',
      metricPrefix: 'vote',
      artifactName: 'soft_voting_model',
      hyperParams: {},
      ensemble: true,
    });
  return out;
}

/**
 * Whether a candidate may be a soft-voting member. Not an MLP (its weights are tfjs files beside the bundle, not
 * model JSON), and not a model whose every prediction scans stored training rows (k-NN, an RBF SVM's support
 * vectors): the ensemble is a serving model, and such a member makes each request's cost and the bundle's size grow
 * with the training data (from 1M rows, a k-NN member would carry ~800k rows and scan them per request).
 */
export function canVote(c: CandidateSpec): boolean {
  if (c.ensemble || c.algorithm === 'mlp' || c.algorithm === 'knn') return false;
  return !(c.algorithm === 'svm' && c.hyperParams['kernel'] === 'rbf');
}

/** The model keys that have a learner in this build. */
export function availableLearners(): string[] {
  return [...Object.keys(LEARNERS), SOFT_VOTING];
}

/** Refuses, before any work, a selected algorithm whose learner this build lacks. */
export function checkLearners(candidates: readonly CandidateSpec[]): void {
  for (const c of candidates) {
    if (!c.ensemble && !Object.hasOwn(LEARNERS, c.key))
      throw new InputError(
        `models.algorithms: "${c.algorithm}" (model ${c.key}) has no learner in this build; available: ${availableLearners().join(', ')}`,
      );
  }
}

/** The learner of a model key with these hyper-parameters; a bad hyper-parameter is an InputError naming the model. */
export function learnerFor(key: string, hyper: HyperParams): Learner {
  const factory = Object.hasOwn(LEARNERS, key) ? LEARNERS[key] : undefined;
  if (!factory) throw new InputError(`model ${key}: no learner in this build`);
  try {
    return factory(hyper);
  } catch (error) {
    throw new InputError(`model ${key}: ${(error as Error).message}`);
  }
}
