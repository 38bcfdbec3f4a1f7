/**
 * detect: the reference against the current data, per column with both families side by side (Evidently's
 * defaults and the predecessor's numbers), the model's performance on the reference's held-out rows against the
 * current data when a model is given, and two verdicts:
 * - `dataset_drift`: Evidently's rule (share of drifted columns ≥ drift_share);
 * - the release verdict: dataset drift, OR a drifted column among the model's `important_features` most
 *   important ones, OR a model metric dropped to the critical level. Evidently's dataset rule alone misses a
 *   shift of the few columns a model leans on (3 of 17 columns, 18%, can decide the class).
 * Pure: tables and model results in, a report object out.
 */
import { InputError } from '@mlops/core';
import {
  datasetVerdict,
  evidentlyColumnDrift,
  columnKind,
  inferTask,
  type EvidentlyColumnResult,
  type EvidentlyDatasetResult,
  type EvidentlyOptions,
} from './evidently.js';
import { derivedColumn } from './model.js';
import {
  driftSummary,
  featureAlerts,
  featureDrift,
  type Alert,
  type FeatureDrift,
  type FeatureDriftSummary,
  type PerformanceAlert,
  type PredecessorOptions,
} from './predecessor.js';
import {
  METRICS,
  degradation,
  type MetricDegradation,
  type MetricName,
  type Metrics,
} from './performance.js';
import { sortedFinite } from '@mlops/stats';
import type { Table, TableColumn } from './table.js';

/** An ascending array without its infinities (at its ends). */
function withoutInfinities(sorted: Float64Array): Float64Array {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi && sorted[lo] === -Infinity) lo++;
  while (hi > lo && sorted[hi - 1] === Infinity) hi--;
  return lo === 0 && hi === sorted.length ? sorted : sorted.subarray(lo, hi);
}

/** Exit code when the release verdict fired and failing on it was asked (--fail-on-drift, drift.fail_on_drift). */
export const EXIT_DRIFT = 3;

export interface DetectOptions extends EvidentlyOptions, PredecessorOptions {
  performanceWarning: number;
  performanceCritical: number;
  importantFeatures: number;
  baselineVersion: string;
}

/** What the model part gives detect (computed by the caller through packages/model). */
export type ModelEvaluation =
  | {
      computed: true;
      modelName: string;
      /** Scores on the reference's held-out rows (the test split stored with the model). */
      baseline: Metrics;
      baselineRows: number;
      /** Set when the baseline is not computed on the reference file's held-out rows, with why. */
      baselineNote?: string;
      /** Scores on the current data. */
      current: Metrics;
      currentRows: number;
      /** Current rows left out (missing or unknown label, unusable features), with why. */
      currentRowsSkipped: number;
      skippedReason?: string;
      /** Input-column importances, highest first. */
      importances: ReadonlyArray<readonly [string, number]>;
    }
  | { computed: false; reason: string; modelName?: string };

export interface ReleaseVerdict {
  fires: boolean;
  reasons: string[];
  checks: {
    dataset_drift: boolean;
    important_feature_drift: boolean;
    performance_critical: boolean;
  };
  important_features: Array<{
    feature: string;
    importance: number;
    rank: number;
    drift_detected: boolean;
    /** A derived feature (BMI), not a column: tested by computing it in both files. */
    derived?: boolean;
    stattest_name?: string | null;
    drift_score?: number | null;
  }>;
  /** Checks that could not run (no model), with why. */
  not_computed?: Record<string, string>;
}

export interface DriftReport {
  baseline_version: string;
  baseline_dataset: string;
  drifted_dataset: string;
  rows: { reference: number; current: number };
  model_name: string | null;
  verdict: { dataset_drift: boolean; release: ReleaseVerdict };
  evidently: EvidentlyDatasetResult;
  feature_drift: Record<string, FeatureDrift>;
  feature_drift_summary: FeatureDriftSummary;
  performance:
    | {
        computed: true;
        baseline_rows: number;
        baseline_note?: string;
        current_rows: number;
        current_rows_skipped: number;
        skipped_reason?: string;
      }
    | { computed: false; reason: string };
  baseline_metrics: Metrics | null;
  current_metrics: Metrics | null;
  performance_degradation: Record<MetricName, MetricDegradation> | null;
  alerts: Alert[];
  thresholds: Record<string, number | string>;
}

