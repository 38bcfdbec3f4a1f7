// The built CLI (node packages/compare/dist/main.js), run on real files in a temp folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/compare/dist/main.js');
const params = join(root, 'config/params.yaml');

function runCompare(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [main, '--params', params, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npx nx run compare:build first`);
  dir = mkdtempSync(join(tmpdir(), 'mlops-compare-'));
  const rows = Array.from(
    { length: 40 },
    (_, i) => `${(i * 1.7).toFixed(1)},${i % 3 ? 'yes' : 'no'},Normal_Weight`,
  );
  writeFileSync(join(dir, 'ref.csv'), `x,flag,NObeyesdad\n${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'same.csv'), `x,flag,NObeyesdad\n${rows.join('\n')}\n`);
  const changed = [...rows];
  changed[6] = '99.9,no,Normal_Weight';
  writeFileSync(join(dir, 'changed.csv'), `x,flag,NObeyesdad\n${changed.join('\n')}\n`);
  writeFileSync(join(dir, 'ragged.csv'), 'x,flag\n1,yes\n2\n');
  writeFileSync(join(dir, 'binary.csv'), Buffer.from([0x78, 0x0a, 0xff, 0xfe, 0x0a]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mlops-compare CLI', () => {
  it('exits 0 and writes both reports when the files are identical', () => {
    const out = join(dir, 'out-same');
    const r = runCompare([
      '--input',
      join(dir, 'same.csv'),
      '--reference',
      join(dir, 'ref.csv'),
      '--mode',
      'aligned',
      '--output',
      out,
      '--fail-on-diff',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['comparison.json', 'comparison.md']);
    const report = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(report.mode).toBe('aligned');
    expect(report.identical).toBe(true);
    expect(report.difference).toBe(false);
    expect(report.checks.values_match).toBe(true);
  });
  it('exits 1 with --fail-on-diff when a cell differs, naming the cell', () => {
    const out = join(dir, 'out-changed');
    const args = [
      '--input',
      join(dir, 'changed.csv'),
      '--reference',
      join(dir, 'ref.csv'),
      '--mode',
      'aligned',
      '--output',
      out,
    ];
    const r = runCompare([...args, '--fail-on-diff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/found differences/);
    expect(r.stderr).toMatch(/x: 1 differing cell\(s\); first: row 7: "99.9" vs "10.2"/);
    const report = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(report.identical).toBe(false);
    const x = report.columns.find((c: { name: string }) => c.name === 'x');
    expect(x.examples[0]).toMatchObject({ row: 7, input: '99.9', reference: '10.2' });
    expect(readFileSync(join(out, 'comparison.md'), 'utf8')).toMatch(/\| 7 \| 99.9 \| 10.2 \|/);
    // Without the flag the same difference is reported but the run succeeds.
    expect(runCompare(args).code).toBe(0);
  });
  it('runs distribution mode by default (params) and reports', () => {
    const out = join(dir, 'out-dist');
    const r = runCompare([
      '--input',
      join(dir, 'changed.csv'),
      '--reference',
      join(dir, 'ref.csv'),
      '--output',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(report.mode).toBe('distribution');
    expect(report.rows.only_in_input).toBe(1);
    expect(report.numeric[0].ks.method).toBe('exact');
  });
  it('exits 2 naming the file when an input is missing, ragged or not text, and writes nothing', () => {
    const out = join(dir, 'out-bad');
    const cases: [string, RegExp][] = [
      [join(dir, 'nope.csv'), /nope\.csv: file not found/],
      [join(dir, 'ragged.csv'), /ragged\.csv: ragged row at line 3/],
      [join(dir, 'binary.csv'), /binary\.csv: invalid UTF-8/],
      [dir, /is a folder/],
    ];
    for (const [file, message] of cases) {
      const r = runCompare(['--input', file, '--reference', join(dir, 'ref.csv'), '--output', out]);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1); // one line, no stack trace
      const r2 = runCompare(['--input', join(dir, 'ref.csv'), '--reference', file, '--output', out]);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
  it('exits 2 on a bad mode, a bad tolerance or an unknown flag; --help exits 0', () => {
    const base = [
      '--input',
      join(dir, 'ref.csv'),
      '--reference',
      join(dir, 'ref.csv'),
      '--output',
      join(dir, 'o'),
    ];
    expect(runCompare([...base, '--mode', 'fuzzy']).stderr).toMatch(/--mode: "fuzzy"/);
    expect(runCompare([...base, '--mode', 'fuzzy']).code).toBe(2);
    expect(runCompare([...base, '--atol', 'abc']).code).toBe(2);
    expect(runCompare([...base, '--alpha', '2']).code).toBe(2);
    expect(runCompare([...base, '--bogus']).code).toBe(2);
    const help = runCompare(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: mlops-compare/);
  });
  it('leaves no temp files behind and fails cleanly when the output cannot be written', () => {
    const out = join(dir, 'out-same');
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    const r = runCompare([
      '--input',
      join(dir, 'ref.csv'),
      '--reference',
      join(dir, 'ref.csv'),
      '--output',
      join(blocker, 'sub'),
    ]);
    expect(r.code).toBe(2);
    // found before the comparison runs, naming the report path and the file in the way
    expect(r.stderr).toMatch(
      /blocker\/sub\/comparison\.json: cannot write: .*blocker is a file, not a folder/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
