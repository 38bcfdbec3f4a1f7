// detect as pure functions: the predecessor's rules and messages, the verdicts, typed JSON, and the bad inputs the
// issue names (different columns, a column all missing, a one-row current file, text in a numeric column).
import { describe, expect, it } from 'vitest';
import {
  alertsText,
  classificationMetrics,
  degradation,
  detectDrift,
  featureAlerts,
  featureDrift,
  reportJson,
  reportMarkdown,
  tableFromRows,
  type DetectOptions,
  type ModelEvaluation,
} from '../src/index.js';

const OPTIONS: DetectOptions = {
  pvalueThreshold: 0.05,
  distanceThreshold: 0.1,
  driftShare: 0.5,
  minRows: 2,
  psiThreshold: 0.25,
  ksThreshold: 0.1,
  alertThreshold: 0.5,
  psiBins: 10,
  psiBinning: 'equal_width',
  performanceWarning: 0.05,
  performanceCritical: 0.1,
  importantFeatures: 2,
  baselineVersion: 'v1.0.0',
};
const NO_MODEL: ModelEvaluation = { computed: false, reason: 'no model (--no-model)' };

/** A table with numeric x, y and a category c: `shift` moves x. */
function table(name: string, n: number, shift = 0, seed = 1) {
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const u = ((i * 7919 + seed * 104729) % 1000) / 1000;
    rows.push([
      (10 + 5 * u + shift).toFixed(3),
      ((i * 31) % 17).toFixed(1),
      ['a', 'b', 'c'][(i + seed) % 3]!,
    ]);
  }
  return tableFromRows(name, ['x', 'y', 'c'], rows);
}

describe("the predecessor's rules", () => {
  const base = Float64Array.from({ length: 400 }, (_, i) => (i % 100) / 10);
  it('grades severity by PSI and KS with the thresholds given', () => {
    const same = featureDrift(base, base, OPTIONS);
    expect(same).toMatchObject({
      psi: 0,
      psi_alert: false,
      ks_significant: false,
      has_drift: false,
      drift_severity: 'none',
    });
    const shifted = featureDrift(
      base,
      base.map((v) => v + 3),
      OPTIONS,
    );
    expect(shifted.psi!).toBeGreaterThan(0.5);
    expect(shifted).toMatchObject({
      psi_alert: true,
      has_drift: true,
      drift_severity: 'high',
      ks_method: 'exact',
    });
    expect(shifted.mean_shift).toBeCloseTo(3, 12);
    expect(shifted.mean_shift_pct).toBeCloseTo((3 / 4.95) * 100, 10);
    const lenient = featureDrift(
      base,
      base.map((v) => v + 3),
      { ...OPTIONS, alertThreshold: 100 },
    );
    expect(lenient.drift_severity).toBe('medium');
    // KS alone: a small shift of a discrete column that equal-width PSI misses.
    const small = featureDrift(
      base,
      base.map((v) => v + 0.05),
      { ...OPTIONS, psiThreshold: 10 },
    );
    expect(small.psi_alert).toBe(false);
  });
  it('writes the alert messages and drift_alerts.txt as the predecessor did', () => {
    const features: Array<[string, ReturnType<typeof featureDrift>]> = [
      [
        'Age',
        featureDrift(
          base,
          base.map((v) => v + 3),
          OPTIONS,
        ),
      ],
      [
        'NCP',
        { ...featureDrift(base, base, OPTIONS), ks_significant: true, ks_p_value: 0.00123, has_drift: true },
      ],
    ];
    const alerts = featureAlerts(features, OPTIONS);
    expect(alerts.map((a) => [a.level, a.message])).toEqual([
      ['critical', `Feature 'Age' shows significant drift (PSI: ${features[0]![1].psi!.toFixed(3)})`],
      ['warning', "Feature 'NCP' distribution changed significantly (KS p-value: 0.0012)"],
    ]);
    const text = alertsText(alerts);
    expect(text.split('\n').slice(0, 5)).toEqual([
      '='.repeat(70),
      'DATA DRIFT ALERTS',
      '='.repeat(70),
      '',
      '[CRITICAL] feature_drift',
    ]);
    expect(text).toContain(`  PSI: ${features[0]![1].psi!.toFixed(3)}\n`);
    expect(alertsText([])).toBe(
      `${'='.repeat(70)}\nDATA DRIFT ALERTS\n${'='.repeat(70)}\n\n✓ No drift alerts detected.\n`,
    );
  });
  it('gives null with a reason, never NaN, when a side has no values or one value', () => {
    const empty = featureDrift(base, Float64Array.from([NaN, NaN]), OPTIONS);
    expect(empty.psi).toBeNull();
    expect(empty.ks_p_value).toBeNull();
    expect(empty.has_drift).toBe(false);
    expect(empty.null_reasons!['psi']).toMatch(/current file has no values/);
    const one = featureDrift(base, Float64Array.from([3]), OPTIONS);
    expect(one.current_std).toBeNull();
    expect(one.null_reasons!['current_std']).toMatch(/fewer than 2/);
    expect(typeof one.ks_significant).toBe('boolean');
  });
});

