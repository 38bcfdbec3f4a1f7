/**
 * The predecessor's per-feature drift numbers, for its users, with its keys: PSI (10 equal-width bins over both
 * samples' range, proportions of 0 → 1e-6; or the reference's deciles), the two-sample KS test (scipy's
 * ks_2samp: exact p-value up to 10,000 rows per side, asymptotic above), means and sample stds (ddof 1) with their
 * shifts, and its rules:
 *   psi_alert = PSI > psi_threshold; ks_significant = p < ks_threshold; has_drift = psi_alert or ks_significant;
 *   drift_severity = high (psi_alert and PSI > alert_threshold), medium (psi_alert), low (KS only), none;
 *   a feature alert per drifted feature: critical when PSI > alert_threshold, else warning (PSI alert), or a
 *   warning for KS alone; then a performance alert per metric at warning or critical level.
 * Unlike the predecessor, every boolean is a boolean, thresholds come from params, and a value that cannot be
 * computed is null with its reason in `null_reasons` (never NaN, never a string).
 */
import { ks2samp, mean, psiEqualWidth, psiQuantile, standardDeviation } from '@mlops/stats';

export interface PredecessorOptions {
  psiThreshold: number;
  ksThreshold: number;
  alertThreshold: number;
  psiBins: number;
  psiBinning: 'equal_width' | 'quantile';
}

export type Severity = 'high' | 'medium' | 'low' | 'none';

export interface FeatureDrift {
  psi: number | null;
  psi_alert: boolean;
  ks_statistic: number | null;
  ks_p_value: number | null;
  ks_significant: boolean;
  ks_method: 'exact' | 'asymp' | null;
  baseline_mean: number | null;
  current_mean: number | null;
  mean_shift: number | null;
  mean_shift_pct: number | null;
  baseline_std: number | null;
  current_std: number | null;
  std_shift: number | null;
  std_shift_pct: number | null;
  has_drift: boolean;
  drift_severity: Severity;
  /** Why a value above is null. */
  null_reasons?: Record<string, string>;
}

export type AlertLevel = 'critical' | 'warning';

export interface FeatureAlert {
  type: 'feature_drift';
  feature: string;
  level: AlertLevel;
  message: string;
  psi?: number;
  mean_shift_pct?: number | null;
  ks_p_value?: number;
}

export interface PerformanceAlert {
  type: 'performance_degradation';
  metric: string;
  level: AlertLevel;
  message: string;
  degradation_pct: number;
  baseline: number;
  current: number;
}

export type Alert = FeatureAlert | PerformanceAlert;

/** A finite number or null with the reason recorded. */
function finiteOr(value: number, key: string, reasons: Record<string, string>, why: string): number | null {
  if (Number.isFinite(value)) return value;
  reasons[key] = why;
  return null;
}

function countFinite(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) n++;
  return n;
}

