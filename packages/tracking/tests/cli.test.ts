import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracker } from '../src/index.js';
import { MlflowEmulator } from './mlflow-emulator.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixtureStore = fileURLToPath(new URL('./fixtures/mlflow-filestore/', import.meta.url));
const RF = '0b5e8d3e6c1b4a3f9e2d7c6b5a493827';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trk-cli-'));
  await cp(fixtureStore, join(dir, 'mlruns'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    for (const k of Object.keys(clean)) if (k.startsWith('MLFLOW_')) delete clean[k];
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...clean, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe.skipIf(!existsSync(cli))('mlops-runs over a file store MLflow wrote', () => {
  it('list shows the experiments with their run counts', async () => {
    const r = await run(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/271828182845904523\s+Clasificacion_Niveles_Obesidad\s+3/);
    expect(r.out).toMatch(/^0\s+Default\s+0/m);
  });

  it('list --experiment shows runs; --json is parseable', async () => {
    const r = await run(['list', '--experiment', 'Clasificacion_Niveles_Obesidad', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { runs: Array<{ info: { runName: string; status: string } }> };
    expect(json.runs.map((x) => [x.info.runName, x.info.status])).toEqual([
      ['still_running', 'RUNNING'],
      ['KNN', 'FAILED'],
      ['RandomForest_Baseline', 'FINISHED'],
    ]);
  });

  it('compare ranks best first by the accuracy/f1 metric most runs share', async () => {
    const r = await run(['compare', '--experiment', 'Clasificacion_Niveles_Obesidad']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('ranked by test_accuracy (higher is better)');
    const rows = r.out.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    expect(rows[0]).toMatch(/^1\s+RandomForest_Baseline\s+0b5e8d3e\s+FINISHED\s+0\.9574/);
    expect(rows[1]).toMatch(/^2\s+KNN/);
    expect(rows[2]).toMatch(/^3\s+still_running .* -$/); // no metric: last
  });

  it('compare --metric on a loss-like metric ranks ascending; --json carries rank and order', async () => {
    const r = await run([
      'compare',
      '--experiment',
      'Clasificacion_Niveles_Obesidad',
      '--metric',
      'gap_overfitting',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      metric: string;
      order: string;
      runs: Array<{ rank: number; info: { runName: string } }>;
    };
    expect(json).toMatchObject({ metric: 'gap_overfitting', order: 'ascending' });
    expect(json.runs[0]).toMatchObject({ rank: 1, info: { runName: 'RandomForest_Baseline' } });
  });

  it('show prints params, metrics and tags of a run', async () => {
    const r = await run(['show', RF]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('run_name:      RandomForest_Baseline');
    expect(r.out).toMatch(/max_samples\s+None/);
    expect(r.out).toMatch(/cv\/fold_f1\s+0\.94/);
    expect(r.out).toMatch(/mlflow\.source\.name\s+scripts\/run_ml\.py/);
  });

  it('exit 2 with a clear line for an unknown run id, experiment, command or option', async () => {
    const unknownRun = await run(['show', 'deadbeef']);
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.err).toBe("mlops-runs: error: run 'deadbeef' not found at file:./mlruns\n");
    const unknownExp = await run(['compare', '--experiment', 'nope']);
    expect(unknownExp.code).toBe(2);
    expect(unknownExp.err).toContain("experiment 'nope' not found");
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['list', '--bogus'])).code).toBe(2);
    expect(
      (await run(['compare', '--experiment', 'Clasificacion_Niveles_Obesidad', '--metric', 'nope'])).code,
    ).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: mlops-runs');
  });

  it('--tracking-uri beats MLFLOW_TRACKING_URI; a params file supplies the experiment name', async () => {
    await writeFile(
      join(dir, 'p.yaml'),
      'mlflow:\n  experiment_name: Clasificacion_Niveles_Obesidad\n  tracking_uri: file:./nowhere\n',
    );
    const r = await run(['compare', '--params', 'p.yaml', '--tracking-uri', `file:${join(dir, 'mlruns')}`], {
      MLFLOW_TRACKING_URI: 'file:./also-nowhere',
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1\s+RandomForest_Baseline/m);
  });
});

describe.skipIf(!existsSync(cli))('mlops-runs over an MLflow server', () => {
  let server: MlflowEmulator;
  beforeAll(async () => {
    server = new MlflowEmulator();
    await server.start();
    const t = await createTracker({ experimentName: 'remote', env: { MLFLOW_TRACKING_URI: server.url } });
    for (const [name, f1] of [
      ['a', 0.91],
      ['b', 0.97],
      ['c', 0.88],
    ] as const)
      await t.withRun({ runName: name }, (r) => r.logMetrics({ cv_f1_weighted: f1, test_accuracy: 0.5 }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('compare via MLFLOW_TRACKING_URI picks the f1 metric and ranks b, a, c', async () => {
    const r = await run(['compare', '--experiment', 'remote'], { MLFLOW_TRACKING_URI: server.url });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('ranked by cv_f1_weighted');
    const names = r.out
      .split('\n')
      .filter((l) => /^\d+\s/.test(l))
      .map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual(['b', 'a', 'c']);
    expect(server.violations).toEqual([]);
  });

  it('an unknown run id on the server is exit 2', async () => {
    const r = await run(['show', 'f'.repeat(32), '--tracking-uri', server.url]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`run '${'f'.repeat(32)}' not found at ${server.url}`);
  });
});
