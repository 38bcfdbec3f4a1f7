/**
 * The built CLI as a process: configuration errors, starting without a model, loading it when it appears, SIGHUP
 * reload with an atomic swap under load, graceful SIGTERM with requests in flight.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRegistry, folderUri } from '@mlops/tracking';
import { getJson, MAIN, postJson, startChild, trainBundle, type Child, type Trained } from './helpers.js';

let a: Trained;
let b: Trained;
const children: Child[] = [];

beforeAll(() => {
  a = trainBundle(7, 400);
  b = trainBundle(21, 400);
});

afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
});

async function start(env: Record<string, string>): Promise<Child> {
  const c = await startChild(env);
  children.push(c);
  return c;
}

/** Copies a model folder into place the way the ml stage writes it: a complete folder renamed in. */
function installModel(from: string, to: string): void {
  const staging = `${to}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(from, staging, { recursive: true });
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runCli(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('configuration errors: exit 2 with one line naming the variable', () => {
  it.each([
    [{ PORT: 'eighty' }, /PORT="eighty": must be a whole number from 0 to 65535/],
    [
      { MODEL_URI: 'obesity@champion' },
      /MODEL_URI 'obesity@champion': expected models:\/NAME\/VERSION or models:\/NAME@ALIAS/,
    ],
    [{ CORS_ORIGINS: '*,https://app.example.com' }, /CORS_ORIGINS=.*"\*" cannot be combined/],
    [{ CORS_ORIGINS: 'app.example.com' }, /CORS_ORIGINS: "app.example.com" is not an origin/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud": must be one of/],
    [{ MAX_BATCH_ROWS: '0' }, /MAX_BATCH_ROWS="0"/],
  ])('%o', (env, says) => {
    const r = runCli({ MODEL_DIR: a.modelDir, ...env });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mlops-api: error: /);
    expect(lines[0]).toMatch(says);
  });

  it('--help prints the usage and exits 0; a taken port exits 1', async () => {
    const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('MODEL_DIR');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCli({ MODEL_DIR: a.modelDir, PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(
        new RegExp(`^mlops-api: error: cannot listen on 127.0.0.1:${port}: .*EADDRINUSE`),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('starting without a model', () => {
  it('is degraded and answers 503 until the bundle appears, then serves it without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-nomodel-'));
    const modelDir = join(dir, 'models');
    const c = await start({ MODEL_DIR: modelDir, MODEL_POLL_MS: '100' });
    const health = await getJson(`${c.url}/health`);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'degraded', model_loaded: false });
    expect(String(health.json['detail'])).toContain(join(modelDir, 'model_bundle.json'));
    const row = a.rows[0]!;
    const p = await postJson(`${c.url}/predict`, row);
    expect(p.status).toBe(503);
    expect(p.json['message']).toMatch(
      /^Model not loaded\. Try again later: no model bundle at .*model_bundle\.json/,
    );
    expect((await postJson(`${c.url}/predict`, { Age: 'x' })).status).toBe(503); // 503 comes before validation
    expect((await postJson(`${c.url}/invocations`, { instances: [row] })).status).toBe(503);
    expect((await getJson(`${c.url}/model/info`)).status).toBe(503);
    expect((await getJson(`${c.url}/ping`)).status).toBe(404);
    expect((await getJson(`${c.url}/v2/health/ready`)).status).toBe(503);
    expect((await getJson(`${c.url}/v2/health/live`)).status).toBe(200);
    expect((await getJson(`${c.url}/metrics`)).text).toMatch(/\nmodel_loaded 0\n/);

    installModel(a.modelDir, modelDir);
    const ok = await until('the model to load', async () => {
      const r = await postJson(`${c.url}/predict`, row);
      return r.status === 200 ? r : undefined;
    });
    expect(ok.json['model_name']).toBe('LogisticRegression');
    expect((await getJson(`${c.url}/health`)).json['status']).toBe('healthy');
    expect(c.logs.some((l) => l.includes('"msg":"model loaded"'))).toBe(true);
    // The bundled CLI serves the Swagger UI from the files copied beside it, and nothing else of that folder.
    // (Bodies are read: a response the client never reads stays in flight and would hold the shutdown.)
    const ui = await fetch(`${c.url}/docs/static/swagger-ui-bundle.js`);
    expect(ui.status).toBe(200);
    expect((await ui.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    for (const f of ['main.cjs', 'static/main.cjs', 'main.cjs.map', 'index.js']) {
      const r = await fetch(`${c.url}/docs/${f}`);
      await r.arrayBuffer();
      expect(r.status, f).toBe(404);
    }
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('a corrupt bundle is refused with its file named, and the current model keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-corrupt-'));
    const modelDir = join(dir, 'models');
    installModel(a.modelDir, modelDir);
    const c = await start({ MODEL_DIR: modelDir, MODEL_POLL_MS: '0' });
    const before = (await getJson(`${c.url}/health`)).json['model_version'];
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = join(modelDir, 'model_bundle.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"LogisticRegression"', '"Edited"'));
    c.proc.kill('SIGHUP');
    await until('the reload failure to be logged', async () =>
      c.logs.some((l) => l.includes('checksum')) ? true : undefined,
    );
    const health = await getJson(`${c.url}/health`);
    expect(health.json).toMatchObject({ status: 'healthy', model_version: before });
    expect((await postJson(`${c.url}/predict`, a.rows[0])).status).toBe(200);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

describe('serving from the model registry (MODEL_URI)', () => {
  it('serves the alias, degraded until it is set; a promotion + SIGHUP rolls the new version out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'api-registry-'));
    const registry = new FileRegistry(join(root, 'mlruns'));
    const c = await start({
      MODEL_URI: 'models:/obesity-classifier@champion',
      MLFLOW_TRACKING_URI: `file:${join(root, 'mlruns')}`,
      MODEL_POLL_MS: '0',
    });
    const before = await getJson(`${c.url}/health`);
    expect(before.json).toMatchObject({ status: 'degraded' });
    expect(String(before.json['detail'])).toMatch(/no registered model 'obesity-classifier'/);

    const v1 = await registry.createModelVersion({
      name: 'obesity-classifier',
      source: folderUri(a.modelDir),
    });
    await registry.setAlias('obesity-classifier', 'champion', v1.version);
    c.proc.kill('SIGHUP');
    const first = await until('version 1', async () => {
      const r = await postJson(`${c.url}/predict`, a.rows[0]);
      return r.status === 200 ? r : undefined;
    });
    const h1 = (await getJson(`${c.url}/health`)).json['model_version'];
    expect(first.json['model_version']).toBe(h1);

    const v2 = await registry.createModelVersion({
      name: 'obesity-classifier',
      source: folderUri(b.modelDir),
    });
    await registry.setAlias('obesity-classifier', 'champion', v2.version);
    c.proc.kill('SIGHUP');
    await until('version 2', async () => {
      const h = await getJson(`${c.url}/health`);
      return h.json['model_version'] !== h1 ? true : undefined;
    });
    expect(c.logs.some((l) => l.includes('"msg":"model reloaded"'))).toBe(true);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

describe('logs', () => {
  it('a log reader that goes away does not stop the server', async () => {
    const c = await start({ MODEL_DIR: a.modelDir });
    c.proc.stdout!.destroy(); // the pipe's read end closes: further log writes fail with EPIPE
    for (let i = 0; i < 50; i++) expect((await postJson(`${c.url}/predict`, a.rows[i])).status).toBe(200);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

describe('SIGHUP reload', () => {
  it('swaps to the new bundle atomically: no request fails during the swap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-reload-'));
    const modelDir = join(dir, 'models');
    installModel(a.modelDir, modelDir);
    const c = await start({ MODEL_DIR: modelDir, MODEL_POLL_MS: '0' });
    const v1 = (await getJson(`${c.url}/health`)).json['model_version'];
    const statuses: number[] = [];
    const versions = new Set<unknown>();
    let running = true;
    const worker = async () => {
      let i = 0;
      while (running) {
        const r = await postJson(`${c.url}/predict`, a.rows[i++ % a.rows.length]);
        statuses.push(r.status);
        versions.add(r.json?.['model_version']);
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await until('100 answers before the swap', async () => (statuses.length >= 100 ? true : undefined));
    installModel(b.modelDir, modelDir);
    c.proc.kill('SIGHUP');
    await until('the new version', async () => {
      const h = await getJson(`${c.url}/health`);
      return h.json['model_version'] !== v1 ? true : undefined;
    });
    const atSwap = statuses.length;
    await until('100 answers after the swap', async () =>
      statuses.length >= atSwap + 100 ? true : undefined,
    );
    running = false;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(200);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(versions.size).toBe(2); // answers came from both models, and nothing else
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

describe('graceful SIGTERM', () => {
  /** Sends a request's head and the first half of its body, leaving it in flight. */
  function halfRequest(
    url: string,
    body: string,
  ): { socket: Socket; finish: () => void; response: Promise<string> } {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /predict HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    let data = '';
    const response = new Promise<string>((resolve) => {
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    return { socket, finish: () => socket.end(body.slice(half)), response };
  }

  it('lets in-flight requests finish, then exits 0', async () => {
    const c = await start({ MODEL_DIR: a.modelDir });
    const body = JSON.stringify(a.rows[3]);
    const inFlight = Array.from({ length: 5 }, () => halfRequest(c.url, body));
    await until('the requests to reach the server', async () =>
      (await getJson(`${c.url}/metrics`)).text.includes('mlops_api_') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    c.proc.kill('SIGTERM');
    await until('the shutdown to begin', async () =>
      c.logs.some((l) => l.includes('shutting down')) ? true : undefined,
    );
    // Still running: it waits for the requests in flight.
    await new Promise((r) => setTimeout(r, 300));
    expect(c.proc.exitCode).toBeNull();
    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.response));
    for (const text of answers) {
      expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(text).toContain('"prediction":');
    }
    expect(await c.exited).toBe(0);
    expect(c.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });

  it('SIGTERM under load: every request sent before it is answered 200, none fails', async () => {
    const c = await start({ MODEL_DIR: a.modelDir });
    const body = JSON.stringify(a.rows[5]);
    // Bodies held back until after the signal, so every one of these is in flight when it arrives.
    const inFlight = Array.from({ length: 20 }, () => halfRequest(c.url, body));
    await new Promise((r) => setTimeout(r, 300));
    c.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.response));
    expect(answers.filter((t) => !t.startsWith('HTTP/1.1 200 OK'))).toEqual([]);
    expect(await c.exited).toBe(0);
  });
});
