/**
 * Drift at serving time: a batch of rows against the bundle's reference statistics (the training split's
 * quantile bins and category counts), with the drift stage's per-feature keys and the predecessor's rules
 * (psi_alert = PSI > psi_threshold; has_drift = psi_alert or a significant test; severity high / medium / low /
 * none; an alert per drifted feature, critical when PSI > alert_threshold).
 *
 * The bundle holds binned statistics, not the training values, so the two-sample KS test of the drift stage cannot
 * be computed here: its keys are null with the reason, and the significance test is chi-square on the binned counts
 * (categories for categorical features, the reference's quantile bins for numeric ones), which is exact for the
 * information the bundle keeps. PSI uses the same quantile bins (the drift stage's `quantile` binning).
 */
import { chi2Contingency } from '@mlops/stats';
import { binIndex, MISSING, UNKNOWN, type FeatureReference, type RawBatch } from '@mlops/model';
import type { DriftThresholds } from './config.js';

export type Severity = 'high' | 'medium' | 'low' | 'none';

export interface ServingFeatureDrift {
  kind: 'numeric' | 'categorical';
  psi: number | null;
  psi_alert: boolean;
  psi_binning: 'quantile' | 'categories';
  chi2_statistic: number | null;
  chi2_p_value: number | null;
  chi2_dof: number | null;
  chi2_significant: boolean;
  ks_statistic: null;
  ks_p_value: null;
  ks_significant: false;
  ks_method: null;
  baseline_mean: number | null;
  current_mean: number | null;
  mean_shift: number | null;
  mean_shift_pct: number | null;
  baseline_std: number | null;
  current_std: number | null;
  std_shift: number | null;
  std_shift_pct: number | null;
  baseline_count: number;
  current_count: number;
  current_missing: number;
  has_drift: boolean;
  drift_severity: Severity;
  null_reasons?: Record<string, string>;
}

export interface ServingDriftAlert {
  type: 'feature_drift';
  feature: string;
  level: 'critical' | 'warning';
  message: string;
}

export interface ServingDriftReport {
  rows: number;
  feature_drift: Record<string, ServingFeatureDrift>;
  feature_drift_summary: {
    total_features: number;
    features_with_drift: number;
    critical_alerts: number;
    warning_alerts: number;
    total_alerts: number;
  };
  alerts: ServingDriftAlert[];
  drifted_features: string[];
  /** For people: why the figures may not mean much (too few rows). */
  warnings: string[];
  thresholds: { psi_threshold: number; p_value_threshold: number; alert_threshold: number };
  method: string;
}

const PSI_FLOOR = 1e-6;
/** Below this many rows a decile bin holds a handful of rows, so PSI and chi-square mostly measure noise. */
export const MIN_RELIABLE_ROWS = 100;
const KS_REASON =
  'the bundle keeps binned reference statistics, not the training values, so KS cannot be computed at serving time; chi2_* tests the binned counts';

/** PSI of two count vectors over the same bins (proportions of 0 floored at 1e-6, as the drift stage does). */
export function psiOfCounts(expected: ArrayLike<number>, actual: ArrayLike<number>): number | null {
  let ne = 0;
  let na = 0;
  for (let k = 0; k < expected.length; k++) ne += expected[k]!;
  for (let k = 0; k < actual.length; k++) na += actual[k]!;
  if (ne === 0 || na === 0) return null;
  let psi = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k]! / ne || PSI_FLOOR;
    const a = actual[k]! / na || PSI_FLOOR;
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Chi-square test of the 2 × bins table (reference row, current row), empty bins dropped. */
function chi2OfCounts(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  reasons: Record<string, string>,
): { statistic: number | null; p: number | null; dof: number | null } {
  try {
    const r = chi2Contingency([Array.from(expected), Array.from(actual)], { dropEmpty: true });
    if (r.dof === 0) {
      reasons['chi2_statistic'] = 'a single non-empty bin: nothing to compare';
      reasons['chi2_p_value'] = reasons['chi2_statistic'];
      return { statistic: null, p: null, dof: 0 };
    }
    return { statistic: r.statistic, p: r.pvalue, dof: r.dof };
  } catch (error) {
    reasons['chi2_statistic'] = (error as Error).message;
    reasons['chi2_p_value'] = (error as Error).message;
    return { statistic: null, p: null, dof: null };
  }
}

