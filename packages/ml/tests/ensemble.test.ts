import { defaultParams, InputError } from '@mlops/core';
import { loadBundleText, serializeBundle } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import { candidatesFor, canVote, type CandidateSpec } from '../src/lib/learners/index.js';
import { inProcessRunner } from '../src/lib/pool.js';
import { selectEnsemble, softVote, trainModels } from '../src/lib/train.js';
import { bmiLabelledData as data, spec } from './helpers/bmi-data.js';

const spec3 = (key: string) => ({ key }) as CandidateSpec;

describe('ensemble selection', () => {
  it('softVote averages in member order', () => {
    expect(Array.from(softVote([Float64Array.from([1, 0]), Float64Array.from([0, 1])]))).toEqual([0.5, 0.5]);
  });

  it('starts from the best model, adds while the CV score rises, ties to the earlier model', () => {
    // CV scores of each subset, by member keys in the order picked
    const table: Record<string, number> = { A: 0.8, B: 0.9, C: 0.7, 'B+A': 0.92, 'B+C': 0.92, 'B+A+C': 0.91 };
    const picked = selectEnsemble(
      [spec3('A'), spec3('B'), spec3('C')],
      (key) => ({ draw: 0, mean: table[key]! }),
      (members) => [table[members.map((m) => m.key).join('+')]!],
    );
    expect(picked.map((m) => m.key)).toEqual(['B', 'A']);
  });

  it('refuses an ensemble without a possible member', () => {
    expect(() =>
      selectEnsemble(
        [spec3('A')],
        () => undefined,
        () => [0],
      ),
    ).toThrow(InputError);
  });

  it('trains end to end: the ensemble is scored on CV, refit from its members and served from the bundle', async () => {
    const params = defaultParams();
    params.models.algorithms = ['logistic_regression', 'random_forest', 'knn', 'soft_voting'];
    params.models.random_forest.n_estimators = 20;
    params.training.cv_folds = 3;
    params.training.importance_repeats = 1;
    expect(candidatesFor(params).map((c) => c.key)).toEqual([
      'RandomForest',
      'KNN',
      'LogisticRegression',
      'SoftVoting',
    ]);
    const d = data(300, 3);
    const outcome = await trainModels(d, params, { spec, runner: async (s) => inProcessRunner(s) });
    const vote = outcome.candidates.find((c) => c.spec.key === 'SoftVoting')!;
    const draw = vote.draws[0]!;
    expect(draw.foldScores).toHaveLength(3);
    const members = String(draw.hyper['members']).split('+');
    expect(members.length).toBeGreaterThanOrEqual(1);
    // k-NN never votes: its serving cost and bundle size grow with the training rows
    expect(members).not.toContain('KNN');
    // never below its first member, the best single model that can vote
    const singles = outcome.candidates.filter((c) => canVote(c.spec));
    expect(draw.mean).toBeGreaterThanOrEqual(Math.max(...singles.map((c) => c.draws[c.best]!.mean)));
    expect(vote.refit.model.kind).toBe('soft_voting');
    expect((vote.refit.model['members'] as unknown[]).length).toBe(members.length);
    // served through the model package: the bundle of the ensemble predicts what the evaluation scored
    const bundle = { ...outcome.bundle, model: vote.refit.model, preprocessing: vote.refit.preprocessing };
    const model = loadBundleText(serializeBundle(bundle));
    expect(model.bundle.model.kind).toBe('soft_voting');
  });
});