/** Both files must have the same columns (order may differ). */
export function checkSameColumns(reference: Table, current: Table): void {
  const ref = new Set(reference.header);
  const cur = new Set(current.header);
  const missing = reference.header.filter((h) => !cur.has(h));
  const extra = current.header.filter((h) => !ref.has(h));
  if (missing.length || extra.length) {
    const parts = [
      missing.length ? `missing ${missing.map((c) => `"${c}"`).join(', ')}` : '',
      extra.length ? `not in the reference: ${extra.map((c) => `"${c}"`).join(', ')}` : '',
    ].filter(Boolean);
    throw new InputError(
      `${current.source}: its columns differ from the reference ${reference.source}: ${parts.join('; ')}`,
    );
  }
}

/** A numerical column must hold numbers in both files (Evidently raises otherwise). */
function checkNumeric(reference: Table, current: Table, r: TableColumn, c: TableColumn): void {
  for (const [table, col, other] of [
    [reference, r, current],
    [current, c, reference],
  ] as const) {
    if (!col.values) {
      const where = col.firstText ? ` (row ${col.firstText.row}: "${col.firstText.text}")` : '';
      throw new InputError(
        `${table.source}: column "${col.name}" holds text${where} where ${other.source} has numbers`,
      );
    }
  }
}

export function detectDrift(
  reference: Table,
  current: Table,
  options: DetectOptions,
  model: ModelEvaluation,
): DriftReport {
  checkSameColumns(reference, current);
  const pairs = reference.header.map(
    (name) => [reference.columns.get(name)!, current.columns.get(name)!] as const,
  );
  const task = inferTask(reference.columns.get('target'));
  for (const [r, c] of pairs) if (columnKind(r, c, task) === 'num') checkNumeric(reference, current, r, c);
  // One pass over the columns: a numeric column is sorted once for every test of both families, then dropped
  // (only one column's sorted copies are alive at a time).
  const columns: EvidentlyColumnResult[] = [];
  const features: Array<readonly [string, FeatureDrift]> = [];
  for (const [r, c] of pairs) {
    if (r.values && c.values) {
      const b = sortedFinite(r.values);
      const cur = sortedFinite(c.values);
      const finite = { reference: withoutInfinities(b), current: withoutInfinities(cur) };
      columns.push(evidentlyColumnDrift(r, c, options, task, finite));
      features.push([r.name, featureDrift(r.values, c.values, options, { baseline: b, current: cur })]);
    } else {
      columns.push(evidentlyColumnDrift(r, c, options, task));
      // The predecessor's family covers the reference's numeric columns (text in the current was refused above).
      if (r.values) checkNumeric(reference, current, r, c);
    }
  }
  const evidently = datasetVerdict(columns, options);

  const alerts: Alert[] = featureAlerts(features, options);

  let perf: Record<MetricName, MetricDegradation> | null = null;
  if (model.computed) {
    perf = degradation(model.baseline, model.current, {
      warning: options.performanceWarning,
      critical: options.performanceCritical,
    });
    for (const m of METRICS) {
      const d = perf[m];
      if (d.alert_level === 'none') continue;
      const alert: PerformanceAlert = {
        type: 'performance_degradation',
        metric: m,
        level: d.alert_level,
        message:
          d.alert_level === 'critical'
            ? `Critical degradation in ${m}: ${d.degradation_pct.toFixed(2)}% drop`
            : `Warning: ${m} degraded by ${d.degradation_pct.toFixed(2)}%`,
        degradation_pct: d.degradation_pct,
        baseline: d.baseline,
        current: d.current,
      };
      alerts.push(alert);
    }
  }

  // An important feature that is no column (BMI) is tested by computing it in both files.
  const derived = new Map<string, EvidentlyColumnResult>();
  if (model.computed) {
    for (const [feature] of model.importances.slice(0, options.importantFeatures)) {
      if (reference.columns.has(feature)) continue;
      const r = derivedColumn(reference, feature);
      const c = derivedColumn(current, feature);
      if (r && c) derived.set(feature, evidentlyColumnDrift(r, c, options));
    }
  }
  const release = releaseVerdict(evidently, model, perf, options, derived);
  return {
    baseline_version: options.baselineVersion,
    baseline_dataset: reference.source,
    drifted_dataset: current.source,
    rows: { reference: reference.rowCount, current: current.rowCount },
    model_name: model.modelName ?? null,
    verdict: { dataset_drift: evidently.dataset_drift, release },
    evidently,
    feature_drift: Object.fromEntries(features),
    feature_drift_summary: driftSummary(features, alerts),
    performance: model.computed
      ? {
          computed: true,
          baseline_rows: model.baselineRows,
          ...(model.baselineNote ? { baseline_note: model.baselineNote } : {}),
          current_rows: model.currentRows,
          current_rows_skipped: model.currentRowsSkipped,
          ...(model.skippedReason ? { skipped_reason: model.skippedReason } : {}),
        }
      : { computed: false, reason: model.reason },
    baseline_metrics: model.computed ? model.baseline : null,
    current_metrics: model.computed ? model.current : null,
    performance_degradation: perf,
    alerts,
    thresholds: {
      drift_share: options.driftShare,
      pvalue_threshold: options.pvalueThreshold,
      distance_threshold: options.distanceThreshold,
      psi_threshold: options.psiThreshold,
      ks_threshold: options.ksThreshold,
      alert_threshold: options.alertThreshold,
      psi_bins: options.psiBins,
      psi_binning: options.psiBinning,
      min_rows: options.minRows,
      performance_warning: options.performanceWarning,
      performance_critical: options.performanceCritical,
      important_features: options.importantFeatures,
    },
  };
}

