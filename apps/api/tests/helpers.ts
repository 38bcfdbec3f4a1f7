/**
 * Test setup shared by the api tests: a real model bundle trained from the demo data (tools/demo-data, then
 * `mlops-ml train` with logistic regression, as the pipeline does), servers on ephemeral ports (in process through
 * buildServer, or the built CLI as a child process), and valid rows of the schema.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultParams } from '@mlops/core';
import { buildServer, readConfig, type ApiConfig, type ApiServer } from '../src/index.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = join(ROOT, 'apps/api/dist/main.js');
const ML = join(ROOT, 'packages/ml/dist/main.js');
const DEMO = join(ROOT, 'tools/demo-data/dist/main.js');

export const NUMERIC = ['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE'];

export interface Trained {
  dir: string;
  /** The model folder (holding model_bundle.json). */
  modelDir: string;
  /** Clean demo rows as request objects (valid for the schema). */
  rows: Record<string, string | number>[];
  header: string[];
}

function node(args: string[], cwd: string): void {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
}

/**
 * Trains a logistic regression bundle on `rows` demo rows (seed `seed`) into `<tmp>/models`: the ml stage's own
 * CLI on the demo generator's data, so the api is tested on the bundle the pipeline makes.
 */
export function trainBundle(seed = 7, rows = 600, output = 'models'): Trained {
  for (const f of [ML, DEMO])
    if (!existsSync(f))
      throw new Error(`${f} is not built: run \`npx nx run api:test\` (it builds it first)`);
  const dir = mkdtempSync(join(tmpdir(), 'api-test-'));
  node([DEMO, '--rows', String(rows), '--seed', String(seed), '--out-dir', 'raw'], dir);
  const [headerLine, ...lines] = readFileSync(join(dir, 'raw/obesity_clean_reference.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  // The clean file's target in the pipeline's lower snake case (as the eda stage writes it).
  const clean = lines.map((l) => {
    const cut = l.lastIndexOf(',');
    return l.slice(0, cut + 1) + l.slice(cut + 1).toLowerCase();
  });
  writeFileSync(join(dir, 'clean.csv'), `${[headerLine, ...clean].join('\n')}\n`);
  writeFileSync(
    join(dir, 'params.yaml'),
    'models:\n  algorithms: [logistic_regression]\ntraining:\n  cv_folds: 3\n  importance_repeats: 1\n',
  );
  node(
    [
      ML,
      'train',
      '--input',
      'clean.csv',
      '--output',
      output,
      '--metrics',
      'metrics',
      '--no-mlflow',
      '--params',
      'params.yaml',
    ],
    dir,
  );
  const header = headerLine!.split(',').slice(0, -1);
  const rowObjects = lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((c, i) => [c, NUMERIC.includes(c) ? Number(cells[i]) : cells[i]!]));
  });
  return { dir, modelDir: join(dir, output), rows: rowObjects, header };
}

/** A config for an in-process server on an ephemeral loopback port. */
export function testConfig(modelDir: string, env: Record<string, string> = {}): ApiConfig {
  return readConfig(
    { PORT: '0', HOST: '127.0.0.1', MODEL_DIR: modelDir, MODEL_POLL_MS: '0', ...env },
    defaultParams(),
  );
}

export interface Running extends ApiServer {
  url: string;
  close(): Promise<void>;
}

/** buildServer + listen on 127.0.0.1:0 (logs silent). */
export async function startInProcess(modelDir: string, env: Record<string, string> = {}): Promise<Running> {
  const config = testConfig(modelDir, { LOG_LEVEL: 'silent', ...env });
  const server = await buildServer(config);
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { ...server, url: `http://127.0.0.1:${port}`, close: () => server.app.close() };
}

export interface Child {
  proc: ChildProcess;
  url: string;
  /** Every stdout line so far (JSON logs). */
  logs: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the built CLI on an ephemeral port; resolves when it listens (its log says where). */
export function startChild(env: Record<string, string>, cwd = ROOT): Promise<Child> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is not built: run \`npx nx run api:test\``);
  const proc = spawn(process.execPath, [MAIN], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let err = '';
  let buffer = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not listen within 15 s:\n${err}`)),
      15_000,
    );
    proc.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ proc, url: m[1]!, logs, stderr: () => err, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${err}`));
    });
  });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json: json as Record<string, unknown>, text, headers: r.headers };
}

export async function getJson(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, { headers });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json: json as Record<string, unknown>, text, headers: r.headers };
}
