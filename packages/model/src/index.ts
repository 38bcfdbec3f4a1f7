export * from './lib/types.js';
export * from './lib/predictors/svm.js';
export * from './lib/predictors/mlp.js';
