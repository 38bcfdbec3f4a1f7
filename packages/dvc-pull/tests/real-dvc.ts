/** The real DVC 3.55.2 from ../shared/tools/dvc, for the interop and pipeline suites (skipped when absent). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT, type CliResult } from './helpers.js';

export const REAL_DVC = join(WORKSPACE_ROOT, '..', 'shared', 'tools', 'dvc', 'dvc');
export const HAVE_DVC = existsSync(REAL_DVC);
export const NO_DVC_MESSAGE = `real DVC not found at ${REAL_DVC}: the DVC interop and pipeline suites are skipped`;
if (!HAVE_DVC) console.warn(NO_DVC_MESSAGE);

/** Run the real dvc; its unpacked copy stays beside the test temp root (unpacking it takes seconds). */
export function dvc(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(REAL_DVC, args, {
      cwd,
      env: {
        ...process.env,
        DVC_REAL_HOME: process.env['DVC_REAL_HOME'] ?? join(dirname(tmpdir()), 'dvc-3.55.2'),
        DVC_NO_ANALYTICS: '1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Run a shell command line (a dvc.yaml stage's cmd) in `cwd`. */
export function sh(cmd: string, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], { cwd, env: { ...process.env, LOG_LEVEL: 'warning' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every file under `dir` (relative POSIX path → bytes and mode), for byte-for-byte comparisons. */
export async function snapshot(dir: string): Promise<Map<string, { bytes: Buffer; mode: number }>> {
  const out = new Map<string, { bytes: Buffer; mode: number }>();
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), r);
      else if (e.isFile())
        out.set(r, {
          bytes: await readFile(join(d, e.name)),
          mode: (await stat(join(d, e.name))).mode & 0o777,
        });
    }
  };
  if (existsSync(dir)) await walk(dir, '');
  return out;
}

/** Copy files/folders (relative to `from`) into `to`. */
export async function copyInto(from: string, to: string, rels: readonly string[]): Promise<void> {
  for (const rel of rels) {
    const src = join(from, ...rel.split('/'));
    if (!existsSync(src)) continue;
    const dest = join(to, ...rel.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await cp(src, dest, { recursive: true, preserveTimestamps: true });
  }
}
