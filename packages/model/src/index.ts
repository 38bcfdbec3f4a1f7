export * from './lib/types.js';
export * from './lib/spec.js';
export * from './lib/batch.js';
export * from './lib/preprocess.js';
export * from './lib/reference.js';
export * from './lib/bundle.js';
export * from './lib/inference.js';
export { predictorFromJson, predictorKinds } from './lib/predictors/index.js';
export {
  logisticRegressionPredictor,
  softmaxInPlace,
  type LogisticRegressionJson,
} from './lib/predictors/logistic.js';
export { numberArray, numberField } from './lib/predictors/check.js';
export * from './lib/predictors/svm.js';
export * from './lib/predictors/mlp.js';
