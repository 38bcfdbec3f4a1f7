import { spawn, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_NAMES } from '@mlops/core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/eda/dist/main.js');
const PARAMS = join(ROOT, 'config/params.yaml');
const RAW = fileURLToPath(
  new URL('../../../../shared/data/obesity/obesity_estimation_modified.csv', import.meta.url),
);
const REFERENCE = fileURLToPath(
  new URL('../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url),
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eda-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, '--params', PARAMS, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MLFLOW_TRACKING_URI: `file:${join(dir, 'mlruns')}`, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const GOOD_ROW =
  'Female,21.0,1.62,64.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,0.0,1.0,no,Public_Transportation,Normal_Weight';
const OTHER_ROW = ' mALE ,23, 1.8 ,77,yes,no,2,3,Sometimes,no,2,no,2,1,Frequently, wALKING , oBESITY_tYPE_i ';

async function csv(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function expectNoOutput(out: string) {
  expect(existsSync(out)).toBe(false);
  const leftovers = (await readdir(dir)).filter((f) => f.includes('.tmp'));
  expect(leftovers).toEqual([]);
}

describe('mlops-eda CLI', () => {
  it('prints usage with --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--input RAW.csv');
  });

  it('cleans a small file, writes the profile (JSON + Markdown) and reports an unknown column', async () => {
    const input = await csv(
      'small.csv',
      `${COLUMN_NAMES.join(',')},mixed_type_col,comment\r\n${GOOD_ROW},bad,hi\r\n${OTHER_ROW},,x\r\n`,
    );
    const out = join(dir, 'out/small_clean.csv');
    const prof = join(dir, 'out/profile');
    const r = run(['--input', input, '--output', out, '--profile', prof, '--no-mlflow']);
    expect(r.stderr).toContain('unknown column(s) kept out of the output: comment');
    expect(r.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[0]).toBe(COLUMN_NAMES.join(','));
    expect(text.split('\n')[2]).toBe(
      'Male,23.0,1.8,77.0,yes,no,2.0,3.0,Sometimes,no,2.0,no,2.0,1.0,Frequently,Walking,obesity_type_i',
    );
    const profile = JSON.parse(await readFile(join(prof, 'eda_profile.json'), 'utf8'));
    expect(profile.input.unknown_columns).toEqual(['comment']);
    expect(profile.input.dropped_columns).toEqual(['mixed_type_col']);
    expect(profile.output.column_names).toEqual(COLUMN_NAMES);
    expect(await readFile(join(prof, 'eda_profile.md'), 'utf8')).toContain(
      'Unknown columns kept out of the output: comment',
    );
    expect(existsSync(join(dir, 'mlruns'))).toBe(false);
  });

  it('a missing required column is exit 2 naming it, with nothing written', async () => {
    const header = COLUMN_NAMES.filter((c) => c !== 'CALC');
    const row = GOOD_ROW.split(',').filter((_, j) => COLUMN_NAMES[j] !== 'CALC');
    const input = await csv('nocalc.csv', `${header.join(',')}\n${row.join(',')}\n`);
    const out = join(dir, 'nocalc_clean.csv');
    const r = run(['--input', input, '--output', out, '--profile', join(dir, 'p1'), '--no-mlflow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required column "CALC"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await expectNoOutput(out);
    expect(existsSync(join(dir, 'p1'))).toBe(false);
  });

  it('an all-empty column is exit 2 naming it', async () => {
    const blank = (line: string) =>
      line
        .split(',')
        .map((v, j) => (COLUMN_NAMES[j] === 'Height' ? '' : v))
        .join(',');
    const input = await csv(
      'noheight.csv',
      `${COLUMN_NAMES.join(',')}\n${blank(GOOD_ROW)}\n${blank(OTHER_ROW)}\n`,
    );
    const out = join(dir, 'noheight_clean.csv');
    const r = run(['--input', input, '--output', out, '--profile', join(dir, 'p2'), '--no-mlflow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column "Height" has no usable value/);
    await expectNoOutput(out);
  });

  it.each([
    ['an empty file', '', /empty file/],
    ['a header-only file', `${COLUMN_NAMES.join(',')}\n`, /header only/],
    [
      'binary garbage',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01, 0x9c]),
      /invalid UTF-8/,
    ],
    ['a JSON file', '{"rows": [1, 2, 3]}\n', /header only, no data rows/],
    ['a multi-line JSON file', '{\n  "rows": [1, 2]\n}\n', /missing required columns/],
    ['a text file', 'hello world\nthis is not a table\n', /missing required columns "Gender", "Age"/],
    ['a ragged CSV', `${COLUMN_NAMES.join(',')}\n${GOOD_ROW},extra\n`, /ragged row/],
  ])('%s is exit 2 with a clear message and no output', async (name, content, message) => {
    const input = await csv(`bad-${name.replace(/\W/g, '_')}.csv`, content);
    const out = join(dir, `bad-${name.replace(/\W/g, '_')}_clean.csv`);
    const r = run(['--input', input, '--output', out, '--no-mlflow', '--profile', join(dir, 'pbad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    await expectNoOutput(out);
  });

  it('a missing input file is exit 2', () => {
    const r = run(['--input', join(dir, 'nope.csv'), '--output', join(dir, 'x.csv'), '--no-mlflow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.csv: file not found/);
  });

  it('an unknown flag is exit 2', () => {
    expect(run(['--bogus']).code).toBe(2);
  });

  it('takes the improvements from --params', async () => {
    const input = await csv(
      'dups.csv',
      `${COLUMN_NAMES.join(',')}\n${GOOD_ROW}\n${GOOD_ROW}\n${OTHER_ROW.replace(' oBESITY_tYPE_i ', '')}\n`,
    );
    const params = await csv(
      'params.yaml',
      'cleaning:\n  drop_missing_target: true\n  drop_duplicates: true\n',
    );
    const out = join(dir, 'dups_clean.csv');
    const r = spawnSync(
      process.execPath,
      [
        MAIN,
        '--params',
        params,
        '--input',
        input,
        '--output',
        out,
        '--profile',
        join(dir, 'p3'),
        '--no-mlflow',
      ],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(2);
    const profile = JSON.parse(await readFile(join(dir, 'p3/eda_profile.json'), 'utf8'));
    expect(profile.summary).toMatchObject({ dropped_missing_target: 1, dropped_duplicates: 1 });
  });

  it.skipIf(!existsSync(RAW))(
    'logs the run to MLflow (file store) and writes the reference bytes on the real file',
    async () => {
      const out = join(dir, 'real_clean.csv');
      const r = run(['--input', RAW, '--output', out, '--profile', join(dir, 'real_profile')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('corrected 165 out-of-range values, imputed 454 missing cells');
      expect(await readFile(out, 'utf8')).toBe(await readFile(REFERENCE, 'utf8'));
      const mlruns = join(dir, 'mlruns');
      const experiments = (await readdir(mlruns)).filter((e) => /^\d+$/.test(e) && e !== '0');
      expect(experiments.length).toBe(1);
      const meta = await readFile(join(mlruns, experiments[0]!, 'meta.yaml'), 'utf8');
      expect(meta).toContain('name: obesity-eda-refactored');
      const runs = (await readdir(join(mlruns, experiments[0]!), { withFileTypes: true })).filter((d) =>
        d.isDirectory(),
      );
      expect(runs.length).toBe(1);
      const runDir = join(mlruns, experiments[0]!, runs[0]!.name);
      expect((await readFile(join(runDir, 'params/input_rows'), 'utf8')).trim()).toBe('2153');
      expect((await readFile(join(runDir, 'params/output_missing'), 'utf8')).trim()).toBe('0');
      expect(await readFile(join(runDir, 'metrics/rows_preserved_pct'), 'utf8')).toMatch(/ 100(\.0)? /);
      expect(await readFile(join(runDir, 'tags/mlflow.runName'), 'utf8')).toBe('eda_data_cleaning');
      expect(existsSync(join(runDir, 'artifacts/real_clean.csv'))).toBe(true);
    },
  );
});

describe('unusable output paths', () => {
  const sample = join(ROOT, 'packages/eda/tests/fixtures/sample-400.csv');
  it('an output that is a folder, or a profile folder that is a file, is exit 2 before any work, nothing written', async () => {
    const asFolder = join(dir, 'out-is-folder');
    await mkdir(asFolder);
    let r = run(['--input', sample, '--output', asFolder, '--profile', join(dir, 'p-ok'), '--no-mlflow']);
    expect([r.code, r.stderr]).toEqual([
      2,
      `mlops-eda: error: ${asFolder}: cannot write: it is a folder, not a file\n`,
    ]);
    expect(existsSync(join(dir, 'p-ok'))).toBe(false);
    const asFile = join(dir, 'profile-is-file');
    await writeFile(asFile, 'x');
    const out = join(dir, 'not-written.csv');
    r = run(['--input', sample, '--output', out, '--profile', asFile, '--no-mlflow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mlops-eda: error: ${join(asFile, 'eda_profile.json')}: cannot write: ${asFile} is a file, not a folder\n`,
    );
    await expectNoOutput(out);
  });

  it('a gzip-compressed input is read like the plain file (as pandas reads .csv.gz)', async () => {
    const gz = join(dir, 'sample.csv.gz');
    await writeFile(gz, gzipSync(await readFile(sample)));
    const plain = join(dir, 'from-plain.csv');
    const fromGz = join(dir, 'from-gz.csv');
    expect(
      run(['--input', sample, '--output', plain, '--profile', join(dir, 'pp'), '--no-mlflow']).code,
    ).toBe(0);
    expect(run(['--input', gz, '--output', fromGz, '--profile', join(dir, 'pg'), '--no-mlflow']).code).toBe(
      0,
    );
    expect(await readFile(fromGz, 'utf8')).toBe(await readFile(plain, 'utf8'));
  });
});

describe('closed or full output streams', () => {
  const runClosing = (args: string[], close: 'stdout' | 'stderr') =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      if (close === 'stdout') child.stdout.destroy();
      else child.stderr.destroy();
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });

  it('a reader that closes the pipe early (| head) is no crash: exit 0, no stack trace', async () => {
    const r = await runClosing(['--help'], 'stdout');
    expect(r).toEqual({ code: 0, stderr: '' });
  });

  it('a closed log pipe does not stop the run half-way: the outputs are complete', async () => {
    const out = join(dir, 'closed-stderr.csv');
    const sample = join(ROOT, 'packages/eda/tests/fixtures/sample-400.csv');
    const r = await runClosing(
      ['--params', PARAMS, '--input', sample, '--output', out, '--profile', join(dir, 'cs'), '--no-mlflow'],
      'stderr',
    );
    expect(r.code).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(401);
    expect(existsSync(join(dir, 'cs/eda_profile.md'))).toBe(true);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'output that cannot be written (a full disk) is exit 1 with one line',
    () => {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${MAIN}" --help > /dev/full`], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^mlops-eda: error: cannot write output: .*ENOSPC.*\n$/);
    },
  );
});
