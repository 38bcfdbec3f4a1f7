/**
 * The drift figures as Vega-Lite specs (data inline, pre-aggregated so a spec stays small for any row count),
 * built by pure functions; rendering them to SVG/PNG is a separate step (packages/charts `writeFigure`).
 * - 10_drift_distributions: per feature (Age, Weight, Height, FCVC, NCP, CH2O when present, else the first six
 *   numeric columns), overlaid density histograms with 30 bins over both samples' range, reference "Baseline"
 *   blue and current "With Drift" red, dashed mean lines, title "<feature>" / "(Shift: +x.x%)", 3 per row;
 * - 11_drift_performance_comparison: grouped bars baseline vs drifted per metric, values to 3 decimals, y 0–1.1,
 *   "x.x%↓" above a pair when it degraded (red above the warning level, orange below);
 * - 12_drift_psi_heatmap: the predecessor's name for a horizontal bar chart of PSI per feature, highest first,
 *   red above the PSI alert threshold, orange above 0.1, green below, with both lines dashed and labelled;
 * - drift_overlay_<column>: one per drifted column (Evidently's decision): density histograms for a continuous
 *   numeric column, shares per value for a categorical one or a numeric one with few values.
 */
import { mean } from '@mlops/stats';
import type { DriftReport } from './detect.js';
import { METRICS } from './performance.js';
import { finiteValues, type Table, type TableColumn } from './table.js';

export type VegaLiteSpec = { [key: string]: unknown };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const BASELINE = 'Baseline';
const DRIFTED = 'With Drift';
const COLORS = { domain: [BASELINE, DRIFTED], range: ['#1f77b4', '#d62728'] };
/** PSI below this is an insignificant change (the usual rule of thumb; the predecessor's warning line). */
export const PSI_MINOR_CHANGE = 0.1;
export const DISTRIBUTION_FEATURES = ['Age', 'Weight', 'Height', 'FCVC', 'NCP', 'CH2O'];
const BINS = 30;

export interface Figure {
  name: string;
  spec: VegaLiteSpec;
}

const round = (x: number, d = 6) => Number(x.toPrecision(d));

/** Density histograms (area 1 each) of both samples over 30 equal bins of their joint range. */
export function densityRows(reference: Float64Array, current: Float64Array, bins = BINS) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of [reference, current]) {
    for (const x of s) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  if (!Number.isFinite(lo)) return [];
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const rows: Array<{ dataset: string; bin_start: number; bin_end: number; density: number }> = [];
  for (const [dataset, s] of [
    [BASELINE, reference],
    [DRIFTED, current],
  ] as const) {
    const counts = new Float64Array(bins);
    for (const x of s) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]! += 1;
    for (let k = 0; k < bins; k++) {
      if (counts[k] === 0) continue;
      rows.push({
        dataset,
        bin_start: round(lo + k * width),
        bin_end: round(lo + (k + 1) * width),
        density: round(counts[k]! / (s.length * width)),
      });
    }
  }
  return rows;
}

function distributionLayer(
  feature: string,
  r: TableColumn,
  c: TableColumn,
  shiftPct: number | null,
): VegaLiteSpec {
  const ref = finiteValues(r);
  const cur = finiteValues(c);
  const means = [
    { dataset: BASELINE, mean: round(mean(ref)), label: `${BASELINE} mean: ${mean(ref).toFixed(2)}` },
    { dataset: DRIFTED, mean: round(mean(cur)), label: `${DRIFTED} mean: ${mean(cur).toFixed(2)}` },
  ].filter((m) => Number.isFinite(m.mean));
  const sign = shiftPct !== null && shiftPct >= 0 ? '+' : '';
  return {
    title: { text: [feature, shiftPct === null ? '' : `(Shift: ${sign}${shiftPct.toFixed(1)}%)`] },
    width: 240,
    height: 170,
    layer: [
      {
        data: { values: densityRows(ref, cur) },
        mark: { type: 'rect', opacity: 0.5 },
        encoding: {
          x: { field: 'bin_start', type: 'quantitative', title: feature, scale: { zero: false } },
          x2: { field: 'bin_end' },
          y: { field: 'density', type: 'quantitative', title: 'Density', stack: null },
          color: { field: 'dataset', type: 'nominal', title: null, scale: COLORS },
          tooltip: [
            { field: 'dataset', title: 'Data' },
            { field: 'bin_start', title: 'From', format: '.3f' },
            { field: 'bin_end', title: 'To', format: '.3f' },
            { field: 'density', title: 'Density', format: '.4f' },
          ],
        },
      },
      {
        data: { values: means },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: {
          x: { field: 'mean', type: 'quantitative' },
          color: { field: 'dataset', type: 'nominal', scale: COLORS },
          tooltip: [{ field: 'label', title: 'Mean' }],
        },
      },
    ],
  };
}

