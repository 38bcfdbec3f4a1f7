/**
 * eda against hostile inputs, through its built CLI: an interrupted large write leaves no temp file (exit 130/143),
 * 100,000 unknown columns give a short warning, the log line names the experiment the run went to, an experiment
 * deleted in MLflow and a tracking store that is a file stop the stage before it writes anything, an empty params
 * file is reported, a 600 MB-like single line is bad input naming file and line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COLUMN_NAMES } from '@mlops/core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/eda/dist/main.js');
const PARAMS = join(ROOT, 'config/params.yaml');
const ROW =
  'Female,21.0,1.62,64.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,0.0,1.0,no,Public_Transportation,Normal_Weight';
const OTHER = 'Male,23,1.8,77,yes,no,2,3,Sometimes,no,2,no,2,1,Frequently,Walking,Obesity_Type_I';

function fresh(): string {
  return mkdtempSync(join(tmpdir(), 'eda-hard-'));
}

function run(args: string[], env: Record<string, string> = {}, cwd = fresh()) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('mlops-eda under hostile inputs', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} while the clean CSV streams out removes the temp file and exits ${code}`, async () => {
      const dir = fresh();
      const raw = join(dir, 'raw.csv');
      // 160,000 distinct rows: more than the whole-write limit, so the output streams through a temp file
      const rows: string[] = [];
      for (let i = 0; i < 160_000; i++) rows.push(i % 2 ? ROW : OTHER.replace('23,', `${18 + (i % 40)},`));
      writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${rows.join('\n')}\n`);
      const out = join(dir, 'out');
      const child = spawn(
        process.execPath,
        [
          MAIN,
          '--params',
          PARAMS,
          '--input',
          raw,
          '--output',
          join(out, 'clean.csv'),
          '--profile',
          join(out, 'p'),
          '--no-mlflow',
        ],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const closed = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      let sawTemp = false;
      for (let i = 0; i < 3000 && !sawTemp; i++) {
        sawTemp = existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'));
        if (!sawTemp) await new Promise((r) => setTimeout(r, 5));
      }
      expect(sawTemp, 'the temp file of the clean CSV was never seen').toBe(true);
      child.kill(signal);
      expect(await closed).toBe(code);
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(join(out, 'clean.csv'))).toBe(false);
      expect(stderr).toContain(`interrupted by ${signal}`);
    }, 60_000);
  }

  it('100,000 unknown columns: one short warning line with the count and the first names', () => {
    const dir = fresh();
    const extra = Array.from({ length: 100_000 }, (_, i) => `junk_${i}`);
    const raw = join(dir, 'wide.csv');
    const filler = new Array(100_000).fill('x').join(',');
    writeFileSync(raw, `${[...COLUMN_NAMES, ...extra].join(',')}\n${ROW},${filler}\n${OTHER},${filler}\n`);
    const r = run([
      '--params',
      PARAMS,
      '--input',
      raw,
      '--output',
      join(dir, 'c.csv'),
      '--profile',
      join(dir, 'p'),
      '--no-mlflow',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('unknown column'))!;
    expect(line).toContain('100000 unknown column(s)');
    expect(line).toContain('junk_0, junk_1');
    expect(line).toContain('and 99,990 more');
    expect(line.length).toBeLessThan(400);
  });

  it('names the experiment the run went to (MLFLOW_EXPERIMENT_NAME), not a fixed one', () => {
    const dir = fresh();
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${ROW}\n${OTHER}\n`);
    const r = run(
      ['--params', PARAMS, '--input', raw, '--output', join(dir, 'c.csv'), '--profile', join(dir, 'p')],
      {
        MLFLOW_TRACKING_URI: `file:${join(dir, 'mlruns')}`,
        MLFLOW_EXPERIMENT_NAME: 'elsewhere',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/logged run [0-9a-f]{32} to .* \(experiment elsewhere\)/);
  });

  it('an experiment deleted in MLflow is refused before any output is written (exit 2, MLflow message)', async () => {
    const dir = fresh();
    const root = join(dir, 'mlruns');
    const { FileStore } = await import('@mlops/tracking'); // loaded lazily, as the CLI loads it
    const store = new FileStore(root);
    const exp = await store.getOrCreateExperiment('gone');
    const meta = join(root, exp.experimentId, 'meta.yaml');
    writeFileSync(
      meta,
      readFileSync(meta, 'utf8').replace('lifecycle_stage: active', 'lifecycle_stage: deleted'),
    );
    renameSync(join(root, exp.experimentId), join(root, '.trash', exp.experimentId));
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${ROW}\n${OTHER}\n`);
    const r = run(
      ['--params', PARAMS, '--input', raw, '--output', join(dir, 'c.csv'), '--profile', join(dir, 'p')],
      {
        MLFLOW_TRACKING_URI: `file:${root}`,
        MLFLOW_EXPERIMENT_NAME: 'gone',
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Cannot set a deleted experiment 'gone' as the active experiment");
    expect(existsSync(join(dir, 'c.csv'))).toBe(false);
    expect(readdirSync(root).filter((f) => f !== '.trash' && f !== '0')).toEqual([]);
  });

  it('a tracking store path that is a file is exit 2 naming it, before any output', () => {
    const dir = fresh();
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${ROW}\n${OTHER}\n`);
    writeFileSync(join(dir, 'mlruns'), 'a file');
    const r = run(
      ['--params', PARAMS, '--input', raw, '--output', join(dir, 'c.csv'), '--profile', join(dir, 'p')],
      {
        MLFLOW_TRACKING_URI: `file:${join(dir, 'mlruns')}`,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'mlruns')}: the MLflow tracking store is a file, not a folder`);
    expect(existsSync(join(dir, 'c.csv'))).toBe(false);
  });

  it('an empty params file is a warning naming it; a folder as params is exit 2 naming it', () => {
    const dir = fresh();
    const raw = join(dir, 'raw.csv');
    writeFileSync(raw, `${COLUMN_NAMES.join(',')}\n${ROW}\n${OTHER}\n`);
    writeFileSync(join(dir, 'params.yaml'), '');
    const args = ['--input', raw, '--output', join(dir, 'c.csv'), '--profile', join(dir, 'p'), '--no-mlflow'];
    const r = run(['--params', join(dir, 'params.yaml'), ...args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`WARNING - ${join(dir, 'params.yaml')}: the params file is empty`);
    const folder = run(['--params', dir, ...args]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`${dir}: is a folder, not a params file`);
  });

  it.skipIf(!existsSync('/dev/zero'))(
    '/dev/zero as input is exit 2 naming the file and line, memory bounded',
    () => {
      const dir = fresh();
      const r = run([
        '--params',
        PARAMS,
        '--input',
        '/dev/zero',
        '--output',
        join(dir, 'c.csv'),
        '--profile',
        join(dir, 'p'),
        '--no-mlflow',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('/dev/zero: line 1 is longer than');
    },
  );
});
