/**
 * The search orchestration (random search, successive halving, XGBoost_Simple reusing the tuned draw), run with
 * logistic regressions standing in for the boosted trees: the registry is mocked so the test does not depend on
 * which learners the build has.
 */
import { defaultParams } from '@mlops/core';
import { describe, expect, it, vi } from 'vitest';
import { inProcessRunner } from '../src/lib/pool.js';
import { trainModels } from '../src/lib/train.js';
import { bmiLabelledData, spec } from './helpers/bmi-data.js';

vi.mock('../src/lib/learners/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/lib/learners/index.js')>();
  const { logisticRegressionLearner } = await import('../src/lib/learners/logistic.js');
  // learning_rate plays C; max_depth plays max_iter
  const stand_in = (hp: Record<string, unknown>) =>
    logisticRegressionLearner({
      C: (hp['learning_rate'] as number) * 10,
      max_iter: (hp['max_depth'] as number) * 10,
    });
  const keys = new Set(['XGBoost_SMOTE', 'XGBoost_Simple']);
  return {
    ...original,
    checkLearners: () => undefined,
    availableLearners: () => [...keys],
    learnerFor: (key: string, hp: Record<string, unknown>) => {
      if (!keys.has(key)) throw new Error(`no ${key}`);
      return stand_in(hp);
    },
  };
});

/** A 6-draw search over a one-point grid of the costly keys, run in process; its phase labels and task counts. */
async function searchRun(folds: number) {
  const params = defaultParams();
  params.models.algorithms = ['xgboost'];
  params.training.random_search_iterations = 6;
  params.training.cv_folds = folds;
  params.training.importance_repeats = 1;
  params.training.search_space = {
    ...params.training.search_space,
    n_estimators: [100],
    subsample: [1],
    colsample_bytree: [1],
  };
  const phases: string[] = [];
  const outcome = await trainModels(bmiLabelledData(300, 9), params, {
    spec,
    runner: async (s) => inProcessRunner(s),
    onPhase: (l, n) => phases.push(`${l}:${n}`),
  });
  return { outcome, phases };
}

describe('search orchestration', () => {
  it('halving scores every draw on ⌊folds/2⌋ folds and the best third on all; XGBoost_Simple reuses the best draw', async () => {
    const { outcome, phases } = await searchRun(4);
    expect(phases).toEqual([
      'cross-validation:12', // 6 draws × 2 folds
      'cross-validation (search, best third):4', // 2 draws × 2 more folds
      'cross-validation (tuned):4',
      'refit and importances:6',
    ]);
    const [smote, simple] = outcome.candidates;
    expect(smote!.draws.map((d) => d.folds.length).sort()).toEqual([2, 2, 2, 2, 4, 4]);
    expect(smote!.draws[smote!.best]!.folds).toEqual([0, 1, 2, 3]);
    const { smote_k_neighbors: _k, ...tuned } = smote!.draws[smote!.best]!.hyper;
    expect(simple!.draws[0]!.hyper).toEqual(tuned);
    expect(simple!.draws[0]!.folds).toEqual([0, 1, 2, 3]);
  });

  it('with 5 folds a draw is first judged on 2 of them (never on 1), survivors on the other 3', async () => {
    const { phases } = await searchRun(5);
    expect(phases.slice(0, 2)).toEqual([
      'cross-validation:12', // 6 draws × folds 0, 1
      'cross-validation (search, best third):6', // 2 draws × folds 2, 3, 4
    ]);
  });

  it('without halving every draw gets every fold', async () => {
    const params = defaultParams();
    params.models.algorithms = ['xgboost'];
    params.training.random_search_iterations = 4;
    params.training.cv_folds = 3;
    params.training.successive_halving = false;
    params.training.importance_repeats = 1;
    const outcome = await trainModels(bmiLabelledData(200, 9), params, {
      spec,
      runner: async (s) => inProcessRunner(s),
    });
    expect(outcome.candidates[0]!.draws.every((d) => d.folds.length === 3)).toBe(true);
  });
});
