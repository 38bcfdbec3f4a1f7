// Tracking bench: throughput of the file store and of the REST client (against a minimal loopback server that
// answers like MLflow), measured in one run on this machine. Writes benchmarks/tracking.json (workspace root).
import { createServer } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTracker, FileStore } from '../dist/index.js';

const dir = await mkdtemp(join(tmpdir(), 'trk-bench-'));
const out = {};
const t0 = () => performance.now();

// 1. The EDA run shape: 9 params, 4 metrics, 3 artifacts (~0.3 MB): ms per run.
{
  await writeFile(join(dir, 'clean.csv'), 'x'.repeat(300_000));
  const tracker = await createTracker({
    trackingUri: `file:${join(dir, 'eda')}`,
    experimentName: 'eda',
    env: {},
  });
  await (await tracker.startRun({ runName: 'warmup' })).end();
  const n = 50;
  const start = t0();
  for (let i = 0; i < n; i++)
    await tracker.withRun({ runName: 'eda_data_cleaning' }, async (run) => {
      await run.logParams({
        input_rows: 2153,
        input_columns: 18,
        input_missing: 620,
        output_rows: 2153,
        output_columns: 17,
        output_missing: 0,
        a: 1,
        b: 2,
        c: 3,
      });
      await run.logMetrics({
        rows_preserved_pct: 100,
        out_of_range_corrected: 165,
        missing_imputed: 454,
        duplicate_rows: 49,
      });
      await run.logArtifact(join(dir, 'clean.csv'));
      await run.logArtifact(join(dir, 'clean.csv'), 'profile');
    });
  out.file_eda_run_ms = +((t0() - start) / n).toFixed(2);
}

// 2. The ML stage shape: 5 model runs × (20 params, 5 CV folds, 8 metrics) + per-epoch curve of 200 points.
{
  const tracker = await createTracker({
    trackingUri: `file:${join(dir, 'ml')}`,
    experimentName: 'ml',
    env: {},
  });
  const start = t0();
  for (let m = 0; m < 5; m++)
    await tracker.withRun({ runName: `model_${m}` }, async (run) => {
      await run.logParams(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`clf.p${i}`, i * 0.1])));
      await run.logMetricPoints(
        Array.from({ length: 5 }, (_, f) => ({ key: 'cv/f1_weighted', value: 0.9 + f / 100, step: f })),
      );
      await run.logMetricPoints(
        Array.from({ length: 200 }, (_, e) => ({ key: 'train/loss', value: 1 / (e + 1), step: e })),
      );
      await run.logMetrics({
        test_accuracy: 0.97,
        f1: 0.96,
        precision: 0.96,
        recall: 0.96,
        train_score: 1,
        gap: 0.03,
        cv_mean: 0.95,
        cv_std: 0.01,
      });
    });
  out.file_ml_5_model_runs_ms = +(t0() - start).toFixed(1);
}

// 3. Metric append throughput: 100,000 points in batches of 1000 into one run.
{
  const store = new FileStore(join(dir, 'pts'));
  const exp = await store.getOrCreateExperiment('pts');
  const run = await store.createRun({
    experimentId: exp.experimentId,
    runName: 'r',
    userId: 'b',
    startTime: Date.now(),
    tags: [],
  });
  const start = t0();
  for (let b = 0; b < 100; b++)
    await store.logBatch(run.runId, {
      metrics: Array.from({ length: 1000 }, (_, i) => ({
        key: `m${i % 10}`,
        value: Math.random(),
        timestamp: Date.now(),
        step: b * 100 + Math.floor(i / 10),
      })),
    });
  const s = (t0() - start) / 1000;
  out.file_metric_points_per_s = Math.round(100_000 / s);
  const readStart = t0();
  const rec = await store.getRun(run.runId);
  out.file_read_run_100k_points_ms = +(t0() - readStart).toFixed(1);
  if (Object.keys(rec.metrics).length !== 10) throw new Error('bench: metrics lost');
}

// 4. REST: the same 100,000 points through runs/log-batch to a loopback server (chunked to 1000 per call).
{
  let calls = 0;
  let points = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls++;
      res.setHeader('Content-Type', 'application/json');
      if (req.url.startsWith('/api/2.0/mlflow/experiments/get-by-name'))
        return res.end(
          JSON.stringify({
            experiment: {
              experiment_id: '1',
              name: 'b',
              lifecycle_stage: 'active',
              artifact_location: 'mlflow-artifacts:/1',
            },
          }),
        );
      if (req.url === '/api/2.0/mlflow/runs/create')
        return res.end(
          JSON.stringify({
            run: {
              info: {
                run_id: 'r1',
                experiment_id: '1',
                status: 'RUNNING',
                artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
              },
            },
          }),
        );
      if (req.url === '/api/2.0/mlflow/runs/log-batch') points += JSON.parse(body).metrics?.length ?? 0;
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const tracker = await createTracker({ experimentName: 'b', env: { MLFLOW_TRACKING_URI: url } });
  const run = await tracker.startRun({ runName: 'r' });
  calls = 0;
  const start = t0();
  for (let b = 0; b < 10; b++)
    await run.logMetricPoints(
      Array.from({ length: 10_000 }, (_, i) => ({
        key: `m${i % 10}`,
        value: Math.random(),
        step: b * 1000 + Math.floor(i / 10),
      })),
    );
  const s = (t0() - start) / 1000;
  out.rest_metric_points_per_s = Math.round(100_000 / s);
  out.rest_log_batch_calls_for_100k_points = calls;
  if (points !== 100_000) throw new Error(`bench: server got ${points} points`);
  server.close();
}

// 5. Contention: 4 processes logging 8 runs each into one store at once (plus 1,000 points each to one shared run),
//    next to 1 process logging 32 runs (plus its 1,000 shared points). Wall time includes process start-up.
{
  const writer = fileURLToPath(new URL('../tests/concurrent-writer.mjs', import.meta.url));
  const root = join(dir, 'conc');
  const store = new FileStore(root);
  const exp = await store.getOrCreateExperiment('shared');
  const shared = await store.createRun({
    experimentId: exp.experimentId,
    runName: 's',
    userId: 'b',
    startTime: Date.now(),
    tags: [],
  });
  const runChildren = async (n, runs) => {
    const startAt = String(Date.now() + 300);
    const start = t0();
    await Promise.all(
      Array.from(
        { length: n },
        (_, w) =>
          new Promise((resolve, reject) => {
            const c = spawn(
              process.execPath,
              [writer, root, `exp${n}`, String(w), String(runs), shared.runId, startAt],
              { stdio: 'ignore' },
            );
            c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exit ${code}`))));
          }),
      ),
    );
    return t0() - start - 300;
  };
  const one = await runChildren(1, 32);
  const four = await runChildren(4, 8);
  // Each writer also appends 1,000 points to the shared run, so 4 writers do 4x that part: not a speedup figure.
  out.file_1_writer_32_runs_ms = Math.round(one);
  out.file_4_writers_8_runs_each_ms = Math.round(four);
}

await rm(dir, { recursive: true, force: true });
const result = { package: '@mlops/tracking', node: process.version, date: new Date().toISOString(), ...out };
await mkdir('benchmarks', { recursive: true });
await writeFile('benchmarks/tracking.json', JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
