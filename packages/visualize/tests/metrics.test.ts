import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { className, parseCvResults, parseEvaluation, parseModelComparison } from '../src/index.js';
import { metricsFixture } from './helpers.js';

const load = (name: string) => JSON.parse(readFileSync(join(metricsFixture, name), 'utf8')) as unknown;

describe('metrics readers', () => {
  it("reads the predecessor's evaluation_metrics.json", () => {
    const { value, warnings } = parseEvaluation(load('evaluation_metrics.json'), 'e.json');
    expect(warnings).toEqual([]);
    expect(value!.model_name).toBe('XGBoost_SMOTE');
    expect(value!.test.accuracy).toBe(0.9698375870069605);
    expect(value!.train!.f1).toBe(0.9994193503475051);
    expect(value!.confusion_matrix).toHaveLength(7);
    expect(className(value!.target_names![0]!)).toBe('insufficient_weight');
  });

  it('names the file and the fields it cannot read, and keeps what it can', () => {
    expect(parseEvaluation({ model_name: 'm', test_accuracy: '0.9' }, 'e.json').warnings).toEqual([
      'e.json: missing or not a number/name: test_accuracy, test_precision, test_recall, test_f1',
    ]);
    expect(parseEvaluation([1], 'e.json')).toEqual({ warnings: ['e.json: expected a JSON object'] });
    const base = load('evaluation_metrics.json') as Record<string, unknown>;
    const ragged = parseEvaluation({ ...base, confusion_matrix: [[1, 2], [3]] }, 'e.json');
    expect(ragged.value!.confusion_matrix).toBeUndefined();
    expect(ragged.warnings[0]).toMatch(/confusion_matrix is not a square matrix/);
    const names = parseEvaluation({ ...base, target_names: ['a'] }, 'e.json');
    expect(names.value!.confusion_matrix).toBeUndefined();
    expect(names.warnings[0]).toMatch(/target_names has 1 names for a 7×7/);
  });

  it('reads the CV table in its documented shape, or a bare list, computing missing per-model stats', () => {
    const { value } = parseCvResults(load('cv_results.json'), 'cv.json');
    expect(value!.scoring).toBe('f1_weighted');
    expect(value!.folds).toHaveLength(20);
    expect(value!.summary.map((s) => s.model)).toEqual(['random_forest', 'xgboost', 'knn', 'svm']);
    const bare = parseCvResults(
      [
        { model: 'a', fold: 1, score: 0.5 },
        { model: 'a', fold: 2, score: 0.7 },
      ],
      'cv.json',
    );
    expect(bare.value!.summary[0]!.mean).toBeCloseTo(0.6, 12);
    expect(bare.value!.summary[0]!.std).toBeCloseTo(0.1, 12);
    // per-model stats as a map model → {mean, std}
    const mapped = parseCvResults(
      { results: [{ model: 'a', fold: 1, score: 0.5 }], per_model: { a: { mean: 0.55, std: 0.01 } } },
      'cv.json',
    );
    expect(mapped.value!.summary[0]).toEqual({ model: 'a', mean: 0.55, std: 0.01, folds: 1 });
    expect(parseCvResults({ x: 1 }, 'cv.json').warnings).toEqual([
      'cv.json: no list of {model, fold, score} entries found',
    ]);
  });

  it('reads model_comparison.json and skips unusable entries by index', () => {
    const { value } = parseModelComparison(load('model_comparison.json'), 'mc.json');
    expect(value).toHaveLength(4);
    expect(value![1]!.gap).toBeCloseTo(0.999 - 0.972, 12);
    const partly = parseModelComparison(
      { models: [{ model: 'a', accuracy: 0.9, train_accuracy: 0.95 }, { foo: 1 }] },
      'mc.json',
    );
    expect(partly.value).toHaveLength(1);
    expect(partly.value![0]!.gap).toBeCloseTo(0.05, 12);
    expect(partly.warnings).toEqual(['mc.json: models[1] has no model name or accuracy; skipped']);
  });
});
