/**
 * No secret reaches a log line or an error: every error path that can carry a URL (MLflow tracking URIs, DVC
 * remotes with user info or signed query strings, secret environment variables) is run, in-process, and all it
 * printed — log lines, the error line, stdout — is searched for the secret.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_NAMES, createLogger, disableCliAutoRun, executeCli, type CliMain } from '@mlops/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PARAMS = join(root, 'config/params.yaml');
const SECRET = 'Zx9-s3cr3t-Pw55';
const ROW =
  'Female,21.0,1.62,64.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,0.0,1.0,no,Public_Transportation,Normal_Weight';

let closedPort: number;
let failing: Server;
let failingPort: number;
beforeAll(async () => {
  disableCliAutoRun();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  // a server that answers every request with 500 and echoes the URL it got (as some proxies do)
  failing = createHttpServer((req, res) => res.writeHead(500).end(`bad request to ${req.url}`));
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
  failingPort = (failing.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => failing.close(() => r())));

/** Run a CLI's main in-process with `env` added to process.env; returns everything it printed, and its exit code. */
async function run(mainPath: string, name: string, argv: string[], env: Record<string, string>) {
  const { main } = (await import(join(root, mainPath))) as { main: CliMain };
  const printed: string[] = [];
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    printed.push(String(chunk)),
    true
  )) as typeof process.stdout.write;
  try {
    const logger = createLogger({ name, level: 'debug', sink: { write: (l: string) => printed.push(l) } });
    const sink = { write: (l: string) => printed.push(l) };
    const code = await executeCli(name, main, argv, logger, { stdout: sink, stderr: sink });
    return { code, text: printed.join('') };
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function workdir(): { dir: string; raw: string } {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  const raw = join(dir, 'raw.csv');
  writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${ROW}\n${ROW}\n`);
  return { dir, raw };
}

const edaArgs = (dir: string, raw: string, extra: string[] = []) => [
  '--params',
  PARAMS,
  '--input',
  raw,
  '--output',
  join(dir, 'clean.csv'),
  '--profile',
  join(dir, 'profile'),
  ...extra,
];

describe('no secret in any output', () => {
  const cases: Array<[string, () => Promise<{ code: number; text: string }>, number]> = [
    [
      'eda, MLflow server refused (warning path)',
      async () => {
        const { dir, raw } = workdir();
        return run('packages/eda/src/main.ts', 'mlops-eda', edaArgs(dir, raw), {
          MLFLOW_TRACKING_URI: `http://alice:${SECRET}@127.0.0.1:${closedPort}`,
        });
      },
      0,
    ],
    [
      'eda, MLflow server refused with --require-tracking (error path)',
      async () => {
        const { dir, raw } = workdir();
        return run('packages/eda/src/main.ts', 'mlops-eda', edaArgs(dir, raw, ['--require-tracking']), {
          MLFLOW_TRACKING_URI: `http://alice:${SECRET}@127.0.0.1:${closedPort}`,
        });
      },
      1,
    ],
    [
      'eda, MLflow server answering 500 with a token in the query and the password in the environment',
      async () => {
        const { dir, raw } = workdir();
        return run('packages/eda/src/main.ts', 'mlops-eda', edaArgs(dir, raw, ['--require-tracking']), {
          MLFLOW_TRACKING_URI: `http://127.0.0.1:${failingPort}/?token=${SECRET}`,
          MLFLOW_TRACKING_PASSWORD: SECRET,
          MLFLOW_TRACKING_USERNAME: 'alice',
        });
      },
      1,
    ],
    [
      'eda, unsupported tracking URI with user info',
      async () => {
        const { dir, raw } = workdir();
        return run('packages/eda/src/main.ts', 'mlops-eda', edaArgs(dir, raw), {
          MLFLOW_TRACKING_URI: `ftp://alice:${SECRET}@host/mlruns`,
        });
      },
      2,
    ],
    [
      'mlops-runs list, server refused',
      () =>
        run(
          'packages/tracking/src/cli.ts',
          'mlops-runs',
          ['list', '--tracking-uri', `http://alice:${SECRET}@127.0.0.1:${closedPort}`],
          {},
        ),
      1,
    ],
    [
      'mlops-runs show, invalid URL',
      () =>
        run(
          'packages/tracking/src/cli.ts',
          'mlops-runs',
          ['show', 'x', '--tracking-uri', `http://alice:${SECRET}@[bad`],
          {},
        ),
      2,
    ],
    [
      'mlops-dvc pull, http remote with user info refused',
      async () => {
        const { dir } = workdir();
        mkdirSync(join(dir, '.dvc'));
        writeFileSync(
          join(dir, 'h.txt.dvc'),
          'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  hash: md5\n  path: h.txt\n',
        );
        return run('packages/dvc-pull/src/main.ts', 'mlops-dvc', ['pull', '-C', dir], {
          DVC_REMOTE_NAME: 'web',
          DVC_REMOTE_URL: `http://bob:${SECRET}@127.0.0.1:${closedPort}/store`,
        });
      },
      1,
    ],
    [
      'mlops-dvc pull, SAS-signed https remote answering 500',
      async () => {
        const { dir } = workdir();
        mkdirSync(join(dir, '.dvc'));
        writeFileSync(
          join(dir, 'h.txt.dvc'),
          'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  hash: md5\n  path: h.txt\n',
        );
        return run('packages/dvc-pull/src/main.ts', 'mlops-dvc', ['pull', '-C', dir, '-j', '1'], {
          DVC_REMOTE_NAME: 'web',
          DVC_REMOTE_URL: `http://127.0.0.1:${failingPort}/store?sv=2022&sig=${SECRET}`,
        });
      },
      1,
    ],
    [
      'mlops-dvc remote add of a URL with a password (refused without --local)',
      async () => {
        const { dir } = workdir();
        mkdirSync(join(dir, '.dvc'));
        return run(
          'packages/dvc-pull/src/main.ts',
          'mlops-dvc',
          ['remote', 'add', 'x', `https://bob:${SECRET}@host/store`, '-C', dir],
          {},
        );
      },
      2,
    ],
  ];
  for (const [name, fn, expected] of cases) {
    it(
      name,
      async () => {
        const { code, text } = await fn();
        expect(code, text).toBe(expected);
        expect(text.length).toBeGreaterThan(0);
        expect(text).not.toContain(SECRET);
      },
      60_000,
    );
  }
});