describe('model performance', () => {
  it("scores like scikit-learn's weighted averages with zero_division=0", () => {
    // sklearn 1.2.1: accuracy 0.5714285714285714, precision 0.5714285714285714, recall 0.5714285714285714, f1 0.5238095238095237
    const m = classificationMetrics([0, 0, 1, 1, 2, 2, 3], [0, 1, 1, 1, 2, 0, 1], 4);
    expect(m.accuracy).toBeCloseTo(0.5714285714285714, 15);
    expect(m.precision).toBeCloseTo(0.5714285714285714, 15);
    expect(m.recall).toBeCloseTo(0.5714285714285714, 15);
    expect(m.f1).toBeCloseTo(0.5238095238095237, 15);
    // a class predicted but never true (2) weighs 0: 0.3333333333333333 for each
    expect(classificationMetrics([0, 0, 1], [2, 2, 1], 3).precision).toBeCloseTo(1 / 3, 15);
  });
  it('grades relative drops: warning at 5%, critical at 10%', () => {
    const base = { accuracy: 0.9, precision: 0.9, recall: 0.9, f1: 0 };
    const d = degradation(
      base,
      { accuracy: 0.8, precision: 0.85, recall: 0.9, f1: 0 },
      { warning: 0.05, critical: 0.1 },
    );
    expect(d.accuracy.alert_level).toBe('critical');
    expect(d.precision.alert_level).toBe('warning');
    expect(d.recall.alert_level).toBe('none');
    expect(d.f1.degradation_pct).toBe(0); // baseline 0: no percentage
  });
});

