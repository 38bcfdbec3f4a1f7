/**
 * Compatibility with the real MLflow 2.17, both ways and on both backends: real MLflow reads every kind of run our
 * stages write (params, metric histories with steps, NaN/inf, tags, nested runs, nested artifacts), to a file store
 * and to a real server; our readers read what real MLflow writes, deleted runs and experiments included.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mlops/core';
import { createTracker, FileStore, RestStore, type Tracker } from '../src/index.js';
import { hasMlflow, mlflowPython, skipReason, startMlflowServer, type MlflowServer } from './real-mlflow.js';

if (!hasMlflow) console.warn(skipReason);
const quiet = createLogger({ name: 't', level: 'silent' });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a training stage writes: a parent run and child runs with CV fold curves, NaN, tags and a model folder. */
async function writeTrainingRuns(
  tracker: Tracker,
  modelDir: string,
): Promise<{ parent: string; children: string[] }> {
  await mkdir(join(modelDir, 'sub'), { recursive: true });
  await writeFile(join(modelDir, 'model_bundle.json'), '{"schema_version":1}\n');
  await writeFile(join(modelDir, 'sub', 'weights.bin'), Buffer.from([0, 1, 2, 255]));
  const children: string[] = [];
  let parent = '';
  await tracker.withRun({ runName: 'train', tags: { 'mlops.stage': 'train' } }, async (p) => {
    parent = p.runId;
    await p.logParams({ models: { algorithms: 'random_forest,xgboost' }, cv_folds: 5 });
    for (const name of ['RandomForest_Baseline', 'XGBoost_Simple']) {
      await tracker.withRun({ runName: name, parentRunId: p.runId }, async (c) => {
        children.push(c.runId);
        await c.logParams({ model_type: name, max_depth: 10, note: 'x'.repeat(600) });
        await c.logMetricPoints(
          [0.9, 0.92, 0.95, 0.91, 0.93].map((value, step) => ({ key: 'cv_f1_weighted', value, step })),
        );
        await c.logMetrics({ test_accuracy: 0.97, log_loss: Number.NaN, ratio: Number.POSITIVE_INFINITY });
      });
    }
    await p.logMetrics({ best_cv_score: 0.95 });
    await p.logArtifact(modelDir, 'model');
  });
  return { parent, children };
}

const READ_BACK = (experiment: string) => `
import json, math
from mlflow.tracking import MlflowClient
c = MlflowClient()
exp = c.get_experiment_by_name(${JSON.stringify(experiment)})
runs = c.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"])
out = []
for r in runs:
    hist = c.get_metric_history(r.info.run_id, "cv_f1_weighted")
    arts = sorted(a.path for a in c.list_artifacts(r.info.run_id, "model")) if r.info.run_name == "train" else []
    sub = sorted(a.path for a in c.list_artifacts(r.info.run_id, "model/sub")) if r.info.run_name == "train" else []
    out.append({
        "name": r.info.run_name, "status": r.info.status,
        "parent": r.data.tags.get("mlflow.parentRunId"),
        "params": {k: v for k, v in r.data.params.items() if k in ("model_type", "max_depth", "cv_folds", "models.algorithms")},
        "note_len": len(r.data.params.get("note", "")),
        "metrics": {k: (str(v) if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v) for k, v in r.data.metrics.items()},
        "history": [[m.step, m.value] for m in sorted(hist, key=lambda m: m.step)],
        "artifacts": arts + sub,
    })
print(json.dumps({"runs": out}))
`;

function expectTrainingRunsRead(stdout: string, parent: string): void {
  const { runs } = JSON.parse(stdout);
  const byName = Object.fromEntries(runs.map((r: { name: string }) => [r.name, r]));
  expect(Object.keys(byName).sort()).toEqual(['RandomForest_Baseline', 'XGBoost_Simple', 'train']);
  expect(byName.train.status).toBe('FINISHED');
  expect(byName.train.params).toEqual({ cv_folds: '5', 'models.algorithms': 'random_forest,xgboost' });
  expect(byName.train.metrics).toEqual({ best_cv_score: 0.95 });
  expect(byName.train.artifacts).toEqual(['model/model_bundle.json', 'model/sub', 'model/sub/weights.bin']);
  for (const name of ['RandomForest_Baseline', 'XGBoost_Simple']) {
    const child = byName[name];
    expect(child.parent).toBe(parent);
    expect(child.params).toEqual({ model_type: name, max_depth: '10' });
    expect(child.note_len).toBe(600);
    expect(child.metrics).toEqual({
      cv_f1_weighted: 0.93,
      test_accuracy: 0.97,
      log_loss: 'nan',
      ratio: 'inf',
    });
    expect(child.history).toEqual([
      [0, 0.9],
      [1, 0.92],
      [2, 0.95],
      [3, 0.91],
      [4, 0.93],
    ]);
  }
}

