import { SeededRng } from '@mlops/core';
import {
  RowEncoder,
  encodeRows,
  fitPreprocessing,
  obesityFeatureSpec,
  Preprocessor,
  referenceStatistics,
  type BundleContent,
  type LogisticRegressionJson,
} from '../src/index.js';

/** Valid rows of the obesity schema, from a seed. */
export function sampleRows(n: number, seed = 1): Record<string, unknown>[] {
  const rng = new SeededRng(seed);
  const spec = obesityFeatureSpec();
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    for (const f of spec.numeric)
      row[f.name] = Math.round(rng.uniformRange(f.range[0], f.range[1]) * 100) / 100;
    for (const f of spec.categorical) row[f.name] = rng.pick(f.categories);
    rows.push(row);
  }
  return rows;
}

/** A small but complete bundle around a logistic regression with seeded weights. */
export function sampleBundle(seed = 7): BundleContent {
  const spec = obesityFeatureSpec();
  const rows = sampleRows(200, seed);
  const encoder = new RowEncoder(spec);
  const { batch } = encodeRows(encoder, rows);
  const preprocessing = fitPreprocessing(batch, spec);
  const width = new Preprocessor(preprocessing).outputWidth;
  const rng = new SeededRng(seed);
  const labels = [...spec.target.classes];
  const model: LogisticRegressionJson = {
    kind: 'logistic_regression',
    nFeatures: width,
    nClasses: labels.length,
    coef: Array.from({ length: labels.length * width }, () => Math.round(rng.normal() * 1000) / 1000),
    intercept: Array.from({ length: labels.length }, () => 0),
  };
  return {
    model_name: 'LogisticRegression',
    algorithm: 'logistic_regression',
    feature_spec: spec,
    preprocessing,
    labels,
    model,
    training_data: {
      md5: '0123456789abcdef0123456789abcdef',
      file: 'train.csv',
      rows: 250,
      test_size: 0.2,
      random_state: 42,
      test_indices: Array.from({ length: 50 }, (_, i) => i * 5),
      train_rows: 200,
      test_rows: 50,
      class_counts: labels.map(() => 200 / labels.length),
    },
    params: { C: 1 },
    metrics: { scoring: 'f1_weighted', cv: { mean: 0.5 }, test: { accuracy: 0.5 } },
    feature_importances: {
      method: 'permutation',
      scoring: 'f1_weighted',
      features: ['Age'],
      importances: [0.1],
      std: [0.01],
    },
    reference: referenceStatistics(batch, spec),
  };
}
