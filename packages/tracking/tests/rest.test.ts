import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chunkBatch,
  createTracker,
  RestStore,
  resolveMlflowArtifactsUri,
  TrackingError,
  type Tracker,
} from '../src/index.js';
import { MlflowEmulator } from './mlflow-emulator.js';

let server: MlflowEmulator;
let dir: string;

beforeEach(async () => {
  server = new MlflowEmulator();
  await server.start();
  dir = await mkdtemp(join(tmpdir(), 'trk-rest-'));
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  // Every request the client sent must have been a valid MLflow request.
  expect(server.violations).toEqual([]);
});

const fast = { maxRetries: 4, backoffMs: 5, maxBackoffMs: 50 };

async function tracker(
  env: Record<string, string> = {},
  experimentName = 'obesity-eda-refactored',
): Promise<Tracker> {
  return createTracker({ experimentName, env: { MLFLOW_TRACKING_URI: server.url, ...env }, rest: fast });
}

describe('REST backend: experiments', () => {
  it('a 404 RESOURCE_DOES_NOT_EXIST on get-by-name leads to experiments/create, then runs go there', async () => {
    const t = await tracker();
    expect(t.backend).toBe('rest');
    const run = await t.startRun({ runName: 'eda_data_cleaning' });
    const gets = server.callsTo('GET /api/2.0/mlflow/experiments/get-by-name');
    expect(gets[0]!.status).toBe(404);
    expect(gets[0]!.query).toEqual({ experiment_name: 'obesity-eda-refactored' });
    const creates = server.callsTo('POST /api/2.0/mlflow/experiments/create');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toEqual({ name: 'obesity-eda-refactored' });
    const exp = [...server.experiments.values()].find((e) => e.name === 'obesity-eda-refactored')!;
    expect(run.experimentId).toBe(exp.experiment_id);
    const create = server.callsTo('POST /api/2.0/mlflow/runs/create')[0]!.body as Record<string, unknown>;
    expect(create['experiment_id']).toBe(exp.experiment_id);
    expect(create['run_name']).toBe('eda_data_cleaning');
    expect(typeof create['start_time']).toBe('number');
    const tags = Object.fromEntries(
      (create['tags'] as Array<{ key: string; value: string }>).map((x) => [x.key, x.value]),
    );
    expect(tags['mlflow.runName']).toBe('eda_data_cleaning');
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    expect(tags['mlflow.user']).toBeTruthy();
    await run.end();
    const update = server.callsTo('POST /api/2.0/mlflow/runs/update')[0]!.body as Record<string, unknown>;
    expect(update).toMatchObject({ run_id: run.runId, status: 'FINISHED' });
    expect(typeof update['end_time']).toBe('number');
  });

  it('an existing experiment is reused (no create); a create race (RESOURCE_ALREADY_EXISTS) re-reads it', async () => {
    const t1 = await tracker();
    await (await t1.startRun({ runName: 'a' })).end();
    const t2 = await tracker();
    await (await t2.startRun({ runName: 'b' })).end();
    expect(server.callsTo('POST /api/2.0/mlflow/experiments/create')).toHaveLength(1);

    // Race: get-by-name says absent, but another client creates it before our create.
    const store = new RestStore(server.url, fast);
    server.faults.push({
      endpoint: 'GET /api/2.0/mlflow/experiments/get-by-name',
      status: 404,
      body: JSON.stringify({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: "Could not find experiment with name 'raced'",
      }),
    });
    server.experiments.set('99', {
      experiment_id: '99',
      name: 'raced',
      artifact_location: 'mlflow-artifacts:/99',
      lifecycle_stage: 'active',
      creation_time: 1,
      last_update_time: 1,
    });
    const exp = await store.getOrCreateExperiment('raced');
    expect(exp.experimentId).toBe('99');
  });

  it('MLFLOW_EXPERIMENT_NAME overrides the experiment name given by the caller', async () => {
    const t = await tracker({ MLFLOW_EXPERIMENT_NAME: 'from-env' });
    expect(t.experimentName).toBe('from-env');
    await (await t.startRun({ runName: 'x' })).end();
    expect([...server.experiments.values()].map((e) => e.name)).toContain('from-env');
  });
});

