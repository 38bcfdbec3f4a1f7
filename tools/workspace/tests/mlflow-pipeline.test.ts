/**
 * The stages against a real MLflow 2.17 tracking server (../shared/tools/mlflow): eda and ml train log to it, and
 * real MLflow's client then lists the eda run, the parent training run with one child run per model, the registered
 * model version holding the champion alias, and downloads the bundle byte-identical to the one the stage wrote.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real-MLflow test harness lives with the tracking tests (one copy of how to start and stop the server).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  hasMlflow,
  mlflowPython,
  skipReason,
  startMlflowServer,
  type MlflowServer,
} from '../../../packages/tracking/tests/real-mlflow.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = (p: string) => join(root, p);
const built = ['tools/demo-data/dist/main.js', 'packages/eda/dist/main.js', 'packages/ml/dist/main.js'].every(
  (p) => existsSync(cli(p)),
);
if (!hasMlflow) console.warn(skipReason);
if (!built)
  console.warn(
    'SKIPPED the stages against a real MLflow server: build the CLIs first (npx nx run-many -t build)',
  );

describe.skipIf(!hasMlflow || !built)('the stages against a real MLflow server', () => {
  let server: MlflowServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlflow-pipeline-'));
    server = await startMlflowServer(join(dir, 'server'));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('eda and ml train log runs, register the bundle as the champion, and MLflow serves it back byte-identical', () => {
    const env = { ...process.env, MLFLOW_TRACKING_URI: server.url, LOG_LEVEL: 'WARNING' };
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    // one quick model: the wiring is under test here, not the model
    writeFileSync(
      join(dir, 'params.yaml'),
      'models:\n  algorithms: [logistic_regression, knn]\ntraining:\n  random_search_iterations: 0\n  importance_repeats: 1\n',
    );
    run([cli('tools/demo-data/dist/main.js'), '--rows', '600', '--out-dir', 'raw']);
    run([
      cli('packages/eda/dist/main.js'),
      '--params',
      'params.yaml',
      '--input',
      'raw/obesity_estimation_modified.csv',
      '--output',
      'clean.csv',
      '--profile',
      'profile',
      '--require-tracking',
    ]);
    run([
      cli('packages/ml/dist/main.js'),
      'train',
      '--params',
      'params.yaml',
      '--input',
      'clean.csv',
      '--output',
      'models',
      '--metrics',
      'metrics',
    ]);
    const seen = JSON.parse(
      mlflowPython(
        `
import json, os, tempfile
import mlflow
from mlflow.tracking import MlflowClient
c = MlflowClient()
def runs(name):
    e = c.get_experiment_by_name(name)
    return c.search_runs([e.experiment_id]) if e else []
eda = runs("obesity-eda-refactored")
train = runs("Clasificacion_Niveles_Obesidad")
parents = [r for r in train if "mlflow.parentRunId" not in r.data.tags]
children = [r for r in train if "mlflow.parentRunId" in r.data.tags]
v = c.get_model_version_by_alias("obesity-classifier", "champion")
out = tempfile.mkdtemp()
path = mlflow.artifacts.download_artifacts(artifact_uri="models:/obesity-classifier@champion", dst_path=out)
files = sorted(os.listdir(path))
print(json.dumps({
  "eda": [r.info.run_name for r in eda],
  "parents": [r.info.run_name for r in parents],
  "children": sorted(r.info.run_name for r in children),
  "children_parent": sorted(set(r.data.tags["mlflow.parentRunId"] for r in children)),
  "parent_id": parents[0].info.run_id if parents else None,
  "version": str(v.version), "version_run": v.run_id, "files": files,
  "bundle": open(os.path.join(path, "model_bundle.json")).read(),
}))
`,
        { MLFLOW_TRACKING_URI: server.url },
      ),
    );
    expect(seen.eda).toEqual(['eda_data_cleaning']);
    expect(seen.parents).toEqual(['dvc_pipeline_run']);
    expect(seen.children).toEqual(['KNN', 'LogisticRegression']);
    expect(seen.children_parent).toEqual([seen.parent_id]);
    expect([seen.version, seen.version_run]).toEqual(['1', seen.parent_id]);
    expect(seen.files).toEqual(expect.arrayContaining(['MLmodel', 'model_bundle.json']));
    expect(seen.bundle).toBe(readFileSync(join(dir, 'models/model_bundle.json'), 'utf8'));
  }, 600_000);
});