describe('detectDrift', () => {
  it('reports nothing for a file against itself', () => {
    const r = detectDrift(table('ref.csv', 300), table('ref.csv', 300), OPTIONS, NO_MODEL);
    expect(r.verdict.dataset_drift).toBe(false);
    expect(r.verdict.release.fires).toBe(false);
    expect(r.alerts).toEqual([]);
    expect(r.evidently.columns.map((c) => c.stattest)).toEqual(['ks', 'ks', 'chisquare']);
    expect(r.verdict.release.not_computed).toEqual({
      important_feature_drift: 'no model (--no-model)',
      performance_critical: 'no model (--no-model)',
    });
    expect(r.performance).toEqual({ computed: false, reason: 'no model (--no-model)' });
  });
  it('fires dataset drift when half the columns drift, and the release verdict with it', () => {
    const r = detectDrift(table('ref.csv', 300), table('cur.csv', 300, 3, 2), OPTIONS, NO_MODEL);
    expect(r.evidently.columns.find((c) => c.column === 'x')!.drift_detected).toBe(true);
    expect(r.evidently.share_of_drifted_columns).toBeGreaterThanOrEqual(1 / 3);
  });
  it('fires the release verdict on an important drifted feature or a critical drop, with dataset drift false', () => {
    const model: ModelEvaluation = {
      computed: true,
      modelName: 'm',
      baseline: { accuracy: 0.9, precision: 0.9, recall: 0.9, f1: 0.9 },
      baselineRows: 60,
      current: { accuracy: 0.89, precision: 0.9, recall: 0.9, f1: 0.9 },
      currentRows: 300,
      currentRowsSkipped: 0,
      importances: [
        ['x', 0.5],
        ['c', 0.2],
        ['y', 0.1],
      ],
    };
    const reference = table('ref.csv', 300);
    const current = table('cur.csv', 300, 3, 1);
    const r = detectDrift(reference, current, { ...OPTIONS, driftShare: 0.9 }, model);
    expect(r.verdict.dataset_drift).toBe(false);
    expect(r.verdict.release.fires).toBe(true);
    expect(r.verdict.release.checks).toEqual({
      dataset_drift: false,
      important_feature_drift: true,
      performance_critical: false,
    });
    expect(r.verdict.release.important_features.map((f) => [f.feature, f.rank, f.drift_detected])).toEqual([
      ['x', 1, true],
      ['c', 2, false],
    ]);
    // x is not among the most important: only a critical drop fires now
    const quiet = detectDrift(
      reference,
      current,
      { ...OPTIONS, driftShare: 0.9 },
      { ...model, importances: [['c', 1]] },
    );
    expect(quiet.verdict.release.fires).toBe(false);
    const dropped = detectDrift(
      reference,
      current,
      { ...OPTIONS, driftShare: 0.9 },
      {
        ...model,
        importances: [['c', 1]],
        current: { accuracy: 0.7, precision: 0.9, recall: 0.9, f1: 0.9 },
      },
    );
    expect(dropped.verdict.release.checks.performance_critical).toBe(true);
    expect(dropped.alerts.at(-1)).toMatchObject({
      type: 'performance_degradation',
      metric: 'accuracy',
      level: 'critical',
      message: 'Critical degradation in accuracy: 22.22% drop',
    });
  });
  it('refuses files with different columns, naming them', () => {
    const other = tableFromRows('cur.csv', ['x', 'z', 'c'], [['1', '2', 'a']]);
    expect(() => detectDrift(table('ref.csv', 10), other, OPTIONS, NO_MODEL)).toThrow(
      /cur\.csv: its columns differ from the reference ref\.csv: missing "y"; not in the reference: "z"/,
    );
  });
  it('refuses text in a numeric column, naming file, column, row and text', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [String(i), i === 4 ? 'oops' : '1.5', 'a']);
    const current = tableFromRows('cur.csv', ['x', 'y', 'c'], rows);
    expect(() => detectDrift(table('ref.csv', 10), current, OPTIONS, NO_MODEL)).toThrow(
      /cur\.csv: column "y" holds text \(row 5: "oops"\) where ref\.csv has numbers/,
    );
  });
  it('marks an all-missing column and a one-row file "not enough data", with booleans still booleans', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [String(i), '', 'a']);
    const allMissing = tableFromRows('cur.csv', ['x', 'y', 'c'], rows);
    const r = detectDrift(table('ref.csv', 20), allMissing, OPTIONS, NO_MODEL);
    const y = r.evidently.columns.find((c) => c.column === 'y')!;
    expect(y).toMatchObject({ status: 'not_enough_data', drift_detected: false, drift_score: null });
    expect(y.reason).toMatch(
      /not enough data: 0 non-missing value\(s\) in the current file, at least 2 needed/,
    );
    expect(r.evidently.columns_not_tested).toEqual(['y']);
    expect(r.evidently.number_of_columns).toBe(2);
    expect(r.feature_drift['y']!.psi).toBeNull();

    const one = tableFromRows('one.csv', ['x', 'y', 'c'], [['11', '3.0', 'b']]);
    const r1 = detectDrift(table('ref.csv', 50), one, OPTIONS, NO_MODEL);
    expect(r1.evidently.columns.every((c) => c.status === 'not_enough_data')).toBe(true);
    expect(r1.evidently.share_of_drifted_columns).toBeNull();
    expect(r1.evidently.reason).toBe('no column had enough data to be tested');
    expect(r1.verdict.dataset_drift).toBe(false);
    const json = reportJson(r1);
    expect(json).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(json);
    expect(parsed.verdict.release.fires).toBe(false);
    expect(parsed.feature_drift.x.current_std).toBeNull();
    expect(parsed.feature_drift.x.null_reasons.current_std).toMatch(/fewer than 2/);
    for (const f of Object.values(parsed.feature_drift) as Record<string, unknown>[]) {
      for (const k of ['psi_alert', 'ks_significant', 'has_drift']) expect(typeof f[k]).toBe('boolean');
    }
    expect(reportMarkdown(r1)).toContain('Not tested (not enough data): x, y, c');
  });
  it('never writes NaN into the JSON, even if a value slipped through', () => {
    const r = detectDrift(table('ref.csv', 30), table('cur.csv', 30), OPTIONS, NO_MODEL);
    (r.feature_drift['x'] as { psi: number | null }).psi = NaN;
    const parsed = JSON.parse(reportJson(r));
    expect(parsed.feature_drift.x.psi).toBeNull();
    expect(parsed.non_finite_values).toEqual({ 'feature_drift.x.psi': 'NaN' });
  });
});