describe('REST backend: log-batch chunking to MLflow limits', () => {
  it('chunkBatch keeps every request within 1000 metrics / 100 params / 100 tags / 1000 total, in order', () => {
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: 'loss',
      value: i,
      timestamp: 1,
      step: i,
    }));
    const chunks = chunkBatch({ params, tags, metrics });
    for (const c of chunks) {
      expect(c.params.length).toBeLessThanOrEqual(100);
      expect(c.tags.length).toBeLessThanOrEqual(100);
      expect(c.metrics.length).toBeLessThanOrEqual(1000);
      expect(c.params.length + c.tags.length + c.metrics.length).toBeLessThanOrEqual(1000);
    }
    expect(chunks.flatMap((c) => c.params).map((p) => p.key)).toEqual(params.map((p) => p.key));
    expect(chunks.flatMap((c) => c.tags).map((p) => p.key)).toEqual(tags.map((p) => p.key));
    expect(chunks.flatMap((c) => c.metrics).map((m) => m.step)).toEqual(metrics.map((m) => m.step));
    // 3 params chunks + 2 tag chunks share requests; 2500 metrics need at least 3 more.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
  });

  it('chunkBatch splits on the 1 MB body limit too (100 params of 6000 characters + 100 tags of 8000)', () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'x'.repeat(6000) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'y'.repeat(8000) }));
    const chunks = chunkBatch({ params, tags });
    expect(chunks.length).toBe(2);
    for (const c of chunks)
      expect(JSON.stringify({ run_id: 'r'.repeat(32), ...c }).length).toBeLessThan(1_000_000);
  });

  it('250 params go out as 3 log-batch calls (100 + 100 + 50) and all arrive', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'many_params' });
    const params: Record<string, number> = {};
    for (let i = 0; i < 250; i++) params[`param_${String(i).padStart(3, '0')}`] = i;
    await run.logParams(params);
    const batches = server.callsTo('POST /api/2.0/mlflow/runs/log-batch');
    expect(batches.map((c) => ((c.body as { params: unknown[] }).params ?? []).length)).toEqual([
      100, 100, 50,
    ]);
    expect(server.runs.get(run.runId)!.params.size).toBe(250);
  });

  it('2500 per-step metric points go out as 3 calls of at most 1000; NaN/Infinity are sent as proto JSON strings', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'curve' });
    const points = Array.from({ length: 2500 }, (_, step) => ({
      key: 'train/loss',
      value: 1 / (step + 1),
      step,
    }));
    await run.logMetricPoints(points);
    await run.logMetrics({ weird: NaN, up: Infinity, down: -Infinity });
    const batches = server.callsTo('POST /api/2.0/mlflow/runs/log-batch');
    expect(batches.slice(0, 3).map((c) => (c.body as { metrics: unknown[] }).metrics.length)).toEqual([
      1000, 1000, 500,
    ]);
    const last = (batches[3]!.body as { metrics: Array<{ key: string; value: unknown }> }).metrics;
    expect(Object.fromEntries(last.map((m) => [m.key, m.value]))).toEqual({
      weird: 'NaN',
      up: 'Infinity',
      down: '-Infinity',
    });
    const history = await t.getMetricHistory(run.runId, 'train/loss');
    expect(history).toHaveLength(2500);
    expect(history[2499]!.step).toBe(2499);
    const back = await t.getRun(run.runId);
    expect(back!.metrics['weird']).toBeNaN();
    expect(back!.metrics['down']).toBe(-Infinity);
  });

  it('a single tag uses runs/set-tag; several use log-batch', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'tags' });
    await run.setTags({ stage: 'eda' });
    expect(server.callsTo('POST /api/2.0/mlflow/runs/set-tag')[0]!.body).toEqual({
      run_id: run.runId,
      key: 'stage',
      value: 'eda',
    });
    await run.setTags({ a: '1', b: '2' });
    expect(server.runs.get(run.runId)!.tags.get('b')).toBe('2');
  });
});

