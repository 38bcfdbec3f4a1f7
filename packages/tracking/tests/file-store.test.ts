import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTracker,
  FileStore,
  paramsHash,
  parseMetricFile,
  parseRunMeta,
  PARAMS_HASH_TAG,
  type Tracker,
} from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trk-fs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  await walk(root, '');
  return out.sort();
}

function fileTracker(
  experimentName: string,
  extra: Partial<Parameters<typeof createTracker>[0]> = {},
): Promise<Tracker> {
  return createTracker({ trackingUri: `file:${join(dir, 'mlruns')}`, experimentName, env: {}, ...extra });
}

describe('file store round trip', () => {
  it('the EDA run of the predecessor: experiment, run name, params, metric, artifact, tags', async () => {
    const hash = paramsHash({ data: { raw_path: 'data/raw/x.csv' } });
    const t = await fileTracker('obesity-eda-refactored', { baseTags: { [PARAMS_HASH_TAG]: hash } });
    expect(t.backend).toBe('file');
    await writeFile(join(dir, 'dataset_limpio_refactored.csv'), 'Age,Gender\n21,Female\n');
    const runId = await t.withRun({ runName: 'eda_data_cleaning' }, async (run) => {
      await run.logParams({
        input_rows: 2153,
        input_columns: 18,
        input_missing: 180,
        output_rows: 2153,
        output_columns: 17,
        output_missing: 0,
      });
      await run.logMetrics({ rows_preserved_pct: 100 });
      await run.logArtifact(join(dir, 'dataset_limpio_refactored.csv'));
      return run.runId;
    });
    const root = join(dir, 'mlruns');
    const exp = (await new FileStore(root).getExperimentByName('obesity-eda-refactored'))!;
    expect(exp.experimentId).toMatch(/^[1-9]\d{17}$/);
    expect(exp.artifactLocation).toBe(`${pathToFileURL(root).href}/${exp.experimentId}`);
    const runDir = join(root, exp.experimentId, runId);
    const meta = parseRunMeta(await readFile(join(runDir, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({
      runName: 'eda_data_cleaning',
      status: 'FINISHED',
      experimentId: exp.experimentId,
    });
    expect(meta.endTime).toBeGreaterThanOrEqual(meta.startTime);
    expect(await readFile(join(runDir, 'params', 'input_rows'), 'utf8')).toBe('2153');
    const [point] = parseMetricFile(
      'rows_preserved_pct',
      await readFile(join(runDir, 'metrics', 'rows_preserved_pct'), 'utf8'),
    );
    expect(point).toMatchObject({ value: 100, step: 0 });
    expect(await readFile(join(runDir, 'metrics', 'rows_preserved_pct'), 'utf8')).toMatch(
      /^\d{13} 100\.0 0\n$/,
    );
    expect(await readFile(join(runDir, 'artifacts', 'dataset_limpio_refactored.csv'), 'utf8')).toContain(
      '21,Female',
    );
    const tags = (await t.getRun(runId))!.tags;
    expect(tags['mlflow.runName']).toBe('eda_data_cleaning');
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    expect(tags['mlflow.user']).toBeTruthy();
    expect(tags['mlflow.source.name']).toBeTruthy();
    expect(tags[PARAMS_HASH_TAG]).toBe(hash);
    // The root has the Default experiment and .trash, as MLflow's FileStore creates them.
    expect(await readFile(join(root, '0', 'meta.yaml'), 'utf8')).toContain('name: Default');
    expect((await stat(join(root, '.trash'))).isDirectory()).toBe(true);
    // No temp file is left anywhere.
    expect((await files(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the git commit tag is set when the entry script is in a git repo', async () => {
    const t = await fileTracker('git');
    const run = await t.startRun({ runName: 'g' });
    await run.end();
    const tags = (await t.getRun(run.runId))!.tags;
    // vitest runs inside this repository's working tree.
    expect(tags['mlflow.source.git.commit']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the ML stage shape: one run per model, nested params, per-step metrics, a model folder, best found by compare', async () => {
    const t = await fileTracker('Clasificacion_Niveles_Obesidad');
    const models = [
      {
        name: 'RandomForest_Baseline',
        prefix: 'rf',
        acc: 0.958,
        params: { n_estimators: 200, max_depth: 10 },
      },
      {
        name: 'XGBoost_SMOTE_Tuning',
        prefix: 'xgb_smote',
        acc: 0.972,
        params: { clf: { max_depth: 5, learning_rate: 0.1 }, smote: { k_neighbors: 5 } },
      },
      {
        name: 'XGBoost_Simple',
        prefix: 'xgb_simple',
        acc: 0.965,
        params: { n_estimators: 200, learning_rate: 0.1 },
      },
      { name: 'KNN', prefix: 'knn', acc: 0.856, params: { n_neighbors: 5, weights: 'uniform' } },
      {
        name: 'SVM_Linear',
        prefix: 'svm',
        acc: 0.921,
        params: { C: 1.0, kernel: 'linear', probability: true },
      },
    ];
    const parent = await t.startRun({ runName: 'train' });
    for (const m of models) {
      await t.withRun(
        { runName: m.name, parentRunId: parent.runId, tags: { model_family: m.prefix } },
        async (run) => {
          await run.logParams({ model_type: m.name, ...m.params, smote_applied: false });
          await run.logMetricPoints(
            Array.from({ length: 5 }, (_, fold) => ({
              key: 'cv/f1_weighted',
              value: m.acc - 0.01 + fold * 0.001,
              step: fold,
            })),
          );
          await run.logMetrics({
            test_accuracy: m.acc,
            [`${m.prefix}_f1_weighted`]: m.acc - 0.001,
            train_score: 1.0,
            gap_overfitting: 1.0 - m.acc,
          });
          const modelDir = join(dir, `model_${m.prefix}`);
          await mkdir(join(modelDir, 'data'), { recursive: true });
          await writeFile(join(modelDir, 'MLmodel'), `flavor: ${m.prefix}\n`);
          await writeFile(join(modelDir, 'data', 'model.json'), JSON.stringify(m.params));
          await run.logArtifact(modelDir, `${m.prefix}_model`);
        },
      );
    }
    await parent.end();
    const runs = await t.searchRuns();
    expect(runs).toHaveLength(6);
    const xgb = runs.find((r) => r.info.runName === 'XGBoost_SMOTE_Tuning')!;
    expect(xgb.params).toMatchObject({
      'clf.max_depth': '5',
      'clf.learning_rate': '0.1',
      'smote.k_neighbors': '5',
      smote_applied: 'False',
    });
    expect(xgb.tags['mlflow.parentRunId']).toBe(parent.runId);
    expect(xgb.tags['model_family']).toBe('xgb_smote');
    expect(xgb.metrics['cv/f1_weighted']).toBeCloseTo(0.966);
    const svm = runs.find((r) => r.info.runName === 'SVM_Linear')!;
    expect(svm.params).toMatchObject({ C: '1', probability: 'True', kernel: 'linear' });
    const history = await t.getMetricHistory(xgb.info.runId, 'cv/f1_weighted');
    expect(history.map((h) => h.step)).toEqual([0, 1, 2, 3, 4]);
    const artifacts = await files(join(dir, 'mlruns', xgb.info.experimentId, xgb.info.runId, 'artifacts'));
    expect(artifacts).toEqual(['xgb_smote_model/MLmodel', 'xgb_smote_model/data/model.json']);
  });

  it('params are write-once: the same value again is fine, a different value is an error naming both', async () => {
    const t = await fileTracker('p');
    const run = await t.startRun({ runName: 'r' });
    await run.logParams({ max_depth: 10 });
    await run.logParams({ max_depth: 10 });
    await expect(run.logParams({ max_depth: 12 })).rejects.toThrow(
      /param 'max_depth' .* already logged with value '10', new value '12'/,
    );
  });

  it('tags overwrite; setting mlflow.runName renames the run in meta.yaml (as FileStore.set_tag does)', async () => {
    const t = await fileTracker('tags');
    const run = await t.startRun({ runName: 'first' });
    await run.setTags({ note: 'a' });
    await run.setTags({ note: 'b', 'mlflow.runName': 'renamed' });
    const back = (await t.getRun(run.runId))!;
    expect(back.tags['note']).toBe('b');
    expect(back.info.runName).toBe('renamed');
  });

  it('withRun ends FAILED and rethrows', async () => {
    const t = await fileTracker('fail');
    let id = '';
    await expect(
      t.withRun({ runName: 'boom' }, async (run) => {
        id = run.runId;
        throw new Error('no data');
      }),
    ).rejects.toThrow('no data');
    expect((await t.getRun(id))!.info.status).toBe('FAILED');
    const run = await t.startRun({ runName: 'k' });
    await run.end('KILLED');
    await run.end('FINISHED'); // a second end is a no-op
    expect((await t.getRun(run.runId))!.info.status).toBe('KILLED');
  });
});

describe('hostile and bad input', () => {
  it('keys that would escape the run folder or are not MLflow names are rejected, and nothing is written for them', async () => {
    const t = await fileTracker('hostile');
    const run = await t.startRun({ runName: 'h' });
    for (const key of [
      '../../../escape',
      '/abs',
      'a//b',
      'a/',
      '.',
      '..',
      'a/../b',
      'new\nline',
      'semi;colon',
      '',
      'x'.repeat(251),
    ]) {
      await expect(run.logParams({ [key]: 1 })).rejects.toThrow(/invalid param name/);
      await expect(run.logMetrics({ [key]: 1 })).rejects.toThrow(/invalid metric name/);
      await expect(run.setTags({ [key]: 'v' })).rejects.toThrow(/invalid tag name/);
    }
    await expect(run.logArtifact(join(dir, 'missing.txt'))).rejects.toThrow(/does not exist/);
    await writeFile(join(dir, 'f.txt'), 'x');
    await expect(run.logArtifact(join(dir, 'f.txt'), '../../outside')).rejects.toThrow(
      /invalid artifact path/,
    );
    expect((await files(dir)).filter((f) => !f.startsWith('mlruns/') && f !== 'f.txt')).toEqual([]);
    // Unicode names and colons are valid MLflow names.
    await run.logMetrics({ 'précision:macro': 0.5, 'a b/c-d.e_f': 1 });
    await expect(run.logParams({ long: 'x'.repeat(6001) })).rejects.toThrow(/at most 6000/);
    await expect(run.logMetrics({ bad: 'high' as unknown as number })).rejects.toThrow(/must be a number/);
    await expect(run.logMetrics({ ok: 1 }, { step: 1.5 })).rejects.toThrow(/step must be an integer/);
  });

  it('an unsupported tracking URI scheme is a clear bad-input error', async () => {
    await expect(
      createTracker({ trackingUri: 'sqlite:///mlflow.db', experimentName: 'x', env: {} }),
    ).rejects.toThrow(/unsupported MLflow tracking URI 'sqlite:\/\/\/mlflow.db'/);
    await expect(createTracker({ experimentName: '  ', env: {} })).rejects.toThrow(
      /experiment name is required/,
    );
  });

  it('a malformed meta.yaml or metric file in the store does not break listing other runs', async () => {
    const t = await fileTracker('robust');
    const good = await t.startRun({ runName: 'good' });
    await good.end();
    const exp = (await t.experiment())!;
    await mkdir(join(dir, 'mlruns', exp.experimentId, 'garbage'));
    await writeFile(join(dir, 'mlruns', exp.experimentId, 'garbage', 'meta.yaml'), ':::\n- [');
    await mkdir(join(dir, 'mlruns', 'not-an-experiment'));
    expect((await t.searchRuns()).map((r) => r.info.runName)).toEqual(['good']);
  });
});

describe('configuration', () => {
  it('MLFLOW_TRACKING_URI wins over the caller URI; MLFLOW_EXPERIMENT_NAME over the caller name', async () => {
    const envRoot = join(dir, 'from-env');
    const t = await createTracker({
      trackingUri: `file:${join(dir, 'from-params')}`,
      experimentName: 'params-name',
      env: { MLFLOW_TRACKING_URI: `file://${envRoot}`, MLFLOW_EXPERIMENT_NAME: 'env-name' },
    });
    expect(t.trackingUri).toBe(`file://${envRoot}`);
    expect(t.experimentName).toBe('env-name');
    await (await t.startRun({ runName: 'r' })).end();
    expect((await new FileStore(envRoot).listExperiments()).map((e) => e.name)).toContain('env-name');
    await expect(stat(join(dir, 'from-params'))).rejects.toThrow();
  });

  it('enabled: false gives a tracker that writes nothing but still rejects bad names', async () => {
    const t = await fileTracker('off', { enabled: false });
    expect(t.backend).toBe('disabled');
    await t.withRun({ runName: 'r' }, async (run) => {
      await run.logParams({ a: 1 });
      await run.logMetrics({ m: 1 });
      await run.logArtifact(join(dir, 'whatever'));
      await expect(run.logParams({ '../x': 1 })).rejects.toThrow(/invalid param name/);
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
