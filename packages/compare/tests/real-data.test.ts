// The real obesity data (../shared/data/obesity, never committed): skipped, saying so, when it is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareAligned, compareDistribution, loadFrame } from '../src/index.js';

const dataDir = fileURLToPath(new URL('../../../../shared/data/obesity/', import.meta.url));
const limpio = join(dataDir, 'dataset_limpio.csv');
const original = join(dataDir, 'obesity_estimation_original.csv');
const present = existsSync(limpio) && existsSync(original);
if (!present) console.warn(`SKIPPED compare real-data tests: ${dataDir} is absent`);

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/compare/dist/main.js');
const run = (args: string[]) =>
  spawnSync(process.execPath, [main, '--params', join(root, 'config/params.yaml'), ...args], {
    encoding: 'utf8',
  });
/** `--mode aligned --fail-on-diff` against dataset_limpio.csv at 1e-9 tolerance, the identity check. */
const runAlignedStrict = (input: string, out: string) =>
  run([
    '--input',
    input,
    '--reference',
    limpio,
    '--mode',
    'aligned',
    '--fail-on-diff',
    '--rtol',
    '1e-9',
    '--atol',
    '1e-9',
    '--output',
    out,
  ]);
const dir = mkdtempSync(join(tmpdir(), 'mlops-compare-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!present)('compare on the real obesity data', () => {
  it('aligned: dataset_limpio.csv against itself is identical (1e-9 tolerance)', async () => {
    const f = await loadFrame(limpio);
    const r = compareAligned(f, f, { rtol: 1e-9, atol: 1e-9, maxExamples: 5 });
    expect(r.identical).toBe(true);
    expect(r.shape.input).toEqual([2153, 17]);
    expect(r.columns.filter((c) => c.comparison === 'numeric').map((c) => c.name)).toEqual([
      'Age',
      'Height',
      'Weight',
      'FCVC',
      'NCP',
      'CH2O',
      'FAF',
      'TUE',
    ]);
    const out = join(dir, 'same');
    const p = runAlignedStrict(limpio, out);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')).identical).toBe(true);
  });
  it('aligned: a copy with one cell changed exits 1 with --fail-on-diff, naming the cell', () => {
    const lines = readFileSync(limpio, 'utf8').split('\n');
    const cells = lines[1000]!.split(',');
    const before = cells[3]!; // Weight of data row 1000
    cells[3] = String(Number(before) + 1e-6);
    lines[1000] = cells.join(',');
    const copy = join(dir, 'changed.csv');
    writeFileSync(copy, lines.join('\n'));
    const out = join(dir, 'changed');
    const p = runAlignedStrict(copy, out);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(
      new RegExp(`Weight: 1 differing cell\\(s\\); first: row 1000: "${cells[3]}" vs "${before}"`),
    );
    const report = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    expect(
      report.columns
        .filter((c: { differing_cells: number }) => c.differing_cells > 0)
        .map((c: { name: string }) => c.name),
    ).toEqual(['Weight']);
  });
  it('distribution: dataset_limpio.csv vs obesity_estimation_original.csv runs and reports', async () => {
    const r = compareDistribution(await loadFrame(limpio), await loadFrame(original), {
      alpha: 0.05,
      maxExamples: 5,
    });
    expect([r.rows.input, r.rows.reference]).toEqual([2153, 2111]);
    expect([r.rows.duplicatesInput, r.rows.duplicatesReference]).toEqual([49, 24]); // pandas duplicated().sum()
    expect(r.rows.onlyInInput).toBe(2153 - r.rows.matched);
    expect(r.categoryMapping.filter((m) => m.column === 'NObeyesdad')).toHaveLength(7);
    // scipy.stats.ks_2samp on these two Age columns: D = 0.01432238580430334, p = 0.9778655745316825 (exact).
    const age = r.numeric.find((c) => c.column === 'Age')!;
    expect(age.ks!.method).toBe('exact');
    expect(age.ks!.statistic).toBeCloseTo(0.01432238580430334, 12);
    expect(Math.abs(age.ks!.pvalue / 0.9778655745316825 - 1)).toBeLessThan(1e-6);
    // scipy.stats.chi2_contingency on Gender: chi2 = 0.32320828654411693 (Yates), p = 0.569685931491472.
    const gender = r.categorical.find((c) => c.column === 'Gender')!;
    expect(gender.chi2!.statistic).toBeCloseTo(0.32320828654411693, 10);
    expect(r.classBalance!.classes).toHaveLength(7);
    expect(typeof r.differs).toBe('boolean');
    const out = join(dir, 'dist');
    const p = run(['--input', limpio, '--reference', original, '--mode', 'distribution', '--output', out]);
    expect(p.status, p.stderr).toBe(0);
    expect(readFileSync(join(out, 'comparison.md'), 'utf8')).toMatch(
      /normal_weight \| normal_weight \| Normal_Weight/,
    );
  });
});
