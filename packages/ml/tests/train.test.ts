import { defaultParams, InputError, type Params } from '@mlops/core';
import { loadBundleText, obesityFeatureSpec, serializeBundle } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import { candidatesFor, checkLearners, learnerFor } from '../src/lib/learners/index.js';
import { inProcessRunner } from '../src/lib/pool.js';
import { gridSize, randomSearchDraws } from '../src/lib/search.js';
import { bestThird, trainModels } from '../src/lib/train.js';
import { quickParams, bmiLabelledData as syntheticData, spec } from './helpers/bmi-data.js';

const paramsWith = (patch: (p: Params) => void): Params => quickParams('logistic_regression', 2, patch);

describe('trainModels (in process)', () => {
  it('cross-validates, selects, refits, evaluates and builds a servable bundle', async () => {
    const data = syntheticData(400, 1);
    const params = paramsWith(() => undefined);
    const phases: string[] = [];
    let ticks = 0;
    const outcome = await trainModels(data, params, {
      spec,
      runner: async (shared) => inProcessRunner(shared),
      onPhase: (label, n) => phases.push(`${label}:${n}`),
      onTask: () => ticks++,
    });
    expect(phases).toEqual(['cross-validation:3', 'refit and importances:4']);
    expect(ticks).toBe(7);
    expect(outcome.split.test.length).toBe(80);
    const lr = outcome.candidates[0]!;
    expect(lr.draws[0]!.foldScores).toHaveLength(3);
    expect(lr.draws[0]!.mean).toBeGreaterThan(0.5); // chance is 1/7
    expect(lr.report.test_set_size).toBe(80);
    // BMI decides the label: it must be the most important feature
    const { features, importances } = outcome.importances;
    expect(features[importances.indexOf(Math.max(...importances))]).toBe('BMI');
    // the bundle serves: the same probabilities as the evaluation computed
    const model = loadBundleText(serializeBundle(outcome.bundle));
    expect(model.labels).toEqual(data.labels);
    expect((outcome.bundle.metrics.test as { test_accuracy: number }).test_accuracy).toBe(
      lr.report.test_accuracy,
    );
  });

  it('cross_validation false scores one held-out fold', async () => {
    const outcome = await trainModels(
      syntheticData(200, 2),
      paramsWith((p) => (p.training.cross_validation = false)),
      {
        spec,
        runner: async (shared) => inProcessRunner(shared),
      },
    );
    expect(outcome.folds).toEqual([0]);
    expect(outcome.candidates[0]!.draws[0]!.foldScores).toHaveLength(1);
  });

  it('refuses a class with fewer training rows than folds, naming it', async () => {
    const data = syntheticData(200, 3);
    const params = paramsWith((p) => (p.training.cv_folds = 60));
    await expect(
      trainModels(data, params, { spec, runner: async (s) => inProcessRunner(s) }),
    ).rejects.toThrow(
      /synthetic\.csv: class "\w+" has \d+ training rows?, fewer than training\.cv_folds \(60\)/,
    );
  });
});

describe('learner registry', () => {
  it("maps algorithms to the predecessor's model keys, run names and metric prefixes", () => {
    const p = defaultParams();
    p.models.algorithms = ['random_forest', 'xgboost', 'knn', 'svm', 'logistic_regression', 'mlp'];
    const c = candidatesFor(p);
    expect(c.map((x) => [x.key, x.runName, x.metricPrefix, x.artifactName])).toEqual([
      ['RandomForest', 'RandomForest_Baseline', 'rf', 'random_forest_model'],
      ['XGBoost_SMOTE', 'XGBoost_SMOTE_Tuning', 'xgb_smote', 'xgboost_smote_model'],
      ['XGBoost_Simple', 'XGBoost_Simple', 'xgb_simple', 'xgboost_simple_model'],
      ['KNN', 'KNN', 'knn', 'knn_model'],
      ['SVM_Linear', 'SVM_Linear', 'svm', 'svm_model'],
      ['LogisticRegression', 'LogisticRegression', 'logreg', 'logistic_regression_model'],
      ['MLP', 'MLP', 'mlp', 'mlp_model'],
    ]);
    expect(c[0]!.hyperParams).toEqual({ ...p.models.random_forest, class_weight: 'balanced' });
    expect(c[1]!.search!.iterations).toBe(20);
    expect(c[2]!.tunedFrom).toEqual({ key: 'XGBoost_SMOTE', drop: ['smote_k_neighbors'] });
    // every selected model has a learner in this build
    expect(() => checkLearners(c)).not.toThrow();
    expect(() => checkLearners([{ ...c[3]!, key: 'Nope' }])).toThrow(InputError);
  });

  it('a bad hyper-parameter is an InputError naming the model', () => {
    expect(() => learnerFor('LogisticRegression', { C: 'high', max_iter: 10 })).toThrow(
      'model LogisticRegression: hyper-parameter C: expected a number, got "high"',
    );
  });
});

describe('random search', () => {
  const space = { a: [1, 2, 3], b: [0.1, 0.2], c: ['x'] };
  it('draws distinct points of the grid, seeded', () => {
    expect(gridSize(space)).toBe(6);
    const draws = randomSearchDraws({ base: 1 }, space, 4, 42);
    expect(draws).toHaveLength(4);
    expect(new Set(draws.map((d) => JSON.stringify(d))).size).toBe(4);
    for (const d of draws) {
      expect(d['base']).toBe(1);
      expect(space.a).toContain(d['a']);
      expect(space.b).toContain(d['b']);
    }
    expect(randomSearchDraws({}, space, 4, 42)).toEqual(draws.map(({ base: _base, ...rest }) => rest));
  });
  it('takes the whole grid when it is no larger than the iterations', () => {
    expect(randomSearchDraws({}, space, 10, 1)).toHaveLength(6);
  });
});

describe('successive halving', () => {
  it('keeps the best third of the draws (ties: the earlier), in draw order', () => {
    expect(bestThird([0.5, 0.9, 0.7, 0.9, 0.1, 0.8])).toEqual([1, 3]);
    expect(bestThird([0.2, 0.2, 0.2, 0.2])).toEqual([0, 1]);
    expect(bestThird([0.3])).toEqual([0]);
  });
});

describe('preprocessing params', () => {
  it('create_bmi false leaves BMI out; scale_features false keeps numerics unscaled', async () => {
    const noBmi = obesityFeatureSpec({ bmi: false });
    expect(noBmi.derived).toEqual([]);
    const rows = syntheticData(150, 4);
    const params = paramsWith((p) => (p.preprocessing.scale_features = false));
    const outcome = await trainModels(rows, params, { spec, runner: async (s) => inProcessRunner(s) });
    expect(outcome.bundle.preprocessing.numeric.every((s) => s.mean === 0 && s.scale === 1)).toBe(true);
    expect(outcome.bundle.preprocessing.numeric[0]!.median).toBeGreaterThan(14);
  });
});