export function releaseVerdict(
  evidently: EvidentlyDatasetResult,
  model: ModelEvaluation,
  perf: Record<MetricName, MetricDegradation> | null,
  options: Pick<DetectOptions, 'importantFeatures'>,
  derived: ReadonlyMap<string, EvidentlyColumnResult> = new Map(),
): ReleaseVerdict {
  const reasons: string[] = [];
  const notComputed: Record<string, string> = {};
  const share = evidently.share_of_drifted_columns;
  if (evidently.dataset_drift) {
    reasons.push(
      `dataset drift: ${evidently.number_of_drifted_columns} of ${evidently.number_of_columns} columns drifted (share ${share!.toFixed(2)} >= ${evidently.drift_share})`,
    );
  }
  const byColumn = new Map(evidently.columns.map((c) => [c.column, c]));
  const important: ReleaseVerdict['important_features'] = [];
  if (model.computed) {
    model.importances.slice(0, options.importantFeatures).forEach(([feature, importance], i) => {
      const test = byColumn.get(feature) ?? derived.get(feature);
      important.push({
        feature,
        importance,
        rank: i + 1,
        drift_detected: test?.drift_detected ?? false,
        ...(byColumn.has(feature) ? {} : { derived: true }),
        stattest_name: test?.stattest_name ?? null,
        drift_score: test?.drift_score ?? null,
      });
    });
    const drifted = important.filter((f) => f.drift_detected);
    if (drifted.length) {
      reasons.push(
        `important feature drift: ${drifted.map((f) => `${f.feature} (rank ${f.rank})`).join(', ')} among the model's ${options.importantFeatures} most important`,
      );
    }
  } else {
    notComputed['important_feature_drift'] = model.reason;
    notComputed['performance_critical'] = model.reason;
  }
  const critical = perf ? METRICS.filter((m) => perf[m].alert_level === 'critical') : [];
  if (critical.length) {
    reasons.push(
      `performance critical: ${critical.map((m) => `${m} -${perf![m].degradation_pct.toFixed(1)}%`).join(', ')}`,
    );
  }
  return {
    fires: reasons.length > 0,
    reasons,
    checks: {
      dataset_drift: evidently.dataset_drift,
      important_feature_drift: important.some((f) => f.drift_detected),
      performance_critical: critical.length > 0,
    },
    important_features: important,
    ...(Object.keys(notComputed).length ? { not_computed: notComputed } : {}),
  };
}