function shift(a: number | null, b: number | null): [number | null, number | null] {
  if (a === null || b === null) return [null, null];
  const d = b - a;
  return [d, a === 0 ? 0 : (d / a) * 100];
}

/**
 * Compares `batch` (the rows to check, encoded by the model's RowEncoder) with the reference statistics. The
 * numeric block of the batch is the spec's numeric inputs then its derived features, in the reference's order.
 */
export function servingDrift(
  batch: RawBatch,
  reference: readonly FeatureReference[],
  thresholds: DriftThresholds,
): ServingDriftReport {
  const features: [string, ServingFeatureDrift][] = [];
  let numericIndex = 0;
  let categoricalIndex = 0;
  for (const ref of reference) {
    const reasons: Record<string, string> = {};
    let d: ServingFeatureDrift;
    if (ref.kind === 'numeric') {
      const j = numericIndex++;
      const bins = Math.max(1, ref.edges.length - 1);
      const counts = new Float64Array(bins);
      let n = 0;
      let sum = 0;
      let ss = 0;
      for (let r = 0; r < batch.rows; r++) {
        const v = batch.numeric[r * batch.numericWidth + j]!;
        if (v !== v) continue;
        n++;
        sum += v;
        counts[binIndex(ref.edges, v)]! += 1;
      }
      const mean = n ? sum / n : NaN;
      for (let r = 0; r < batch.rows; r++) {
        const v = batch.numeric[r * batch.numericWidth + j]!;
        if (v === v) ss += (v - mean) ** 2;
      }
      const refCounts = ref.counts.length ? ref.counts : [0];
      const psi = n && ref.count ? psiOfCounts(refCounts, counts) : null;
      if (psi === null) reasons['psi'] = n ? 'the reference has no values' : 'the batch has no values';
      const chi2 =
        n && ref.count ? chi2OfCounts(refCounts, counts, reasons) : { statistic: null, p: null, dof: null };
      if (chi2.statistic === null && !reasons['chi2_statistic']) {
        reasons['chi2_statistic'] = reasons['psi']!;
        reasons['chi2_p_value'] = reasons['psi']!;
      }
      // Sample stds (ddof 1), as the drift stage reports them; the reference stores the population std.
      const baselineStd = ref.count > 1 ? ref.std * Math.sqrt(ref.count / (ref.count - 1)) : null;
      const currentStd = n > 1 ? Math.sqrt(ss / (n - 1)) : null;
      if (baselineStd === null) reasons['baseline_std'] = 'the reference has fewer than 2 values';
      if (currentStd === null) reasons['current_std'] = 'the batch has fewer than 2 values';
      const baselineMean = ref.count ? ref.mean : null;
      const currentMean = n ? mean : null;
      if (currentMean === null) reasons['current_mean'] = 'the batch has no values';
      const [meanShift, meanShiftPct] = shift(baselineMean, currentMean);
      const [stdShift, stdShiftPct] = shift(baselineStd, currentStd);
      d = {
        kind: 'numeric',
        psi,
        psi_alert: false,
        psi_binning: 'quantile',
        chi2_statistic: chi2.statistic,
        chi2_p_value: chi2.p,
        chi2_dof: chi2.dof,
        chi2_significant: false,
        ks_statistic: null,
        ks_p_value: null,
        ks_significant: false,
        ks_method: null,
        baseline_mean: baselineMean,
        current_mean: currentMean,
        mean_shift: meanShift,
        mean_shift_pct: meanShiftPct,
        baseline_std: baselineStd,
        current_std: currentStd,
        std_shift: stdShift,
        std_shift_pct: stdShiftPct,
        baseline_count: ref.count,
        current_count: n,
        current_missing: batch.rows - n,
        has_drift: false,
        drift_severity: 'none',
      };
    } else {
      const j = categoricalIndex++;
      const counts = new Float64Array(ref.categories.length);
      let n = 0;
      let missing = 0;
      let unknown = 0;
      for (let r = 0; r < batch.rows; r++) {
        const c = batch.categorical[r * batch.categoricalWidth + j]!;
        if (c >= 0) {
          counts[c]! += 1;
          n++;
        } else if (c === MISSING) missing++;
        else if (c === UNKNOWN) unknown++;
      }
      const refN = ref.counts.reduce((s, c) => s + c, 0);
      const psi = n && refN ? psiOfCounts(ref.counts, counts) : null;
      if (psi === null) reasons['psi'] = n ? 'the reference has no values' : 'the batch has no values';
      const chi2 =
        n && refN ? chi2OfCounts(ref.counts, counts, reasons) : { statistic: null, p: null, dof: null };
      if (chi2.statistic === null && !reasons['chi2_statistic']) {
        reasons['chi2_statistic'] = reasons['psi']!;
        reasons['chi2_p_value'] = reasons['psi']!;
      }
      for (const k of [
        'baseline_mean',
        'current_mean',
        'mean_shift',
        'mean_shift_pct',
        'baseline_std',
        'current_std',
        'std_shift',
        'std_shift_pct',
      ])
        reasons[k] = 'a categorical feature has no mean or std';
      d = {
        kind: 'categorical',
        psi,
        psi_alert: false,
        psi_binning: 'categories',
        chi2_statistic: chi2.statistic,
        chi2_p_value: chi2.p,
        chi2_dof: chi2.dof,
        chi2_significant: false,
        ks_statistic: null,
        ks_p_value: null,
        ks_significant: false,
        ks_method: null,
        baseline_mean: null,
        current_mean: null,
        mean_shift: null,
        mean_shift_pct: null,
        baseline_std: null,
        current_std: null,
        std_shift: null,
        std_shift_pct: null,
        baseline_count: refN,
        current_count: n,
        current_missing: missing + unknown,
        has_drift: false,
        drift_severity: 'none',
      };
    }
    for (const k of ['ks_statistic', 'ks_p_value', 'ks_method']) reasons[k] = KS_REASON;
    d.psi_alert = d.psi !== null && d.psi > thresholds.psiThreshold;
    d.chi2_significant = d.chi2_p_value !== null && d.chi2_p_value < thresholds.pThreshold;
    d.has_drift = d.psi_alert || d.chi2_significant;
    d.drift_severity = d.psi_alert
      ? d.psi! > thresholds.alertThreshold
        ? 'high'
        : 'medium'
      : d.chi2_significant
        ? 'low'
        : 'none';
    d.null_reasons = reasons;
    features.push([ref.name, d]);
  }
  const alerts: ServingDriftAlert[] = [];
  for (const [feature, d] of features) {
    if (d.psi_alert)
      alerts.push({
        type: 'feature_drift',
        feature,
        level: d.psi! > thresholds.alertThreshold ? 'critical' : 'warning',
        message: `Feature '${feature}' shows significant drift (PSI: ${d.psi!.toFixed(3)})`,
      });
    else if (d.chi2_significant)
      alerts.push({
        type: 'feature_drift',
        feature,
        level: 'warning',
        message: `Feature '${feature}' distribution changed significantly (chi-square p-value: ${d.chi2_p_value!.toFixed(4)})`,
      });
  }
  const drifted = features.filter(([, d]) => d.has_drift).map(([f]) => f);
  const warnings =
    batch.rows < MIN_RELIABLE_ROWS
      ? [
          `${batch.rows} rows: PSI and chi-square on fewer than ${MIN_RELIABLE_ROWS} rows are noisy (a bin a few rows miss looks like drift); send a larger batch`,
        ]
      : [];
  return {
    rows: batch.rows,
    feature_drift: Object.fromEntries(features),
    feature_drift_summary: {
      total_features: features.length,
      features_with_drift: drifted.length,
      critical_alerts: alerts.filter((a) => a.level === 'critical').length,
      warning_alerts: alerts.filter((a) => a.level === 'warning').length,
      total_alerts: alerts.length,
    },
    alerts,
    drifted_features: drifted,
    warnings,
    thresholds: {
      psi_threshold: thresholds.psiThreshold,
      p_value_threshold: thresholds.pThreshold,
      alert_threshold: thresholds.alertThreshold,
    },
    method:
      'PSI on the reference quantile bins (categories for categorical features) and chi-square on the binned counts, against the training split statistics stored in the bundle',
  };
}
