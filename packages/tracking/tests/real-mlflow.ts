/**
 * The real MLflow 2.17 of ../shared/tools/mlflow, for compatibility tests: its Python client, and its tracking
 * server started on a free loopback port (stopped after). Tests skip with a message when it is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const MLFLOW = join(workspaceRoot, '../shared/tools/mlflow/mlflow');
export const hasMlflow = existsSync(MLFLOW);
export const skipReason = `SKIPPED real-MLflow tests: ${MLFLOW} is absent`;

/** Run Python with mlflow importable; returns stdout (throws with stderr on a non-zero exit). */
export function mlflowPython(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(MLFLOW, ['python', '-c', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`mlflow python failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface MlflowServer {
  url: string;
  stop(): Promise<void>;
}

/** `mlflow server` on a file store and artifact folder in `dir`, serving artifacts (the default), ready. */
export async function startMlflowServer(dir: string): Promise<MlflowServer> {
  await mkdir(join(dir, 'mlartifacts'), { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    MLFLOW,
    [
      'server',
      '--backend-store-uri',
      `file:${join(dir, 'server-mlruns')}`,
      '--artifacts-destination',
      join(dir, 'mlartifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited (${child.exitCode}):\n${stderr}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`mlflow server did not answer /health in 120 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM'); // the server and its gunicorn workers
      } catch {
        child.kill('SIGTERM');
      }
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // gone
          }
          r();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}
