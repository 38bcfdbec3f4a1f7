// On the real data (../shared/data/obesity, skipped with a message when absent): the spec's drift scenario gives
// the predecessor's PSI, real Evidently (../shared/tools/evidently, when present) gives the same per-column scores
// and decisions, dataset_drift is false as Evidently says, and the release verdict fires (exit 3) with a model;
// the clean data against itself or a random half of itself fires nothing (exit 0).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '@mlops/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScore, trainBundle } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = join(root, 'packages/drift/dist/main.js');
const params = join(root, 'config/params.yaml');
const clean = join(root, '../shared/data/obesity/dataset_limpio.csv');
const evidently = join(root, '../shared/tools/evidently/python');
const runEvidently = fileURLToPath(new URL('./fixtures/evidently/run_evidently.py', import.meta.url));
const haveData = existsSync(clean);
/**
 * The tool installs its Debian dependencies on first use (minutes of apt-get): the live test runs only when they
 * are already there, and says how to install them otherwise.
 */
function evidentlyReady(): string | undefined {
  if (!existsSync(evidently)) return `${evidently} is absent`;
  const probe = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import pandas, scipy, plotly, statsmodels, nltk, pydantic'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0)
    return `Evidently's Debian dependencies are not installed yet (run ${evidently} -c "import evidently" once)`;
  return undefined;
}
const evidentlyMissing = evidentlyReady();
const haveEvidently = evidentlyMissing === undefined;
if (!haveData) console.warn(`real-data tests skipped: ${clean} is absent`);
if (!haveEvidently) console.warn(`live Evidently test skipped: ${evidentlyMissing}`);

function drift(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args, '--params', params], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

// The predecessor's table (spec: detect_drift, checked-in values).
const SPEC_PSI: Record<string, number> = { Age: 0.577, Height: 1.029, Weight: 0.5772 };

describe.skipIf(!haveData)('real data', () => {
  let dir: string;
  let drifted: string;
  let model: string;
  let report: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlops-drift-real-'));
    drifted = join(dir, 'dataset_with_drift.csv');
    model = join(dir, 'models');
    const s = drift(['simulate', '--input', clean, '--output', drifted]);
    if (s.code !== 0) throw new Error(s.stderr);
    await trainBundle(clean, model);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the drifted copy exits 3 with --fail-on-drift: dataset_drift false, the release verdict fires', () => {
    const out = join(dir, 'drift');
    const r = drift([
      'detect',
      '--reference',
      clean,
      '--current',
      drifted,
      '--model',
      model,
      '--output',
      out,
      '--fail-on-drift',
    ]);
    expect(r.code, r.stderr).toBe(3);
    report = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
    expect(report.verdict.dataset_drift).toBe(false);
    expect(report.evidently.number_of_drifted_columns).toBe(3);
    expect(report.evidently.number_of_columns).toBe(17);
    expect(report.verdict.release.fires).toBe(true);
    expect(report.verdict.release.checks.important_feature_drift).toBe(true);
    expect(report.verdict.release.checks.performance_critical).toBe(true);
    // BMI is no column: it is tested by computing Weight / Height² in both files.
    expect(
      report.verdict.release.important_features.find((f: { feature: string }) => f.feature === 'BMI'),
    ).toMatchObject({
      derived: true,
      drift_detected: true,
      stattest_name: 'Wasserstein distance (normed)',
    });
    expect(report.performance.baseline_rows).toBe(431);
    expect(report.performance.baseline_note).toBeUndefined();
  });
  it("gives the predecessor's PSI for Age, Height and Weight (within 0.05; exactly, with numpy's generator)", () => {
    for (const [feature, psi] of Object.entries(SPEC_PSI)) {
      expect(Math.abs(report.feature_drift[feature].psi - psi), feature).toBeLessThan(0.05);
      expect(report.feature_drift[feature].psi).toBeCloseTo(psi, 3);
      expect(report.feature_drift[feature].drift_severity).toBe('high');
    }
    expect(report.feature_drift_summary).toEqual({
      total_features: 8,
      features_with_drift: 8,
      critical_alerts: 7,
      warning_alerts: 5,
      total_alerts: 12,
    });
  });
  it.skipIf(!haveEvidently)(
    'per-column scores and decisions equal real Evidently 0.4.40 on the same files',
    () => {
      const r = spawnSync(evidently, [runEvidently, clean, drifted], { encoding: 'utf8', timeout: 300_000 });
      expect(r.status, r.stderr).toBe(0);
      const ev = JSON.parse(r.stdout);
      expect(ev.dataset.dataset_drift).toBe(false);
      expect(report.evidently.share_of_drifted_columns).toBeCloseTo(ev.dataset.share_of_drifted_columns, 12);
      expect(Object.keys(ev.columns).sort()).toEqual(
        report.evidently.columns.map((c: { column: string }) => c.column).sort(),
      );
      for (const c of report.evidently.columns) {
        const e = ev.columns[c.column];
        expect(c.column_type, c.column).toBe(e.column_type);
        expect(c.stattest_name, c.column).toBe(e.stattest_name);
        expect(c.stattest_threshold, c.column).toBe(e.stattest_threshold);
        expect(c.drift_detected, c.column).toBe(e.drift_detected);
        expectScore(c.drift_score, Number(e.drift_score), c.stattest_name.endsWith('p_value'), c.column);
      }
    },
  );
  it('the clean data against itself and against a random half of itself fires nothing (exit 0)', () => {
    const lines = readFileSync(clean, 'utf8').trimEnd().split('\n');
    const order = new SeededRng(7).permutation(lines.length - 1);
    const half = join(dir, 'half.csv');
    const rows = [...order.subarray(0, (lines.length - 1) >> 1)]
      .sort((a, b) => a - b)
      .map((i) => lines[i + 1]);
    writeFileSync(half, `${[lines[0], ...rows].join('\n')}\n`);
    for (const current of [clean, half]) {
      const out = join(dir, `same-${current === clean ? 'self' : 'half'}`);
      const r = drift([
        'detect',
        '--reference',
        clean,
        '--current',
        current,
        '--model',
        model,
        '--output',
        out,
        '--fail-on-drift',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(readFileSync(join(out, 'drift_report.json'), 'utf8'));
      expect(rep.verdict.dataset_drift).toBe(false);
      expect(rep.verdict.release).toMatchObject({ fires: false, reasons: [] });
      expect(rep.evidently.number_of_drifted_columns).toBe(0);
      expect(rep.alerts).toEqual([]);
    }
  });
});
