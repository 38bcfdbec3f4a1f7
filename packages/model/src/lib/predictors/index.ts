/**
 * The predictor registry: model kind → the factory that builds its inference from ModelJson. A kind is wired in
 * with one line below (its factory lives in its own file beside this one).
 */
import type { ModelJson, Predictor, PredictorFactory } from '../types.js';
import { knnPredictor } from './knn.js';
import { logisticRegressionPredictor } from './logistic.js';
import { mlpPredictor } from './mlp.js';
import { svmPredictor } from './svm.js';
import { gradientBoostingPredictor, randomForestPredictor } from './trees.js';
import { softVotingPredictor } from './voting.js';

const FACTORIES: Readonly<Record<string, PredictorFactory>> = {
  logistic_regression: logisticRegressionPredictor,
  random_forest: randomForestPredictor,
  gradient_boosting: gradientBoostingPredictor,
  knn: knnPredictor,
  svm: svmPredictor,
  mlp: mlpPredictor,
  soft_voting: (json) => softVotingPredictor(json, predictorFromJson),
};

/** The model kinds this build can serve. */
export function predictorKinds(): string[] {
  return Object.keys(FACTORIES);
}

/** Builds the predictor of a ModelJson; throws an Error naming the kind or the malformed field. */
export function predictorFromJson(json: ModelJson): Predictor {
  if (typeof json !== 'object' || json === null) throw new Error('model: not an object');
  if (typeof json.kind !== 'string') throw new Error('model: field "kind" is not a string');
  const factory = Object.hasOwn(FACTORIES, json.kind) ? FACTORIES[json.kind] : undefined;
  if (!factory)
    throw new Error(`model: unknown kind "${json.kind}" (this build serves: ${predictorKinds().join(', ')})`);
  for (const field of ['nFeatures', 'nClasses'] as const) {
    const v = json[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new Error(`model: field "${field}" is not a positive integer`);
  }
  return factory(json);
}