/** A loopback port nothing listens on (a server is opened on a free port, then closed). */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('REST backend: retries, auth and errors', () => {
  it('retries 503 and 429 with backoff, then succeeds', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'retry' });
    server.faults.push(
      { endpoint: 'POST /api/2.0/mlflow/runs/log-batch', status: 503, body: 'Service Unavailable' },
      {
        endpoint: 'POST /api/2.0/mlflow/runs/log-batch',
        status: 429,
        headers: { 'Retry-After': '0' },
        body: JSON.stringify({ error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }),
      },
    );
    await run.logMetrics({ acc: 0.9 });
    const batches = server.callsTo('POST /api/2.0/mlflow/runs/log-batch');
    expect(batches.map((c) => c.status)).toEqual([503, 429, 200]);
    expect(server.runs.get(run.runId)!.metrics).toHaveLength(1);
  });

  it('gives up after maxRetries with an error naming the endpoint and status', async () => {
    const store = new RestStore(server.url, { maxRetries: 2, backoffMs: 1 });
    for (let i = 0; i < 3; i++)
      server.faults.push({
        endpoint: 'GET /api/2.0/mlflow/experiments/get-by-name',
        status: 500,
        body: JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'db down' }),
      });
    const err = await store.getOrCreateExperiment('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrackingError);
    expect((err as Error).message).toBe(
      `MLflow GET /api/2.0/mlflow/experiments/get-by-name failed: 500 INTERNAL_ERROR: db down (server ${server.url})`,
    );
    expect((err as TrackingError).exitCode).toBe(1);
    expect(server.callsTo('GET /api/2.0/mlflow/experiments/get-by-name')).toHaveLength(3);
  });

  it('an MLflow error body is surfaced with its error_code: changing a param is INVALID_PARAMETER_VALUE', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'params' });
    await run.logParams({ max_depth: 10 });
    await run.logParams({ max_depth: 10 }); // same value: idempotent
    const err = await run.logParams({ max_depth: 12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrackingError);
    expect((err as TrackingError).endpoint).toBe('POST /api/2.0/mlflow/runs/log-batch');
    expect((err as TrackingError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect((err as TrackingError).status).toBe(400);
    expect((err as Error).message).toContain(
      "Changing param values is not allowed. Param with key='max_depth'",
    );
    expect((err as TrackingError).exitCode).toBe(2);
  });

  it('a refused connection fails after one quick retry, naming the server and the cause, never the password', async () => {
    const port = await closedPort();
    // default retry settings: a refused connection must not wait through the backoff of transient errors
    const store = new RestStore(`http://alice:Pw55secret@127.0.0.1:${port}`);
    const started = Date.now();
    const err = await store.getExperimentByName('x').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(TrackingError);
    expect((err as TrackingError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      `MLflow server http://127.0.0.1:${port} unreachable (GET /api/2.0/mlflow/experiments/get-by-name): ` +
        'connection refused (nothing listens on that port) (ECONNREFUSED)',
    );
  });

  it('an unknown host fails at once naming the host and the DNS failure', async () => {
    const store = new RestStore('http://no-such-host.invalid:5000', { backoffMs: 1 });
    const err = await store.getExperimentByName('x').catch((e: unknown) => e);
    expect((err as Error).message).toContain('MLflow server http://no-such-host.invalid:5000 unreachable');
    expect((err as Error).message).toMatch(/unknown host|DNS/);
  });

  it('user info in the tracking URI is sent as basic auth and shown nowhere', async () => {
    server.requiredAuth = `Basic ${Buffer.from('bob:pa55word').toString('base64')}`;
    const u = new URL(server.url);
    const store = new RestStore(`http://bob:pa55word@${u.host}`);
    expect(store.location).not.toContain('pa55word');
    await expect(store.getOrCreateExperiment('with-userinfo')).resolves.toMatchObject({
      name: 'with-userinfo',
    });
  });

  it('sends Authorization: Bearer from MLFLOW_TRACKING_TOKEN', async () => {
    server.requiredAuth = 'Bearer s3cret-token';
    const t = await tracker({ MLFLOW_TRACKING_TOKEN: 's3cret-token' });
    await (await t.startRun({ runName: 'auth' })).end();
    expect(server.calls.every((c) => c.headers.authorization === 'Bearer s3cret-token')).toBe(true);
  });

  it('sends Authorization: Basic from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    server.requiredAuth = `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`;
    const t = await tracker({ MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'pa:ss' });
    await (await t.startRun({ runName: 'auth' })).end();
    expect(server.calls.length).toBeGreaterThan(2);
    expect(server.calls.filter((c) => c.status === 401)).toEqual([]);
    expect(server.callsTo('POST /api/2.0/mlflow/runs/update')[0]!.status).toBe(200);
  });

  it('without credentials a protected server answers 401 and the error says so', async () => {
    server.requiredAuth = 'Bearer x';
    const t = await tracker();
    const err = await t.startRun({ runName: 'auth' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/experiments\/get-by-name failed: 401: You are not authenticated/);
  });
});

