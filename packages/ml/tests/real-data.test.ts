import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultParams } from '@mlops/core';
import { obesityFeatureSpec, readBundle, selectRows } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import { readLabeledCsv } from '../src/lib/data.js';
import { complementRows, evaluationReport } from '../src/lib/evaluate.js';
import { availableLearners, candidatesFor } from '../src/lib/learners/index.js';
import { stratifiedKFold } from '../src/lib/split.js';
import { runTask, type RefitResult } from '../src/lib/tasks.js';
import { scorerOf } from '../src/lib/train.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLEAN = fileURLToPath(new URL('../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url));
const present = existsSync(CLEAN);
if (!present) console.warn(`SKIPPED ml real-data tests: ${CLEAN} is absent`);

const reference = JSON.parse(
  readFileSync(new URL('./fixtures/parity_reference.json', import.meta.url), 'utf8'),
) as {
  labels: string[];
  test_indices: number[];
  models: Record<string, { params: Record<string, number | string | boolean>; test_accuracy: number }>;
};

/** Which of our learners plays each reference model, and with which hyper-parameters. */
const PARITY: Record<string, { key: string; drop: string[]; add?: Record<string, number> }> = {
  RandomForest: { key: 'RandomForest', drop: [] },
  XGBoost_Simple: { key: 'XGBoost_Simple', drop: [], add: { random_state: 42 } },
  XGBoost_Tuned: { key: 'XGBoost_Simple', drop: [], add: { random_state: 42 } },
  KNN: { key: 'KNN', drop: [] },
  SVM_Linear: { key: 'SVM_Linear', drop: ['probability', 'random_state'] },
  LogisticRegression: { key: 'LogisticRegression', drop: [] },
};

describe.skipIf(!present)(
  'parity with scikit-learn / xgboost on the real data and the predecessor split',
  () => {
    const have = new Set(availableLearners());
    for (const [name, ref] of Object.entries(reference.models)) {
      const plan = PARITY[name]!;
      it.skipIf(!have.has(plan.key))(
        `${name}: test accuracy within 1 point of the reference ${ref.test_accuracy.toFixed(4)}`,
        async () => {
          const spec = obesityFeatureSpec();
          const data = await readLabeledCsv(CLEAN, spec);
          expect(data.labels).toEqual(reference.labels);
          const test = Int32Array.from(reference.test_indices);
          const train = complementRows(data.rows, test);
          // our learner's params.yaml defaults, with the reference's values for the keys both name
          const base = candidatesFor(defaultParams()).find((c) => c.key === plan.key)?.hyperParams ?? {};
          const hyper = {
            ...base,
            ...Object.fromEntries(
              Object.entries({ ...ref.params, ...plan.add }).filter(
                ([k]) => !plan.drop.includes(k) && (Object.keys(base).length === 0 || k in base),
              ),
            ),
          };
          const y = Int32Array.from(train, (r) => data.y[r]!);
          const shared = {
            spec,
            batch: selectRows(data.batch, train),
            y,
            nClasses: data.labels.length,
            folds: stratifiedKFold(y, data.labels.length, 5, 42),
            seed: 42,
            scale: true,
          };
          const refit = runTask(shared, { kind: 'refit', key: plan.key, hyper }) as RefitResult;
          const report = evaluationReport(
            scorerOf(refit.preprocessing, refit.model),
            name,
            '',
            data.labels,
            data.batch,
            data.y,
            train,
            test,
          );
          console.info(
            `${name}: ours ${report.test_accuracy.toFixed(4)}, reference ${ref.test_accuracy.toFixed(4)}`,
          );
          expect(Math.abs(report.test_accuracy - ref.test_accuracy)).toBeLessThanOrEqual(0.01);
        },
        300_000,
      );
    }
  },
);

describe.skipIf(!present)(
  'training on the real data (the CLI, default params for the learners this build has)',
  () => {
    it('reports CV scores for every model, picks the best mean CV score; best CV ≥ 0.956, boosted trees ≥ 0.972 on test', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ml-real-'));
      const params = defaultParams();
      const algorithms = [...params.models.algorithms, 'logistic_regression' as const].filter((a) => {
        params.models.algorithms = [a];
        return candidatesFor(params).every((c) => availableLearners().includes(c.key));
      });
      writeFileSync(join(dir, 'params.yaml'), `models:\n  algorithms: [${algorithms.join(', ')}]\n`);
      const r = spawnSync(
        process.execPath,
        [
          join(ROOT, 'packages/ml/dist/main.js'),
          'train',
          '--input',
          CLEAN,
          '--output',
          'models',
          '--metrics',
          'metrics',
          '--params',
          'params.yaml',
          '--no-mlflow',
        ],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const cv = JSON.parse(readFileSync(join(dir, 'metrics/cv_results.json'), 'utf8'));
      for (const m of cv.models) {
        expect(m.draws[m.selected_draw].fold_scores).toHaveLength(5);
        console.info(
          `${m.model}: CV f1_weighted ${m.cv_mean.toFixed(4)}, test accuracy ${m.test_accuracy.toFixed(4)}`,
        );
      }
      const bundle = readBundle(join(dir, 'models'));
      const test = bundle.metrics.test as { test_accuracy: number };
      expect(bundle.training_data.test_rows).toBe(431);
      // the winner is the best mean CV score (the test rows are not used to choose)
      const best = Math.max(...cv.models.map((m: { cv_mean: number }) => m.cv_mean));
      expect(cv.models.find((m: { model: string }) => m.model === cv.winner).cv_mean).toBe(best);
      expect(bundle.metrics.cv['mean']).toBe(best);
      if (algorithms.includes('xgboost')) {
        // the predecessor's goals: its best CV f1_weighted 0.956, its best test accuracy 0.972 (tuned XGBoost)
        expect(best).toBeGreaterThanOrEqual(0.956);
        const boosted = cv.models.filter((m: { model: string }) => m.model.startsWith('XGBoost'));
        expect(
          Math.max(...boosted.map((m: { test_accuracy: number }) => m.test_accuracy)),
        ).toBeGreaterThanOrEqual(0.972);
        expect(test.test_accuracy).toBeGreaterThan(0.95);
        // DESIGN's goal for the model chosen by CV: the soft-voting ensemble reaches it (CV 0.9645, test 0.9745)
        if (algorithms.includes('soft_voting')) expect(test.test_accuracy).toBeGreaterThanOrEqual(0.972);
      } else {
        console.warn(
          `real-data goals (0.972 / 0.956) not checked: this build trains only ${algorithms.join(', ')}`,
        );
        expect(test.test_accuracy).toBeGreaterThan(0.8);
      }
    }, 600_000); // the whole zoo with its search, on a shared 2-core machine
  },
);
