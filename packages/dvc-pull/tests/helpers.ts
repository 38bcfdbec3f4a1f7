import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/obesity/', import.meta.url));
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI asynchronously (servers under test live in this process, so never spawnSync). */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: 'warning', ...options.env }))
      if (v !== undefined && !k.startsWith('DVC_REMOTE_')) env[k] = v;
    for (const [k, v] of Object.entries(options.env ?? {}))
      if (v !== undefined && k.startsWith('DVC_REMOTE_')) env[k] = v;
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function tempDir(prefix = 'dvc-pull-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A fresh repository: `.dvc/` and an optional config text. */
export async function makeRepo(config?: string): Promise<string> {
  const root = await tempDir('dvc-repo-');
  await mkdir(join(root, '.dvc'), { recursive: true });
  if (config !== undefined) await writeFile(join(root, '.dvc', 'config'), config);
  return root;
}

export async function writeFiles(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, data] of Object.entries(files)) {
    const p = join(root, ...rel.split('/'));
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