describe('REST backend: artifacts through the mlflow-artifacts proxy', () => {
  it('resolves mlflow-artifacts URIs as MLflow does (vectors from tests/store/artifact/test_mlflow_artifact_repo.py)', () => {
    const base = '/api/2.0/mlflow-artifacts/artifacts';
    const p = '/my/artifact/path';
    for (const tracking of ['http://localhost:5000', 'http://localhost:5000/']) {
      expect(resolveMlflowArtifactsUri(`mlflow-artifacts://myhostname:4242${p}/hostport`, tracking)).toBe(
        `http://myhostname:4242${base}${p}/hostport`,
      );
      expect(resolveMlflowArtifactsUri(`mlflow-artifacts://myhostname${p}/host`, tracking)).toBe(
        `http://myhostname${base}${p}/host`,
      );
      expect(resolveMlflowArtifactsUri(`mlflow-artifacts:${p}/nohost`, tracking)).toBe(
        `http://localhost:5000${base}${p}/nohost`,
      );
      expect(resolveMlflowArtifactsUri(`mlflow-artifacts://${p}/redundant`, tracking)).toBe(
        `http://localhost:5000${base}${p}/redundant`,
      );
      expect(resolveMlflowArtifactsUri('mlflow-artifacts:/', tracking)).toBe(`http://localhost:5000${base}`);
    }
    // A tracking server behind a path prefix keeps it.
    expect(resolveMlflowArtifactsUri('mlflow-artifacts:/1/abc/artifacts', 'https://h.example/mlflow')).toBe(
      `https://h.example/mlflow${base}/1/abc/artifacts`,
    );
  });

  it('PUTs a file and a model folder to /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>', async () => {
    const t = await tracker({}, 'Clasificacion_Niveles_Obesidad');
    const run = await t.startRun({ runName: 'RandomForest_Baseline' });
    expect(run.artifactUri).toBe(`mlflow-artifacts:/${run.experimentId}/${run.runId}/artifacts`);
    await writeFile(join(dir, 'clean data.csv'), 'a,b\n1,2\n');
    const model = join(dir, 'model');
    await mkdir(join(model, 'data'), { recursive: true });
    await writeFile(join(model, 'MLmodel'), 'flavors: {}\n');
    await writeFile(join(model, 'data', 'model.json'), Buffer.alloc(300_000, 7));
    await run.logArtifact(join(dir, 'clean data.csv'));
    await run.logArtifact(model, 'random_forest_model');
    await run.end();
    const prefix = `${run.experimentId}/${run.runId}/artifacts`;
    expect([...server.artifacts.keys()].sort()).toEqual(
      [
        `${prefix}/clean data.csv`,
        `${prefix}/random_forest_model/MLmodel`,
        `${prefix}/random_forest_model/data/model.json`,
      ].sort(),
    );
    expect(server.artifacts.get(`${prefix}/clean data.csv`)!.toString()).toBe('a,b\n1,2\n');
    expect(
      server.artifacts.get(`${prefix}/random_forest_model/data/model.json`)!.equals(Buffer.alloc(300_000, 7)),
    ).toBe(true);
    const put = server.calls.find((c) => c.method === 'PUT')!;
    expect(put.headers['content-length']).toBeDefined();
  });

  it('retries an artifact PUT that got a 503 (the file is re-read for the new attempt)', async () => {
    const t = await tracker();
    const run = await t.startRun({ runName: 'art' });
    await writeFile(join(dir, 'f.txt'), 'hello');
    server.faults.push({ status: 503, body: '' });
    await run.logArtifact(join(dir, 'f.txt'), 'sub/dir');
    expect(server.artifacts.get(`${run.experimentId}/${run.runId}/artifacts/sub/dir/f.txt`)!.toString()).toBe(
      'hello',
    );
  });
});

describe('REST backend: reading runs back', () => {
  it('searchRuns paginates runs/search and returns params, latest metrics and tags', async () => {
    server.pageSize = 2;
    const t = await tracker({}, 'Clasificacion_Niveles_Obesidad');
    const models = ['RandomForest_Baseline', 'XGBoost_SMOTE_Tuning', 'XGBoost_Simple', 'KNN', 'SVM_Linear'];
    for (const [i, name] of models.entries()) {
      await t.withRun({ runName: name }, async (run) => {
        await run.logParams({ model_type: name, clf: { max_depth: i + 1 } });
        await run.logMetrics({ test_accuracy: 0.8 + i / 100 });
      });
    }
    const runs = await t.searchRuns();
    expect(runs).toHaveLength(5);
    expect(server.callsTo('POST /api/2.0/mlflow/runs/search')).toHaveLength(3);
    const knn = runs.find((r) => r.info.runName === 'KNN')!;
    expect(knn.params).toMatchObject({ model_type: 'KNN', 'clf.max_depth': '4' });
    expect(knn.metrics['test_accuracy']).toBeCloseTo(0.83);
    expect(knn.info.status).toBe('FINISHED');
    expect(await t.getRun('0'.repeat(32))).toBeUndefined();
    expect((await t.listExperiments()).map((e) => e.name)).toContain('Clasificacion_Niveles_Obesidad');
  });

  it('withRun marks the run FAILED and rethrows when the callback throws', async () => {
    const t = await tracker();
    let id = '';
    await expect(
      t.withRun({ runName: 'boom' }, async (run) => {
        id = run.runId;
        throw new Error('training diverged');
      }),
    ).rejects.toThrow('training diverged');
    expect(server.runs.get(id)!.info.status).toBe('FAILED');
  });
});
