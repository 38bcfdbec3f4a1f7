// The drift figures as Vega-Lite specs (pure builders): which figures, their data and their encodings.
import { describe, expect, it } from 'vitest';
import {
  densityRows,
  detectDrift,
  driftFigures,
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
  baselineVersion: 'v1',
};

function tables() {
  const header = ['Age', 'Weight', 'NCP', 'flag'];
  const ref: string[][] = [];
  const cur: string[][] = [];
  for (let i = 0; i < 400; i++) {
    const u = ((i * 7919) % 400) / 400;
    ref.push([
      (20 + 10 * u).toFixed(2),
      (60 + 30 * u).toFixed(1),
      String(1 + (i % 3)) + '.0',
      i % 2 ? 'yes' : 'no',
    ]);
    cur.push([
      (24 + 10 * u).toFixed(2),
      (60 + 30 * u).toFixed(1),
      String(1 + (i % 3)) + '.0',
      i % 5 ? 'yes' : 'no',
    ]);
  }
  return { reference: tableFromRows('ref.csv', header, ref), current: tableFromRows('cur.csv', header, cur) };
}

const model: ModelEvaluation = {
  computed: true,
  modelName: 'm',
  baseline: { accuracy: 0.9, precision: 0.8, recall: 0.9, f1: 0.85 },
  baselineRows: 80,
  current: { accuracy: 0.6, precision: 0.78, recall: 0.95, f1: 0.7 },
  currentRows: 400,
  currentRowsSkipped: 0,
  importances: [['Age', 1]],
};

describe('driftFigures', () => {
  const { reference, current } = tables();
  const report = detectDrift(reference, current, OPTIONS, model);
  const figures = driftFigures(reference, current, report, { psiThreshold: 0.25, performanceWarning: 0.05 });
  const byName = new Map(figures.map((f) => [f.name, f.spec as Record<string, any>])); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('draws figures 10-12 and one overlay per column Evidently found drifted', () => {
    const drifted = report.evidently.columns.filter((c) => c.drift_detected).map((c) => c.column);
    expect(drifted).toEqual(['Age', 'flag']);
    expect(figures.map((f) => f.name)).toEqual([
      '10_drift_distributions',
      '11_drift_performance_comparison',
      '12_drift_psi_heatmap',
      'drift_overlay_Age',
      'drift_overlay_flag',
    ]);
    for (const f of figures) {
      const text = JSON.stringify(f.spec);
      expect(text).not.toMatch(/NaN|Infinity|null,"density"/);
      expect((f.spec as { $schema: string }).$schema).toMatch(/vega-lite\/v6/);
    }
  });
  it('figure 10: the spec features present, titled with their mean shift', () => {
    const panels = byName.get('10_drift_distributions')!.concat;
    expect(panels.map((p: { title: { text: string[] } }) => p.title.text[0])).toEqual([
      'Age',
      'Weight',
      'NCP',
    ]);
    expect(panels[0].title.text[1]).toMatch(/^\(Shift: \+1[0-9]\.\d%\)$/);
    expect(panels[1].title.text[1]).toBe('(Shift: +0.0%)');
  });
  it('figure 11: bars per metric, a drop label only where a metric fell, red above the warning level', () => {
    const spec = byName.get('11_drift_performance_comparison')!;
    const drops = spec.layer[1].data.values;
    expect(
      drops.map((d: { metric: string; label: string; color: string }) => [d.metric, d.label, d.color]),
    ).toEqual([
      ['Accuracy', '33.3%↓', '#d62728'],
      ['Precision', '2.5%↓', '#ff7f0e'],
      ['F1', '17.6%↓', '#d62728'],
    ]);
    expect(spec.layer[0].layer[0].encoding.y.scale.domain).toEqual([0, 1.1]);
  });
  it('figure 12: PSI highest first, coloured by the alert threshold and the 0.1 line', () => {
    const rows = byName.get('12_drift_psi_heatmap')!.layer[0].data.values as {
      feature: string;
      psi: number;
      color: string;
    }[];
    expect(rows.map((r) => r.psi)).toEqual([...rows.map((r) => r.psi)].sort((a, b) => b - a));
    for (const r of rows)
      expect(r.color).toBe(r.psi > 0.25 ? '#d62728' : r.psi > 0.1 ? '#ff7f0e' : '#2ca02c');
    const lines = byName.get('12_drift_psi_heatmap')!.layer[1].data.values;
    expect(lines.map((l: { label: string }) => l.label)).toEqual([
      'Alert Threshold (0.25)',
      'Warning Threshold (0.1)',
    ]);
  });
  it('overlays: densities for a continuous column, shares for a categorical one', () => {
    expect(byName.get('drift_overlay_Age')!.layer[0].mark.type).toBe('rect');
    const flag = byName.get('drift_overlay_flag')!;
    expect(flag.mark.type).toBe('bar');
    const shares = flag.data.values as { dataset: string; category: string; share: number }[];
    expect(shares.filter((s) => s.dataset === 'Baseline').reduce((t, s) => t + s.share, 0)).toBeCloseTo(1, 5);
  });
  it('without a report: figure 10 only; without a model: no figure 11', () => {
    expect(
      driftFigures(reference, current, null, { psiThreshold: 0.25, performanceWarning: 0.05 }).map(
        (f) => f.name,
      ),
    ).toEqual(['10_drift_distributions']);
    const noModel = detectDrift(reference, current, OPTIONS, { computed: false, reason: 'no model' });
    expect(
      driftFigures(reference, current, noModel, { psiThreshold: 0.25, performanceWarning: 0.05 }).map(
        (f) => f.name,
      ),
    ).not.toContain('11_drift_performance_comparison');
  });
  it('densities integrate to 1 per sample over 30 bins', () => {
    const rows = densityRows(Float64Array.from([1, 2, 3, 4]), Float64Array.from([2, 2, 5]));
    for (const d of ['Baseline', 'With Drift']) {
      const area = rows
        .filter((r) => r.dataset === d)
        .reduce((t, r) => t + r.density * (r.bin_end - r.bin_start), 0);
      expect(area).toBeCloseTo(1, 4);
    }
  });
});