/** The predecessor's numbers for one numeric feature (NaN = missing). */
export function featureDrift(
  baseline: Float64Array,
  current: Float64Array,
  options: PredecessorOptions,
  sorted?: { baseline: Float64Array; current: Float64Array },
): FeatureDrift {
  const reasons: Record<string, string> = {};
  // PSI and KS sort their inputs: sorted copies (missing values dropped) make that cheap when already at hand.
  const b = sorted?.baseline ?? baseline;
  const c = sorted?.current ?? current;
  const nb = countFinite(b);
  const nc = countFinite(c);
  const emptySide =
    nb === 0 ? 'the reference has no values' : nc === 0 ? 'the current file has no values' : '';

  const psiResult =
    options.psiBinning === 'quantile'
      ? psiQuantile(b, c, options.psiBins)
      : psiEqualWidth(b, c, options.psiBins);
  const psi = finiteOr(psiResult.psi, 'psi', reasons, emptySide || 'PSI is not finite');

  let ksStatistic: number | null = null;
  let ksP: number | null = null;
  let ksMethod: 'exact' | 'asymp' | null = null;
  if (emptySide) {
    reasons['ks_statistic'] = emptySide;
    reasons['ks_p_value'] = emptySide;
  } else {
    const ks = ks2samp(b, c);
    ksStatistic = ks.statistic;
    ksP = ks.pvalue;
    ksMethod = ks.method;
  }

  const bm = mean(baseline);
  const cm = mean(current);
  const bs = standardDeviation(baseline);
  const cs = standardDeviation(current);
  const baselineMean = finiteOr(bm, 'baseline_mean', reasons, 'the reference has no values');
  const currentMean = finiteOr(cm, 'current_mean', reasons, 'the current file has no values');
  const baselineStd = finiteOr(bs, 'baseline_std', reasons, 'the reference has fewer than 2 values');
  const currentStd = finiteOr(cs, 'current_std', reasons, 'the current file has fewer than 2 values');
  const shift = (a: number | null, b: number | null, key: string) => {
    if (a === null || b === null) {
      reasons[key] = 'a side is missing';
      reasons[`${key}_pct`] = 'a side is missing';
      return [null, null] as const;
    }
    const d = b - a;
    return [d, a === 0 ? 0 : (d / a) * 100] as const;
  };
  const [meanShift, meanShiftPct] = shift(baselineMean, currentMean, 'mean_shift');
  const [stdShift, stdShiftPct] = shift(baselineStd, currentStd, 'std_shift');

  const psiAlert = psi !== null && psi > options.psiThreshold;
  const ksSignificant = ksP !== null && ksP < options.ksThreshold;
  const severity: Severity = psiAlert
    ? psi! > options.alertThreshold
      ? 'high'
      : 'medium'
    : ksSignificant
      ? 'low'
      : 'none';
  return {
    psi,
    psi_alert: psiAlert,
    ks_statistic: ksStatistic,
    ks_p_value: ksP,
    ks_significant: ksSignificant,
    ks_method: ksMethod,
    baseline_mean: baselineMean,
    current_mean: currentMean,
    mean_shift: meanShift,
    mean_shift_pct: meanShiftPct,
    baseline_std: baselineStd,
    current_std: currentStd,
    std_shift: stdShift,
    std_shift_pct: stdShiftPct,
    has_drift: psiAlert || ksSignificant,
    drift_severity: severity,
    ...(Object.keys(reasons).length ? { null_reasons: reasons } : {}),
  };
}

/** Python's "%.Nf". */
const fixed = (x: number, digits: number) => x.toFixed(digits);

/** The predecessor's feature alerts, in feature order. */
export function featureAlerts(
  features: ReadonlyArray<readonly [string, FeatureDrift]>,
  options: Pick<PredecessorOptions, 'alertThreshold'>,
): FeatureAlert[] {
  const alerts: FeatureAlert[] = [];
  for (const [feature, d] of features) {
    if (d.psi_alert) {
      alerts.push({
        type: 'feature_drift',
        feature,
        level: d.psi! > options.alertThreshold ? 'critical' : 'warning',
        message: `Feature '${feature}' shows significant drift (PSI: ${fixed(d.psi!, 3)})`,
        psi: d.psi!,
        mean_shift_pct: d.mean_shift_pct,
      });
    } else if (d.ks_significant) {
      alerts.push({
        type: 'feature_drift',
        feature,
        level: 'warning',
        message: `Feature '${feature}' distribution changed significantly (KS p-value: ${fixed(d.ks_p_value!, 4)})`,
        ks_p_value: d.ks_p_value!,
      });
    }
  }
  return alerts;
}

export interface FeatureDriftSummary {
  total_features: number;
  features_with_drift: number;
  critical_alerts: number;
  warning_alerts: number;
  total_alerts: number;
}

export function driftSummary(
  features: ReadonlyArray<readonly [string, FeatureDrift]>,
  alerts: readonly Alert[],
): FeatureDriftSummary {
  return {
    total_features: features.length,
    features_with_drift: features.filter(([, d]) => d.has_drift).length,
    critical_alerts: alerts.filter((a) => a.level === 'critical').length,
    warning_alerts: alerts.filter((a) => a.level === 'warning').length,
    total_alerts: alerts.length,
  };
}

/** drift_alerts.txt, the predecessor's format. */
export function alertsText(alerts: readonly Alert[]): string {
  const rule = '='.repeat(70);
  const lines = [rule, 'DATA DRIFT ALERTS', rule, ''];
  if (alerts.length === 0) lines.push('✓ No drift alerts detected.');
  for (const a of alerts) {
    lines.push(`[${a.level.toUpperCase()}] ${a.type}`, `  ${a.message}`);
    if (a.type === 'feature_drift' && a.psi !== undefined) lines.push(`  PSI: ${fixed(a.psi, 3)}`);
    if (a.type === 'performance_degradation') lines.push(`  Degradation: ${fixed(a.degradation_pct, 2)}%`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