/** Count one more `key`; returns the new total. */
function add(counts: Map<string, number>, key: string, total: number): number {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return total + 1;
}

function categoryShareLayer(feature: string, r: TableColumn, c: TableColumn): VegaLiteSpec {
  const shares = (col: TableColumn, dataset: string) => {
    const counts = new Map<string, number>();
    let n = 0;
    if (col.values) {
      for (const x of col.values) if (Number.isFinite(x)) n = add(counts, String(x), n);
    } else {
      for (const code of col.codes!) if (code >= 0) n = add(counts, col.levels![code]!, n);
    }
    return [...counts].map(([category, k]) => ({ dataset, category, share: round(k / n), count: k }));
  };
  return {
    title: { text: feature },
    width: 260,
    height: 170,
    data: { values: [...shares(r, BASELINE), ...shares(c, DRIFTED)] },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'category', type: 'nominal', title: feature, sort: 'ascending' },
      xOffset: { field: 'dataset' },
      y: { field: 'share', type: 'quantitative', title: 'Share of rows', axis: { format: '%' } },
      color: { field: 'dataset', type: 'nominal', title: null, scale: COLORS },
      tooltip: [
        { field: 'dataset', title: 'Data' },
        { field: 'category', title: 'Category' },
        { field: 'count', title: 'Rows' },
        { field: 'share', title: 'Share', format: '.2%' },
      ],
    },
  };
}

function shiftPctOf(r: TableColumn, c: TableColumn): number | null {
  const a = mean(finiteValues(r));
  const b = mean(finiteValues(c));
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a === 0 ? 0 : ((b - a) / a) * 100;
}

/** Figure 10: distributions of the reference and the current data, per feature. */
export function distributionsFigure(reference: Table, current: Table): Figure {
  const numeric = reference.header.filter(
    (h) => reference.columns.get(h)?.values && current.columns.get(h)?.values,
  );
  const chosen = DISTRIBUTION_FEATURES.filter((f) => numeric.includes(f));
  const features = chosen.length ? chosen : numeric.slice(0, 6);
  return {
    name: '10_drift_distributions',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: { text: 'Distributions: Baseline vs With Drift' },
      columns: 3,
      concat: features.map((f) => {
        const r = reference.columns.get(f)!;
        const c = current.columns.get(f)!;
        return distributionLayer(f, r, c, shiftPctOf(r, c));
      }),
      resolve: { scale: { x: 'independent', y: 'independent' } },
    },
  };
}

const LABELS: Record<string, string> = {
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
};

/** Figure 11: model metrics on the baseline (held-out reference rows) and the current data; null without a model. */
export function performanceFigure(report: DriftReport, warningLevel: number): Figure | null {
  const perf = report.performance_degradation;
  if (!perf) return null;
  const bars = METRICS.flatMap((m) => [
    {
      metric: LABELS[m],
      dataset: BASELINE,
      value: round(perf[m].baseline),
      label: perf[m].baseline.toFixed(3),
    },
    {
      metric: LABELS[m],
      dataset: 'Drifted',
      value: round(perf[m].current),
      label: perf[m].current.toFixed(3),
    },
  ]);
  const drops = METRICS.filter((m) => perf[m].degradation > 0).map((m) => ({
    metric: LABELS[m],
    y: round(Math.max(perf[m].baseline, perf[m].current) + 0.06),
    label: `${perf[m].degradation_pct.toFixed(1)}%↓`,
    color: perf[m].degradation_pct > warningLevel * 100 ? '#d62728' : '#ff7f0e',
  }));
  const x = {
    field: 'metric',
    type: 'nominal',
    title: null,
    sort: METRICS.map((m) => LABELS[m]),
    axis: { labelAngle: 0 },
  };
  return {
    name: '11_drift_performance_comparison',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: { text: 'Model Performance: Baseline vs Drifted Data' },
      width: 420,
      height: 300,
      layer: [
        {
          data: { values: bars },
          layer: [
            {
              mark: { type: 'bar' },
              encoding: {
                x,
                xOffset: { field: 'dataset' },
                y: { field: 'value', type: 'quantitative', title: 'Score', scale: { domain: [0, 1.1] } },
                color: {
                  field: 'dataset',
                  type: 'nominal',
                  title: null,
                  scale: { domain: [BASELINE, 'Drifted'], range: ['#1f77b4', '#d62728'] },
                },
                tooltip: [
                  { field: 'metric', title: 'Metric' },
                  { field: 'dataset', title: 'Data' },
                  { field: 'label', title: 'Score' },
                ],
              },
            },
            {
              mark: { type: 'text', dy: -6, fontSize: 10 },
              encoding: {
                x,
                xOffset: { field: 'dataset' },
                y: { field: 'value', type: 'quantitative' },
                text: { field: 'label' },
              },
            },
          ],
        },
        {
          data: { values: drops },
          mark: { type: 'text', fontWeight: 'bold', fontSize: 12 },
          encoding: {
            x,
            y: { field: 'y', type: 'quantitative' },
            text: { field: 'label' },
            color: { field: 'color', type: 'nominal', scale: null },
          },
        },
      ],
    },
  };
}

