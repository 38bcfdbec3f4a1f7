/**
 * Every endpoint of a real server (in process, ephemeral loopback port) serving a bundle trained from the demo
 * data. Predictions are checked against the bundle scored directly through packages/model.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedModel } from '@mlops/model';
import { getJson, postJson, startInProcess, trainBundle, type Running, type Trained } from './helpers.js';

let trained: Trained;
let server: Running;
let model: LoadedModel;
let row: Record<string, string | number>;

beforeAll(async () => {
  trained = trainBundle(7, 600);
  model = loadBundle(trained.modelDir);
  server = await startInProcess(trained.modelDir);
  row = trained.rows[0]!;
});

afterAll(async () => {
  await server?.close();
});

describe("the predecessor's endpoints", () => {
  it('GET / lists the endpoints', async () => {
    const r = await getJson(`${server.url}/`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      name: 'Obesity Classification API',
      docs: '/docs',
      openapi: '/openapi.json',
    });
    expect(r.json['endpoints']).toMatchObject({
      predict: 'POST /predict',
      predict_batch: 'POST /predict/batch',
    });
  });

  it('GET /health is healthy with the model name and version (timezone-aware timestamp)', async () => {
    const r = await getJson(`${server.url}/health`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'healthy', model_loaded: true, model_name: 'LogisticRegression' });
    expect(r.json['timestamp']).toMatch(/Z$/);
    expect(r.json['model_version']).toMatch(/^[0-9a-f]{12}$/);
  });

  it('GET /status reports 16 input features truthfully (17 with BMI)', async () => {
    const r = await getJson(`${server.url}/status`);
    expect(r.json).toMatchObject({
      api_status: 'online',
      model_loaded: true,
      features_required: 16,
      model_features: 17,
    });
  });

  it('GET /model/info, /model/classes and /model/features describe the bundle', async () => {
    const info = await getJson(`${server.url}/model/info`);
    expect(info.status).toBe(200);
    expect(info.json['classes']).toEqual(model.labels);
    expect(info.json['accuracy']).toBe(model.bundle.metrics.test['test_accuracy']);
    expect(info.json['accuracy']).toBeGreaterThan(0.5);
    expect(info.json['features_required']).toBe(16);
    const classes = await getJson(`${server.url}/model/classes`);
    expect(classes.json).toEqual({ classes: model.labels, total_classes: 7 });
    expect((classes.json['classes'] as string[]).every((c) => /^[a-z_]+$/.test(c))).toBe(true); // no "6-" prefix
    const features = await getJson(`${server.url}/model/features`);
    expect(features.json['total_features']).toBe(16);
    expect(features.json['categorical_features']).toEqual(
      expect.arrayContaining(['SMOKE', 'CALC', 'Gender', 'MTRANS']),
    );
    expect(features.json['derived_features']).toEqual(['BMI']);
    expect(Object.keys(features.json['feature_descriptions'] as object)).toHaveLength(17);
    expect((features.json['categories'] as Record<string, string[]>)['MTRANS']).not.toContain('Private_Car');
  });

  it('POST /predict answers what the bundle predicts, with plain class names and every probability', async () => {
    for (const r of trained.rows.slice(0, 20)) {
      const res = await postJson(`${server.url}/predict`, r);
      expect(res.status).toBe(200);
      const expected = model.predictOne(r);
      expect(res.json['prediction']).toBe(expected.label);
      expect(res.json['probabilities']).toEqual(expected.probabilities);
      expect(res.json['confidence']).toBe(Math.max(...Object.values(expected.probabilities)));
      expect(res.json['features_received']).toEqual(r);
      expect(res.json['model_name']).toBe('LogisticRegression');
    }
  });

  it('POST /predict/batch predicts each item and reports invalid items one by one', async () => {
    const samples = trained.rows.slice(0, 5);
    const ok = await postJson(`${server.url}/predict/batch`, { samples });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ total_samples: 5, successful: 5, failed: 0, errors: [] });
    const predictions = ok.json['predictions'] as { index: number; prediction: string }[];
    expect(predictions.map((p) => p.prediction)).toEqual(samples.map((s) => model.predictOne(s).label));
    expect(predictions.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);

    const mixed = await postJson(`${server.url}/predict/batch`, {
      samples: [samples[0], { ...samples[1], Age: 300 }, samples[2], { ...samples[3], CALC: 'Daily' }],
    });
    expect(mixed.status).toBe(200);
    expect(mixed.json).toMatchObject({ total_samples: 4, successful: 2, failed: 2 });
    expect(mixed.json['errors']).toEqual([
      { index: 1, field: 'samples[1].Age', message: expect.stringContaining('<= 100') },
      { index: 3, field: 'samples[3].CALC', message: expect.stringContaining('"Daily" is not one of') },
    ]);
    expect((mixed.json['predictions'] as { index: number }[]).map((p) => p.index)).toEqual([0, 2]);
  });
});

describe('MLflow scoring protocol', () => {
  const expectLabels = async (body: unknown, rows: Record<string, unknown>[], type = 'application/json') => {
    const res = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ predictions: rows.map((r) => model.predictOne(r).label) });
  };

  it('accepts dataframe_split, dataframe_records, instances and inputs', async () => {
    const rows = trained.rows.slice(10, 14);
    const columns = trained.header;
    await expectLabels(
      { dataframe_split: { columns, data: rows.map((r) => columns.map((c) => r[c])) } },
      rows,
    );
    await expectLabels(
      { dataframe_split: { index: [0, 1, 2, 3], columns, data: rows.map((r) => columns.map((c) => r[c])) } },
      rows,
    );
    await expectLabels({ dataframe_records: rows }, rows);
    await expectLabels({ instances: rows }, rows);
    await expectLabels({ inputs: rows }, rows);
    await expectLabels({ inputs: Object.fromEntries(columns.map((c) => [c, rows.map((r) => r[c])])) }, rows);
    await expectLabels({ instances: rows, params: {} }, rows);
  });

  it('accepts text/csv with a header (and charset=utf-8)', async () => {
    const rows = trained.rows.slice(20, 23);
    const csv = [
      trained.header.join(','),
      ...rows.map((r) => trained.header.map((c) => r[c]).join(',')),
    ].join('\n');
    await expectLabels(`${csv}\n`, rows, 'text/csv');
    await expectLabels(csv, rows, 'text/csv; charset=utf-8');
  });

  it('GET /ping answers "\\n", GET /version the api version', async () => {
    const ping = await getJson(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    expect(ping.text).toBe('\n');
    const version = await getJson(`${server.url}/version`);
    expect(version.text).toBe('0.1.0');
  });
});

describe('KServe v2', () => {
  const name = 'LogisticRegression';
  const tensors = (rows: Record<string, string | number>[], shape2 = false) =>
    trained.header.map((c) => ({
      name: c,
      datatype: typeof rows[0]![c] === 'number' ? 'FP64' : 'BYTES',
      shape: shape2 ? [rows.length, 1] : [rows.length],
      data: shape2 ? rows.map((r) => [r[c]]) : rows.map((r) => r[c]),
    }));

  it('health, server and model metadata, readiness', async () => {
    expect((await getJson(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await getJson(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await getJson(`${server.url}/v2`)).json).toMatchObject({ name: 'mlops-api' });
    const meta = await getJson(`${server.url}/v2/models/${name}`);
    expect(meta.status).toBe(200);
    expect(meta.json['inputs']).toHaveLength(16);
    expect(meta.json['outputs']).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP64', shape: [-1, 7] },
    ]);
    const version = (meta.json['versions'] as string[])[0]!;
    expect((await getJson(`${server.url}/v2/models/${name}/ready`)).status).toBe(200);
    expect((await getJson(`${server.url}/v2/models/${name}/versions/${version}`)).status).toBe(200);
    const wrong = await getJson(`${server.url}/v2/models/Other`);
    expect(wrong.status).toBe(404);
    expect(wrong.json['error']).toContain('serving LogisticRegression');
  });

  it('infers from one tensor per field ([n] and [n, 1]) with labels and probabilities', async () => {
    const rows = trained.rows.slice(30, 33);
    for (const shape2 of [false, true]) {
      const r = await postJson(`${server.url}/v2/models/${name}/infer`, {
        id: 'x1',
        inputs: tensors(rows, shape2),
      });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ model_name: name, id: 'x1' });
      const [label, proba] = r.json['outputs'] as { name: string; shape: number[]; data: unknown[] }[];
      expect(label!.data).toEqual(rows.map((x) => model.predictOne(x).label));
      expect(proba!.shape).toEqual([3, 7]);
      expect(proba!.data).toEqual(rows.flatMap((x) => Object.values(model.predictOne(x).probabilities)));
    }
    const only = await postJson(`${server.url}/v2/models/${name}/infer`, {
      inputs: tensors(rows),
      outputs: [{ name: 'label' }],
    });
    expect((only.json['outputs'] as unknown[]).length).toBe(1);
  });
});

describe('drift, metrics, documentation, CORS-less default', () => {
  it('POST /drift: rows like the training data do not drift; heavier people drift on Weight and BMI', async () => {
    const same = await postJson(`${server.url}/drift`, { samples: trained.rows.slice(0, 400) });
    expect(same.status, same.text).toBe(200);
    const fd = same.json['feature_drift'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(fd)).toHaveLength(17);
    expect(fd['Weight']).toMatchObject({ kind: 'numeric', psi_binning: 'quantile', ks_statistic: null });
    expect(fd['Weight']!['psi']).toBeLessThan(0.1);
    expect((fd['Weight']!['null_reasons'] as Record<string, string>)['ks_statistic']).toMatch(/binned/);

    const heavier = trained.rows
      .slice(0, 400)
      .map((r) => ({ ...r, Weight: Math.min(200, (r['Weight'] as number) * 1.3) }));
    const shifted = await postJson(`${server.url}/drift`, { samples: heavier });
    const sd = shifted.json['feature_drift'] as Record<string, Record<string, unknown>>;
    expect(sd['Weight']).toMatchObject({ psi_alert: true, has_drift: true, chi2_significant: true });
    expect(sd['BMI']!['has_drift']).toBe(true);
    expect(sd['Height']!['psi_alert']).toBe(false);
    expect(shifted.json['drifted_features']).toEqual(expect.arrayContaining(['Weight', 'BMI']));
    expect((shifted.json['alerts'] as { feature: string }[]).map((a) => a.feature)).toContain('Weight');
  });

  it('GET /metrics counts requests by route and status, predictions per class, and the model version', async () => {
    await postJson(`${server.url}/predict`, row);
    await postJson(`${server.url}/predict`, { ...row, Age: 'x' });
    const r = await getJson(`${server.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toMatch(/http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
    expect(r.text).toMatch(/http_requests_total\{route="\/predict",method="POST",status="422"\} \d+/);
    expect(r.text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",route="\/predict",method="POST"\}/,
    );
    expect(r.text).toContain(`predictions_total{class="${model.predictOne(row).label}"}`);
    expect(r.text).toMatch(
      /model_info\{model_name="LogisticRegression",model_version="[0-9a-f]{12}",algorithm="logistic_regression"\} 1/,
    );
    expect(r.text).toMatch(/model_loaded 1/);
  });

  it('serves the OpenAPI document and the Swagger UI with no external resource', async () => {
    const doc = await getJson(`${server.url}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.json['openapi']).toBe('3.0.3');
    const paths = doc.json['paths'] as Record<string, Record<string, { requestBody?: unknown }>>;
    for (const p of [
      '/predict',
      '/predict/batch',
      '/invocations',
      '/v2/models/{name}/infer',
      '/drift',
      '/health',
    ])
      expect(paths[p], p).toBeDefined();
    const predictBody = JSON.stringify(paths['/predict']!['post']!.requestBody);
    expect(predictBody).toContain('"additionalProperties":false');
    expect(predictBody).toContain(
      '"enum":["Public_Transportation","Automobile","Walking","Motorbike","Bike"]',
    );
    const html = await fetch(`${server.url}/docs/`);
    expect(html.status).toBe(200);
    const page = await html.text();
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // every asset is local: the UI works offline
    for (const asset of [
      'static/swagger-ui-bundle.js',
      'static/swagger-ui.css',
      'static/swagger-initializer.js',
    ]) {
      const a = await fetch(`${server.url}/docs/${asset}`);
      expect(a.status, asset).toBe(200);
      expect((await a.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    // Only the UI's own files: not other files of the folder they are served from.
    for (const other of ['csp.json', 'static/csp.json', 'package.json'])
      expect((await fetch(`${server.url}/docs/${other}`)).status, other).toBe(404);
  });

  // A real browser renders the UI from the server alone (Debian's chromium, when installed).
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  it.skipIf(!chromium)('the Swagger UI renders every operation in headless Chromium, offline', async () => {
    // Asynchronous: the server runs in this process and must answer the browser meanwhile.
    const { stdout } = await promisify(execFile)(
      chromium!,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--virtual-time-budget=10000',
        '--dump-dom',
        `${server.url}/docs/`,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    for (const path of [
      '/predict',
      '/predict/batch',
      '/invocations',
      '/v2/models/{name}/infer',
      '/drift',
      '/metrics',
    ])
      expect(stdout, path).toContain(`data-path="${path}"`);
  });
  if (!chromium) console.warn('chromium not installed: the Swagger UI browser check is skipped');

  it('no CORS headers unless CORS_ORIGINS is set; unknown routes 404, wrong methods 405', async () => {
    const r = await fetch(`${server.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect((await getJson(`${server.url}/nope`)).status).toBe(404);
    const m = await getJson(`${server.url}/predict`);
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('POST');
  });
});

describe('CORS from CORS_ORIGINS', () => {
  it('allows the listed origins with credentials, never "*" with credentials', async () => {
    const s = await startInProcess(trained.modelDir, {
      CORS_ORIGINS: 'https://app.example.com,http://localhost:3000',
    });
    try {
      const ok = await fetch(`${s.url}/health`, { headers: { origin: 'https://app.example.com' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
      const other = await fetch(`${s.url}/health`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.close();
    }
    const any = await startInProcess(trained.modelDir, { CORS_ORIGINS: '*' });
    try {
      const r = await fetch(`${any.url}/health`, { headers: { origin: 'https://x.example' } });
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await any.close();
    }
  });
});
