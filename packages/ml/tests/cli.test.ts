import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, loadBundle, readBundle } from '@mlops/model';
import { availableLearners } from '../src/lib/learners/index.js';
import { demoCleanCsv, ML_DIST } from './helpers/demo.js';

const MAIN = join(ML_DIST, 'main.js');

let dir: string;
let clean: string;
let header: string;
let lines: string[];

/** Params for a quick run: logistic regression only, 3 folds, 1 importance repeat. */
function params(name: string, extra = ''): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `models:\n  algorithms: [logistic_regression]\n  logistic_regression:\n    C: 1.0\n    max_iter: 100\n` +
      `training:\n  cv_folds: 3\n  importance_repeats: 1\n${extra}`,
  );
  return path;
}

function run(args: string[], paramsFile = join(dir, 'params.yaml')) {
  const r = spawnSync(process.execPath, [MAIN, ...args, '--params', paramsFile], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MLFLOW_TRACKING_URI: `file:${join(dir, 'mlruns')}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The stderr error line, and that there is only one. */
function errorLine(stderr: string): string {
  const errors = stderr.split('\n').filter((l) => l.includes('mlops-ml: error:'));
  expect(errors).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  return errors[0]!;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ml-cli-'));
  ({ file: clean, header, lines } = demoCleanCsv(dir, 600, 7));
  params('params.yaml');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mlops-ml train / evaluate / predict', () => {
  it('prints usage with --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mlops-ml train');
  });

  it('trains a bundle, CV tables and tracking runs; evaluate reproduces the stored test metrics', () => {
    const r = run(['train', '--input', clean, '--output', 'models', '--metrics', 'metrics']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'models'))).toEqual([BUNDLE_FILE]);
    const bundle = readBundle(join(dir, 'models'));
    expect(bundle.model_name).toBe('LogisticRegression');
    expect(bundle.training_data.rows).toBe(lines.length);
    expect(bundle.training_data.test_indices).toHaveLength(Math.ceil(0.2 * lines.length));
    expect(bundle.feature_importances.features).toHaveLength(17);
    expect(bundle.reference).toHaveLength(17);
    // the demo labels are the WHO class of BMI: the model must learn it well beyond chance (1/7)
    const test = bundle.metrics.test as { test_accuracy: number };
    expect(test.test_accuracy).toBeGreaterThan(0.6);
    const bmi = bundle.feature_importances.features.indexOf('BMI');
    expect(Math.max(...bundle.feature_importances.importances)).toBe(
      bundle.feature_importances.importances[bmi],
    );
    const cv = JSON.parse(readFileSync(join(dir, 'metrics/cv_results.json'), 'utf8'));
    expect(cv.models[0].draws[0].fold_scores).toHaveLength(3);
    const csv = readFileSync(join(dir, 'metrics/cv_results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('model,algorithm,draw,selected,fold,f1_weighted,fit_seconds,hyper_parameters');
    expect(csv).toHaveLength(4);

    // tracking: a parent run and a child run named as the model, with CV scores per fold
    const experiments = readdirSync(join(dir, 'mlruns')).filter((e) => /^\d+$/.test(e) && e !== '0');
    expect(experiments).toHaveLength(1);
    const runs = readdirSync(join(dir, 'mlruns', experiments[0]!)).filter((f) => f !== 'meta.yaml');
    expect(runs).toHaveLength(2);
    const names = runs.map((id) =>
      readFileSync(join(dir, 'mlruns', experiments[0]!, id, 'tags/mlflow.runName'), 'utf8'),
    );
    expect([...names].sort()).toEqual(['LogisticRegression', 'dvc_pipeline_run']);
    const child = runs[names.indexOf('LogisticRegression')]!;
    const childDir = join(dir, 'mlruns', experiments[0]!, child);
    expect(readFileSync(join(childDir, 'metrics/cv_f1_weighted'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readFileSync(join(childDir, 'params/model_type'), 'utf8')).toBe('LogisticRegression');
    expect(existsSync(join(childDir, 'metrics/logreg_f1_weighted'))).toBe(true);
    const parent = runs[names.indexOf('dvc_pipeline_run')]!;
    const mlmodel = readFileSync(
      join(dir, 'mlruns', experiments[0]!, parent, 'artifacts/model/MLmodel'),
      'utf8',
    );
    expect(mlmodel).toContain(`bundle: ${BUNDLE_FILE}`);
    expect(mlmodel).toContain(`run_id: ${parent}`);
    // the winner is version 1 of the registered model, and the champion (the first version always is)
    const registered = join(dir, 'mlruns/models/obesity-classifier');
    expect(readFileSync(join(registered, 'aliases/champion'), 'utf8')).toBe('1');
    expect(readFileSync(join(registered, 'version-1/meta.yaml'), 'utf8')).toContain(`run_id: ${parent}`);
    expect(existsSync(join(dir, 'mlruns', experiments[0]!, parent, 'artifacts/model', BUNDLE_FILE))).toBe(
      true,
    );

    const e = run(['evaluate', '--input', clean, '--model', 'models', '--output', 'eval']);
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'eval/evaluation_metrics.json'), 'utf8'));
    for (const key of [
      'model_name',
      'test_accuracy',
      'test_precision',
      'test_recall',
      'test_f1',
      'train_accuracy',
      'train_precision',
      'train_recall',
      'train_f1',
      'train_test_gap',
      'overfitting_status',
      'confusion_matrix',
      'target_names',
      'test_set_size',
      'train_set_size',
    ])
      expect(report[key]).toEqual((bundle.metrics.test as Record<string, unknown>)[key]);
    expect(report.test_set_size).toBe(Math.ceil(0.2 * lines.length));
    expect(report.target_names[0]).toBe('0-insufficient_weight');
    const summary = readFileSync(join(dir, 'eval/evaluation_summary.csv'), 'utf8').split('\n');
    expect(summary[0]).toBe('Metric,Train,Test');
    expect(summary[1]).toBe(`Accuracy,${String(report.train_accuracy)},${String(report.test_accuracy)}`);
  });

  it('same seed and data give identical bundle bytes, whatever the thread count', () => {
    expect(run(['train', '--input', clean, '--output', 'a', '--metrics', 'ma', '--no-mlflow']).code).toBe(0);
    const one = params('one-thread.yaml', '  n_jobs: 1\n');
    expect(
      run(['train', '--input', clean, '--output', 'b', '--metrics', 'mb', '--no-mlflow'], one).code,
    ).toBe(0);
    expect(readFileSync(join(dir, 'a', BUNDLE_FILE))).toEqual(readFileSync(join(dir, 'b', BUNDLE_FILE)));
  });

  it('with row caps, train logs and records the samples and evaluate scores the same sampled rows', () => {
    const capped = params('params-capped.yaml', '  search_max_rows: 200\n  evaluation_max_rows: 100\n');
    const r = run(
      ['train', '--input', clean, '--output', 'models-capped', '--metrics', 'metrics-capped'],
      capped,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /stratified sample of 200 of the \d+ training rows \(training\.search_max_rows\)/,
    );
    expect(r.stderr).toMatch(
      /train\/test metrics on stratified samples of 100 of \d+ train and 100 of \d+ test rows/,
    );
    const cv = JSON.parse(readFileSync(join(dir, 'metrics-capped/cv_results.json'), 'utf8'));
    expect(cv.sampling).toMatchObject({ search_rows: 200, test_rows_evaluated: 100, sampled: true });
    const bundle = readBundle(join(dir, 'models-capped'));
    const stored = bundle.metrics.test as { test_accuracy: number; test_rows_evaluated: number };
    expect(stored.test_rows_evaluated).toBe(100);
    const e = run(
      ['evaluate', '--input', clean, '--model', 'models-capped', '--output', 'eval-capped'],
      capped,
    );
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toContain(
      `on a stratified sample of 100 of the ${bundle.training_data.test_rows} held-out rows`,
    );
    const report = JSON.parse(readFileSync(join(dir, 'eval-capped/evaluation_metrics.json'), 'utf8'));
    expect(report).toMatchObject({
      test_rows_evaluated: 100,
      test_set_size: bundle.training_data.test_rows,
      evaluation_max_rows: 100,
    });
    expect(report.test_accuracy).toBe(stored.test_accuracy);
  });

  it('evaluate refuses another input file, naming both md5s', () => {
    const other = write('other.csv', [header, ...lines.slice(1)].join('\n') + '\n');
    const r = run(['evaluate', '--input', other, '--model', 'a', '--output', 'eval2']);
    expect(r.code).toBe(2);
    expect(errorLine(r.stderr)).toMatch(
      /other\.csv: not the file the model was trained on \(md5 [0-9a-f]{32}; the model's clean\.csv has md5/,
    );
    expect(existsSync(join(dir, 'eval2'))).toBe(false);
  });

  it('predict scores rows without a target; invalid rows fail with row and field unless skipped', () => {
    const fields = header.split(',').slice(0, 16);
    const rows = lines.slice(0, 5).map((l) => l.split(',').slice(0, 16).join(','));
    const input = write('rows.csv', [fields.join(','), ...rows].join('\n') + '\n');
    const ok = run(['predict', '--model', 'a', '--input', input, '--output', 'pred.csv']);
    expect(ok.code, ok.stderr).toBe(0);
    const out = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe(
      'row,prediction,' +
        loadBundle(join(dir, 'a'))
          .labels.map((l) => `proba_${l}`)
          .join(','),
    );
    expect(out).toHaveLength(6);
    expect(out[1]!.split(',')[0]).toBe('1');

    const badRows = [...rows];
    badRows[2] = badRows[2]!.replace(/^(\w+),[^,]+,/, '$1,old,');
    const bad = write('bad.csv', [fields.join(','), ...badRows].join('\n') + '\n');
    const failed = run(['predict', '--model', 'a', '--input', bad, '--output', 'pred-bad.csv']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('bad.csv: row 3, field "Age": "old" is not a number');
    expect(errorLine(failed.stderr)).toContain('1 invalid row');
    expect(existsSync(join(dir, 'pred-bad.csv'))).toBe(false);

    const skipped = run([
      'predict',
      '--model',
      'a',
      '--input',
      bad,
      '--output',
      'pred-skip.csv',
      '--skip-invalid',
    ]);
    expect(skipped.code).toBe(0);
    const kept = readFileSync(join(dir, 'pred-skip.csv'), 'utf8').trim().split('\n');
    expect(kept.map((l) => l.split(',')[0])).toEqual(['row', '1', '2', '4', '5']);
  });
});

describe('mlops-ml bad input: exit 2, one line naming it, no model folder', () => {
  const expectRefused = (args: string[], pattern: RegExp, paramsFile?: string) => {
    const r = run(args, paramsFile);
    expect(r.code, r.stderr).toBe(2);
    expect(errorLine(r.stderr)).toMatch(pattern);
  };
  const noFolder = (name: string) => {
    expect(existsSync(join(dir, name))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  };

  it('a missing column', () => {
    const cols = header.split(',');
    const drop = cols.indexOf('FAVC');
    const text = [
      cols.filter((_, i) => i !== drop),
      ...lines.map((l) => l.split(',').filter((_, i) => i !== drop)),
    ]
      .map((r) => r.join(','))
      .join('\n');
    expectRefused(
      ['train', '--input', write('no-favc.csv', text + '\n'), '--output', 'm1'],
      /no-favc\.csv: missing required column "FAVC"/,
    );
    noFolder('m1');
  });

  it('a target with one class', () => {
    const one = lines.map((l) => l.slice(0, l.lastIndexOf(',') + 1) + 'normal_weight');
    expectRefused(
      ['train', '--input', write('one.csv', [header, ...one].join('\n') + '\n'), '--output', 'm2'],
      /one\.csv: column "NObeyesdad" has a single class \("normal_weight"\)/,
    );
    noFolder('m2');
  });

  it('fewer rows of a class than folds', () => {
    const rare = lines.filter((l) => !l.endsWith(',obesity_type_iii'));
    const few = lines.filter((l) => l.endsWith(',obesity_type_iii')).slice(0, 2);
    expectRefused(
      ['train', '--input', write('rare.csv', [header, ...rare, ...few].join('\n') + '\n'), '--output', 'm3'],
      /rare\.csv: class "obesity_type_iii" has [12] training rows?, fewer than training\.cv_folds \(3\)/,
    );
    noFolder('m3');
  });

  it('text in a numeric column', () => {
    const text = [...lines];
    text[9] = text[9]!.replace(/^(\w+),[^,]+,/, '$1,twenty,');
    expectRefused(
      ['train', '--input', write('text.csv', [header, ...text].join('\n') + '\n'), '--output', 'm4'],
      /text\.csv: row 10 \(line 11\), column "Age": "twenty" is not a number/,
    );
    noFolder('m4');
  });

  it('an unknown algorithm, an algorithm without a learner, a wrong hyper-parameter type', () => {
    const unknown = write('p-unknown.yaml', 'models:\n  algorithms: [gbm]\n');
    expectRefused(
      ['train', '--input', clean, '--output', 'm5'],
      /p-unknown\.yaml: invalid params: models\.algorithms\[0\]/,
      unknown,
    );
    // an algorithm whose learner this build lacks is refused before any work (trains once it is wired in)
    const missing = write('p-missing.yaml', 'models:\n  algorithms: [logistic_regression, mlp]\n');
    if (!availableLearners().includes('MLP'))
      expectRefused(
        ['train', '--input', clean, '--output', 'm5'],
        /models\.algorithms: "mlp" \(model MLP\) has no learner in this build/,
        missing,
      );
    const wrongType = write(
      'p-type.yaml',
      'models:\n  algorithms: [logistic_regression]\n  logistic_regression:\n    C: high\n',
    );
    expectRefused(
      ['train', '--input', clean, '--output', 'm5'],
      /p-type\.yaml: invalid params: models\.logistic_regression\.C: .*number/,
      wrongType,
    );
    noFolder('m5');
  });

  it('an unwritable model folder: a file, a folder of other files, an output equal to the input', () => {
    write('a-file', 'x');
    expectRefused(
      ['train', '--input', clean, '--output', 'a-file'],
      /a-file\/model_bundle\.json: cannot write: .*a-file is a file, not a folder/,
    );
    mkdirSync(join(dir, 'mine'));
    write('mine/notes.txt', 'keep');
    expectRefused(
      ['train', '--input', clean, '--output', 'mine'],
      /mine: cannot write the model folder: it holds other files/,
    );
    expect(readFileSync(join(dir, 'mine/notes.txt'), 'utf8')).toBe('keep');
    expectRefused(
      ['train', '--input', clean, '--output', clean],
      /--output .*clean\.csv.* is the same file as --input .*clean\.csv/,
    );
    expectRefused(
      ['predict', '--model', 'a', '--input', clean, '--output', clean],
      /--output .*clean\.csv is the same file as --input .*clean\.csv/,
    );
  });

  it('a damaged bundle is named', () => {
    mkdirSync(join(dir, 'broken'));
    const text = readFileSync(join(dir, 'a', BUNDLE_FILE), 'utf8');
    write(`broken/${BUNDLE_FILE}`, text.slice(0, text.length / 2));
    expectRefused(
      ['evaluate', '--input', clean, '--model', 'broken', '--output', 'e3'],
      /broken\/model_bundle\.json: damaged model bundle/,
    );
  });
});