/** Figure 12: PSI per feature, highest first, coloured by the alert threshold and the 0.1 minor-change line. */
export function psiFigure(report: DriftReport, psiThreshold: number): Figure {
  const rows = Object.entries(report.feature_drift)
    .filter(([, f]) => f.psi !== null)
    .map(([feature, f]) => ({
      feature,
      psi: round(f.psi!),
      label: f.psi!.toFixed(3),
      color: f.psi! > psiThreshold ? '#d62728' : f.psi! > PSI_MINOR_CHANGE ? '#ff7f0e' : '#2ca02c',
    }))
    .sort((a, b) => b.psi - a.psi);
  const lines = [
    { x: psiThreshold, label: `Alert Threshold (${psiThreshold})`, color: '#d62728' },
    { x: PSI_MINOR_CHANGE, label: `Warning Threshold (${PSI_MINOR_CHANGE})`, color: '#ff7f0e' },
  ];
  const y = { field: 'feature', type: 'nominal', title: null, sort: rows.map((r) => r.feature) };
  return {
    name: '12_drift_psi_heatmap',
    spec: {
      resolve: { scale: { color: 'independent' } },
      $schema: VEGA_LITE_SCHEMA,
      title: { text: 'Population Stability Index (PSI) per Feature' },
      width: 420,
      height: { step: 26 },
      layer: [
        {
          data: { values: rows },
          layer: [
            {
              mark: { type: 'bar' },
              encoding: {
                y,
                x: { field: 'psi', type: 'quantitative', title: 'PSI' },
                color: { field: 'color', type: 'nominal', scale: null },
                tooltip: [
                  { field: 'feature', title: 'Feature' },
                  { field: 'label', title: 'PSI' },
                ],
              },
            },
            {
              mark: { type: 'text', align: 'left', dx: 4 },
              encoding: { y, x: { field: 'psi', type: 'quantitative' }, text: { field: 'label' } },
            },
          ],
        },
        {
          data: { values: lines },
          mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            color: {
              field: 'label',
              type: 'nominal',
              scale: { domain: lines.map((l) => l.label), range: lines.map((l) => l.color) },
              legend: { title: null, orient: 'bottom', labelLimit: 400 },
            },
          },
        },
      ],
    },
  };
}

/** One overlay per column Evidently found drifted. */
export function overlayFigures(reference: Table, current: Table, report: DriftReport): Figure[] {
  return report.evidently.columns
    .filter((c) => c.drift_detected)
    .map((c) => {
      const r = reference.columns.get(c.column)!;
      const cur = current.columns.get(c.column)!;
      // A numeric column with few values (tested per value: chi-square, Z, Jensen-Shannon) reads better as shares.
      const continuous = c.stattest === 'ks' || c.stattest === 'wasserstein';
      const body =
        c.column_type === 'num' && continuous && r.values && cur.values
          ? distributionLayer(c.column, r, cur, shiftPctOf(r, cur))
          : categoryShareLayer(c.column, r, cur);
      const score = c.drift_score === null ? '' : `: ${c.stattest_name} ${c.drift_score.toPrecision(3)}`;
      return {
        name: `drift_overlay_${c.column.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
        spec: {
          $schema: VEGA_LITE_SCHEMA,
          ...body,
          title: {
            text: `${c.column}: Baseline vs With Drift`,
            subtitle: `drifted${score} (threshold ${c.stattest_threshold})`,
          },
        },
      };
    });
}

/**
 * Every drift figure: 10 always; 11, 12 and the overlays only with a report (11 also needs the model part).
 */
export function driftFigures(
  reference: Table,
  current: Table,
  report: DriftReport | null,
  options: { psiThreshold: number; performanceWarning: number },
): Figure[] {
  const figures = [distributionsFigure(reference, current)];
  if (!report) return figures;
  const perf = performanceFigure(report, options.performanceWarning);
  if (perf) figures.push(perf);
  figures.push(psiFigure(report, options.psiThreshold), ...overlayFigures(reference, current, report));
  return figures;
}
