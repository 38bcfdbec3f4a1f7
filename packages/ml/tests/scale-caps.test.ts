/**
 * The row caps that keep training bounded on large data (training.search_max_rows, training.evaluation_max_rows,
 * models.knn.max_reference_rows, models.svm.max_rows): a sample is stratified and seeded, what was sampled is
 * recorded in the outcome, the reports and the bundle, and at or under a cap nothing changes.
 */
import { SeededRng, type Params } from '@mlops/core';
import { serializeBundle } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import type { LabeledData } from '../src/lib/data.js';
import { knnLearner } from '../src/lib/learners/knn.js';
import { svmLearner } from '../src/lib/learners/svm.js';
import { inProcessRunner } from '../src/lib/pool.js';
import { cvTableJson, modelComparisonJson } from '../src/lib/reports.js';
import { samplingLines } from '../src/lib/sampling.js';
import { classCounts, stratifiedSample } from '../src/lib/split.js';
import { trainModels } from '../src/lib/train.js';
import { quickParams, bmiLabelledData as syntheticData, spec } from './helpers/bmi-data.js';

const paramsWith = (patch: (p: Params) => void): Params => quickParams('knn', 1, patch);

const train = (data: LabeledData, params: Params, phases: string[] = []) =>
  trainModels(data, params, {
    spec,
    runner: async (shared) => inProcessRunner(shared),
    onPhase: (label) => phases.push(label),
  });

describe('stratifiedSample', () => {
  const y = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2)); // 60/30/10 %
  const all = Int32Array.from(y, (_, i) => i);

  it('returns the rows themselves, with the rng untouched, at or under the cap', () => {
    const rng = new SeededRng(3);
    expect(stratifiedSample(y, all, 3, 1000, rng)).toBe(all);
    expect(rng.int(1 << 30)).toBe(new SeededRng(3).int(1 << 30));
  });

  it('draws exactly the cap, ascending and distinct, keeping each class share, the same for the same seed', () => {
    const s = stratifiedSample(y, all, 3, 100, new SeededRng(7));
    expect(s.length).toBe(100);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(
      Array.from(
        classCounts(
          Int32Array.from(s, (r) => y[r]!),
          3,
        ),
      ),
    ).toEqual([60, 30, 10]);
    expect(Array.from(stratifiedSample(y, all, 3, 100, new SeededRng(7)))).toEqual(Array.from(s));
    expect(Array.from(stratifiedSample(y, all, 3, 100, new SeededRng(8)))).not.toEqual(Array.from(s));
  });

  it('samples a subset of the rows given, and keeps minPerClass rows of a rare class', () => {
    const rows = all.filter((r) => r % 2 === 0 || y[r] === 2); // 300 of class 0, 150 of class 1, 100 of 2
    const s = stratifiedSample(y, rows, 3, 20, new SeededRng(1), 5);
    expect(s.length).toBe(20);
    const set = new Set(rows);
    for (const r of s) expect(set.has(r)).toBe(true);
    const counts = classCounts(
      Int32Array.from(s, (r) => y[r]!),
      3,
    );
    expect(counts[2]!).toBeGreaterThanOrEqual(5);
  });
});

describe('k-NN and SVM row caps', () => {
  const data = syntheticData(600, 2);
  const x = { data: new Float64Array(600 * 2), rows: 600, cols: 2 };
  for (let i = 0; i < 600; i++) {
    x.data[2 * i] = data.batch.numeric[i * data.batch.numericWidth + 8]!; // BMI
    x.data[2 * i + 1] = i % 7;
  }
  const fitData = { x, y: data.y, nClasses: data.labels.length };

  it('k-NN keeps a stratified reference set of max_reference_rows, all rows in order under it', () => {
    const capped = knnLearner({ n_neighbors: 5, max_reference_rows: 120 }).fit(fitData, {
      rng: new SeededRng(1),
    }) as unknown as { y: number[]; x: number[] };
    expect(capped.y).toHaveLength(120);
    expect(capped.x).toHaveLength(240);
    const full = classCounts(data.y, data.labels.length);
    const kept = classCounts(Int32Array.from(capped.y), data.labels.length);
    full.forEach((n, c) => expect(Math.abs(kept[c]! - (n * 120) / 600)).toBeLessThan(1));
    const all = knnLearner({ n_neighbors: 5, max_reference_rows: 600 }).fit(fitData, {
      rng: new SeededRng(1),
    }) as unknown as { y: number[]; x: number[] };
    expect(all.y).toEqual(Array.from(data.y));
    expect(all.x).toEqual(Array.from(x.data));
  });

  it('the SVM at or over its row count fits the same model as with no cap; under it, a different one', () => {
    const base = {
      kernel: 'linear',
      C: 1,
      gamma: 'scale',
      calibration_folds: 3,
      tol: 0.1,
      max_iter: 200,
    } as const;
    const fit = (max_rows?: number) =>
      JSON.stringify(
        svmLearner(max_rows === undefined ? base : { ...base, max_rows }).fit(fitData, {
          rng: new SeededRng(4),
        }),
      );
    expect(fit(600)).toBe(fit(undefined));
    expect(fit(150)).not.toBe(fit(undefined));
  });
});

