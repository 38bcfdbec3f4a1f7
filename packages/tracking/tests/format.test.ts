/**
 * FileStore format, checked against fixtures written by tests/fixtures/make_fixtures.py: the same PyYAML call
 * (mlflow.utils.file_utils.write_yaml) and metric-line f-string (FileStore._log_run_metric) that MLflow uses,
 * on the dicts MLflow builds (_make_persisted_run_info_dict, dict(Experiment) minus tags).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dumpPyYaml,
  experimentIdForName,
  experimentMetaYaml,
  FileStore,
  formatMetricLine,
  latestMetric,
  parseExperimentMeta,
  parseMetricFile,
  parseMetricLine,
  parseRunMeta,
  runMetaYaml,
  type RunInfo,
} from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const store = `${fixtures}mlflow-filestore/`;
const EXP = '271828182845904523';
const RF = '0b5e8d3e6c1b4a3f9e2d7c6b5a493827';
const read = (p: string) => readFile(p, 'utf8');

describe('meta.yaml, byte for byte as MLflow writes it', () => {
  it('experiment meta.yaml (including the quoted id of the Default experiment)', async () => {
    for (const [id, name, t] of [
      ['0', 'Default', 1700000000000],
      [EXP, 'Clasificacion_Niveles_Obesidad', 1700000001000],
    ] as const) {
      const ours = experimentMetaYaml({
        experimentId: id,
        name,
        artifactLocation: `file:///data/mlruns/${id}`,
        lifecycleStage: 'active',
        creationTime: t,
        lastUpdateTime: t,
      });
      expect(ours).toBe(await read(`${store}${id}/meta.yaml`));
    }
  });

  const info = (over: Partial<RunInfo>): RunInfo => ({
    runId: RF,
    runName: 'RandomForest_Baseline',
    experimentId: EXP,
    userId: 'mlops',
    status: 'FINISHED',
    startTime: 1700000002000,
    endTime: 1700000009000,
    artifactUri: `file:///data/mlruns/${EXP}/${RF}/artifacts`,
    lifecycleStage: 'active',
    ...over,
  });

  it('run meta.yaml after the run ended (status FINISHED=3, FAILED=4, legacy keys, no deleted_time)', async () => {
    expect(runMetaYaml(info({}))).toBe(await read(`${store}${EXP}/${RF}/meta.yaml`));
    const knn = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    expect(
      runMetaYaml(
        info({
          runId: knn,
          runName: 'KNN',
          status: 'FAILED',
          startTime: 1700000010000,
          endTime: 1700000011000,
          artifactUri: `file:///data/mlruns/${EXP}/${knn}/artifacts`,
        }),
      ),
    ).toBe(await read(`${store}${EXP}/${knn}/meta.yaml`));
  });

  it('run meta.yaml as create_run first writes it (RUNNING=1, end_time null, deleted_time null)', async () => {
    const id = 'aaaabbbbccccddddeeeeffff00001111';
    const ours = runMetaYaml(
      info({
        runId: id,
        runName: 'still_running',
        status: 'RUNNING',
        startTime: 1700000012000,
        endTime: null,
        artifactUri: `file:///data/mlruns/${EXP}/${id}/artifacts`,
      }),
      { withDeletedTime: true },
    );
    expect(ours).toBe(await read(`${fixtures}meta-created/meta.yaml`));
  });

  it('names that YAML would misread are quoted, and read back unchanged', () => {
    for (const name of ['123', 'true', 'null', 'a: b', '- x', "it's", '#tag', 'ünïcode name', '1e5', '']) {
      const text = experimentMetaYaml({
        experimentId: '5',
        name,
        artifactLocation: 'file:///x/5',
        lifecycleStage: 'active',
        creationTime: 1,
        lastUpdateTime: 1,
      });
      expect(parseExperimentMeta(text).name).toBe(name);
    }
  });

  it('reads legacy meta.yaml: integer experiment_id, no lifecycle_stage, no status', () => {
    const exp = parseExperimentMeta('artifact_location: /old/mlruns/1\nexperiment_id: 1\nname: old\n');
    expect(exp).toMatchObject({ experimentId: '1', name: 'old', lifecycleStage: 'active' });
    const run = parseRunMeta(
      'experiment_id: 1\nrun_uuid: abc\nuser_id: u\nstart_time: 5\nartifact_uri: /x\n',
    );
    expect(run).toMatchObject({
      runId: 'abc',
      experimentId: '1',
      status: 'RUNNING',
      lifecycleStage: 'active',
    });
  });
});

describe('metric lines: "<timestamp_ms> <value> <step>" with Python repr floats', () => {
  const cases: Array<[string, number, number, number]> = [
    ['test_accuracy', 0.9574468085106383, 1700000008000, 0],
    ['rf_f1_weighted', 0.9573, 1700000008000, 0],
    ['train_score', 1.0, 1700000008000, 0],
    ['gap_overfitting', 0.04255319148936165, 1700000008000, 0],
    ['weird', NaN, 1700000006000, 0],
    ['big', 1e16, 1700000006000, 0],
    ['tiny', 1e-5, 1700000006000, 0],
    ['neg_inf', -Infinity, 1700000006000, 0],
    ['sum', 0.1 + 0.2, 1700000006000, 0],
  ];
  it.each(cases)('%s is written as MLflow writes it', async (key, value, timestamp, step) => {
    const file = await read(`${store}${EXP}/${RF}/metrics/${key}`);
    expect(formatMetricLine({ value, timestamp, step })).toBe(file);
    const [parsed] = parseMetricFile(key, file);
    expect(parsed!.timestamp).toBe(timestamp);
    expect(Number.isNaN(value) ? Number.isNaN(parsed!.value) : parsed!.value).toBe(
      Number.isNaN(value) ? true : value,
    );
  });

  it('a key with "/" is a sub-folder; history keeps every point; the latest is max (step, timestamp, value)', async () => {
    const history = parseMetricFile('cv/fold_f1', await read(`${store}${EXP}/${RF}/metrics/cv/fold_f1`));
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [0, 0.95],
      [1, 0.96],
      [2, 0.94],
    ]);
    expect(latestMetric(history)!.value).toBe(0.94); // highest step wins, not the highest value
    expect(
      latestMetric([
        { key: 'k', value: 1, timestamp: 5, step: 0 },
        { key: 'k', value: 3, timestamp: 5, step: 0 },
        { key: 'k', value: 2, timestamp: 4, step: 0 },
      ])!.value,
    ).toBe(3);
  });

  it('reads 2-field lines (step 0) and rejects malformed ones', () => {
    expect(parseMetricLine('m', '1700000000000 0.5')).toEqual({
      key: 'm',
      timestamp: 1700000000000,
      value: 0.5,
      step: 0,
    });
    expect(parseMetricLine('m', '1 inf 3\n').value).toBe(Infinity);
    expect(() => parseMetricLine('m', '1 2 3 4')).toThrow(/malformed/);
    expect(() => parseMetricLine('m', '1 abc 0')).toThrow();
  });
});

describe('reading a store MLflow wrote', () => {
  const fs = new FileStore(store);

  it('lists experiments (skipping .trash) and finds one by name', async () => {
    const exps = await fs.listExperiments();
    expect(exps.map((e) => e.name).sort()).toEqual(['Clasificacion_Niveles_Obesidad', 'Default']);
    expect((await fs.getExperimentByName('Clasificacion_Niveles_Obesidad'))!.experimentId).toBe(EXP);
  });

  it('returns runs with params as raw text, latest metrics and tags', async () => {
    const runs = await fs.searchRuns(EXP);
    expect(runs.map((r) => r.info.runName)).toEqual(['still_running', 'KNN', 'RandomForest_Baseline']);
    const rf = runs.find((r) => r.info.runId === RF)!;
    expect(rf.info.status).toBe('FINISHED');
    expect(rf.params).toMatchObject({
      n_estimators: '200',
      smote_applied: 'False',
      max_samples: 'None',
      ccp_alpha: '0.0',
      min_impurity_decrease: '1e-05',
    });
    expect(rf.metrics['cv/fold_f1']).toBe(0.94);
    expect(rf.metrics['weird']).toBeNaN();
    expect(rf.tags['mlflow.source.name']).toBe('scripts/run_ml.py');
    expect((await fs.getRun('9f8e7d6c5b4a39281706f5e4d3c2b1a0'))!.info.status).toBe('FAILED');
    expect(await fs.getRun('ffffffffffffffffffffffffffffffff')).toBeUndefined();
    expect(await fs.getRun('../../etc')).toBeUndefined();
  });
});

describe('experiment ids', () => {
  it('have the shape of _generate_unique_integer_id: 18 digits, no leading zero; stable per name', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = experimentIdForName(`exp-${i}`);
      expect(id).toMatch(/^[1-9]\d{17}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(experimentIdForName('obesity-eda-refactored')).toBe(experimentIdForName('obesity-eda-refactored'));
    expect(experimentIdForName('a', 1)).not.toBe(experimentIdForName('a', 0));
  });
});

describe('the meta.yaml dump against PyYAML (tests/fixtures/pyyaml-scalars.json, make_pyyaml_scalars.py)', () => {
  // Values `yaml` quotes where PyYAML writes them plain: harmless (both read back the same string), and the reason
  // tracking keeps `yaml` instead of core's js-yaml: js-yaml writes 1_000 plain (PyYAML reads an int), folds
  // nothing PyYAML folds, and quotes y/n/Y/N too (11 of 64 values differed from PyYAML with js-yaml, 19 of 78 with
  // `yaml` in its default YAML 1.2 mode).
  const OVER_QUOTED = new Set(['1e3', '1.5e3', 'Y', 'y', 'n', 'N']);
  it('is byte-identical to PyYAML for every value but the over-quoted ones', async () => {
    const golden = JSON.parse(
      await readFile(new URL('./fixtures/pyyaml-scalars.json', import.meta.url), 'utf8'),
    ) as {
      cases: { value: unknown; dump: string }[];
    };
    const differing: unknown[] = [];
    for (const c of golden.cases) {
      const ours = dumpPyYaml({ k: c.value });
      if (ours !== c.dump) differing.push(c.value);
      if (typeof c.value === 'string' && OVER_QUOTED.has(c.value)) expect(ours).toBe(`k: '${c.value}'\n`);
    }
    expect(differing.sort()).toEqual([...OVER_QUOTED].sort());
  });
});