describe.skipIf(!hasMlflow)('real MLflow reads what we write', () => {
  it('to a file store: nested training runs, fold curves, NaN/inf, long params, nested artifacts', async () => {
    const root = join(dir, 'ours-file/mlruns');
    const tracker = await createTracker({
      trackingUri: `file:${root}`,
      experimentName: 'compat',
      env: {},
      logger: quiet,
    });
    const { parent } = await writeTrainingRuns(tracker, join(dir, 'ours-file/model'));
    expectTrainingRunsRead(
      mlflowPython(READ_BACK('compat'), { MLFLOW_TRACKING_URI: `file:${root}` }),
      parent,
    );
  }, 300_000);

  describe('a real server', () => {
    let server: MlflowServer;
    beforeAll(async () => {
      server = await startMlflowServer(join(dir, 'server'));
    }, 180_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('the same runs logged over REST, artifacts through the proxy', async () => {
      const tracker = await createTracker({
        trackingUri: server.url,
        experimentName: 'compat',
        env: {},
        logger: quiet,
      });
      const { parent } = await writeTrainingRuns(tracker, join(dir, 'ours-rest/model'));
      expectTrainingRunsRead(mlflowPython(READ_BACK('compat'), { MLFLOW_TRACKING_URI: server.url }), parent);
    }, 300_000);

    it('our REST reader reads runs real MLflow logged, and skips deleted ones as MLflow lists them', async () => {
      const ids = JSON.parse(
        mlflowPython(
          `
import json, mlflow
from mlflow.tracking import MlflowClient
c = MlflowClient()
e = c.create_experiment("theirs")
with mlflow.start_run(experiment_id=e, run_name="outer") as p:
    mlflow.log_param("a", 1)
    mlflow.log_metric("m", 0.5, step=0); mlflow.log_metric("m", 0.7, step=1)
    with mlflow.start_run(experiment_id=e, run_name="inner", nested=True) as ch:
        mlflow.set_tag("k", "v")
gone = c.create_run(e, run_name="gone"); c.delete_run(gone.info.run_id)
print(json.dumps({"outer": p.info.run_id, "inner": ch.info.run_id, "gone": gone.info.run_id}))
`,
          { MLFLOW_TRACKING_URI: server.url },
        ),
      );
      const store = new RestStore(server.url, { maxRetries: 0 });
      const exp = await store.getExperimentByName('theirs');
      const runs = await store.searchRuns(exp!.experimentId);
      expect(runs.map((r) => r.info.runName).sort()).toEqual(['inner', 'outer']);
      const outer = runs.find((r) => r.info.runId === ids.outer)!;
      expect([outer.params, outer.metrics, outer.info.status]).toEqual([{ a: '1' }, { m: 0.7 }, 'FINISHED']);
      expect(runs.find((r) => r.info.runId === ids.inner)!.tags['mlflow.parentRunId']).toBe(ids.outer);
      expect((await store.getMetricHistory(ids.outer, 'm')).map((m) => m.value)).toEqual([0.5, 0.7]);
    }, 300_000);
  });
});

describe.skipIf(!hasMlflow)('we read what real MLflow writes to a file store', () => {
  it('nested runs, metric histories, deleted runs and experiments', async () => {
    const root = join(dir, 'theirs-file/mlruns');
    const ids = JSON.parse(
      mlflowPython(
        `
import json, mlflow
from mlflow.tracking import MlflowClient
c = MlflowClient()
e = c.create_experiment("kept")
with mlflow.start_run(experiment_id=e, run_name="outer") as p:
    mlflow.log_params({"a": 1, "b": "x"})
    for s, v in enumerate([0.1, 0.3, 0.2]): mlflow.log_metric("loss", v, step=s)
    with mlflow.start_run(experiment_id=e, run_name="inner", nested=True) as ch:
        mlflow.log_metric("acc", 0.9)
gone = c.create_run(e, run_name="gone"); c.delete_run(gone.info.run_id)
d = c.create_experiment("dropped"); c.delete_experiment(d)
print(json.dumps({"outer": p.info.run_id, "inner": ch.info.run_id, "exp": e}))
`,
        { MLFLOW_TRACKING_URI: `file:${root}` },
      ),
    );
    const store = new FileStore(root);
    const names = (await store.listExperiments())
      .filter((e) => e.lifecycleStage === 'active')
      .map((e) => e.name);
    expect(names.sort()).toEqual(['Default', 'kept']);
    const runs = await store.searchRuns(ids.exp);
    expect(runs.map((r) => r.info.runName).sort()).toEqual(['inner', 'outer']);
    const outer = runs.find((r) => r.info.runId === ids.outer)!;
    expect(outer.params).toEqual({ a: '1', b: 'x' });
    expect(outer.metrics).toEqual({ loss: 0.2 });
    expect((await store.getMetricHistory(ids.outer, 'loss')).map((m) => [m.step, m.value])).toEqual([
      [0, 0.1],
      [1, 0.3],
      [2, 0.2],
    ]);
    expect(runs.find((r) => r.info.runId === ids.inner)!.tags['mlflow.parentRunId']).toBe(ids.outer);
    // a deleted experiment's name is not reused by our tracker (MLflow refuses it too)
    await expect(
      createTracker({ trackingUri: `file:${root}`, experimentName: 'dropped', env: {}, logger: quiet }).then(
        (t) => t.experiment(),
      ),
    ).rejects.toThrow(/deleted/);
  }, 300_000);
});