describe('trainModels with row caps', () => {
  const data = syntheticData(700, 5);

  it('cross-validates on a stratified sample, refits on every training row, scores capped samples, records it', async () => {
    const phases: string[] = [];
    const params = paramsWith((p) => {
      p.training.search_max_rows = 200;
      p.training.evaluation_max_rows = 100;
    });
    const outcome = await train(data, params, phases);
    expect(phases).toEqual([
      'cross-validation',
      'importances and refits on the sample',
      'refit of the chosen model on every training row',
    ]);
    const s = outcome.sampling;
    expect(s).toMatchObject({
      training_rows: 560,
      test_rows: 140,
      search_max_rows: 200,
      search_rows: 200,
      evaluation_max_rows: 100,
      train_rows_evaluated: 100,
      test_rows_evaluated: 100,
      sampled: true,
    });
    // the refit saw every training row: k-NN stores them all (its own cap, 10,000, is above 560)
    const knn = outcome.candidates[0]!;
    expect((knn.refit.model as unknown as { y: number[] }).y).toHaveLength(560);
    // the metrics are those of the capped samples, and say so
    expect(knn.report.test_rows_evaluated).toBe(100);
    expect(knn.report.train_rows_evaluated).toBe(100);
    expect(knn.report.test_set_size).toBe(140);
    expect(knn.report.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(100);
    // recorded in the CV table, the comparison, the bundle, and the log lines
    expect(JSON.parse(cvTableJson(outcome)).sampling.search_rows).toBe(200);
    expect(JSON.parse(modelComparisonJson(outcome)).sampling.test_rows_evaluated).toBe(100);
    const { content: bundle } = JSON.parse(serializeBundle(outcome.bundle)) as {
      content: {
        params: { training: { sampling: { search_rows: number } } };
        training_data: { evaluation_sample: { max_rows: number; seed: number } };
      };
    };
    expect(bundle.params.training.sampling.search_rows).toBe(200);
    expect(bundle.training_data.evaluation_sample).toEqual({ max_rows: 100, seed: 42 });
    expect(samplingLines(s).join('\n')).toMatch(/stratified sample of 200 of the 560 training rows/);
  });

  it('refits the chosen model on every training row and the others, scored for comparison only, on the sample', async () => {
    const params = paramsWith((p) => {
      p.models.algorithms = ['knn', 'logistic_regression'];
      p.training.search_max_rows = 200;
    });
    const outcome = await train(data, params);
    const winner = outcome.candidates[outcome.winner]!.spec.key;
    const loser = winner === 'KNN' ? 'LogisticRegression' : 'KNN';
    expect(outcome.sampling.refit_rows).toEqual({ [winner]: 560, [loser]: 200 });
    const knn = outcome.candidates.find((c) => c.spec.key === 'KNN')!;
    expect((knn.refit.model as unknown as { y: number[] }).y).toHaveLength(
      outcome.sampling.refit_rows['KNN']!,
    );
    expect(samplingLines(outcome.sampling)[0]).toMatch(/the chosen model was refit on every training row/);
  });

  it('changes nothing when the rows are within the caps', async () => {
    const small = await train(
      data,
      paramsWith(() => undefined),
    );
    const large = await train(
      data,
      paramsWith((p) => {
        p.training.search_max_rows = 560;
        p.training.evaluation_max_rows = 140;
      }),
    );
    expect(small.sampling.sampled).toBe(false);
    expect(samplingLines(small.sampling)).toEqual([]);
    const scores = (o: typeof small) => o.candidates[0]!.draws.map((d) => [d.folds, d.foldScores, d.hyper]);
    expect(scores(large)).toEqual(scores(small));
    expect(large.candidates[0]!.report.test).toEqual(small.candidates[0]!.report.test);
    expect(large.importances).toEqual(small.importances);
    expect(large.bundle.model).toEqual(small.bundle.model);
  });
});
