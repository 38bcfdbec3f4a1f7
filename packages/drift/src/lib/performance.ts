/**
 * Model performance before and after: accuracy and support-weighted precision, recall and F1 (scikit-learn's
 * `average='weighted'`, `zero_division=0`, over the labels present in the truth or the predictions), and the
 * predecessor's degradation rule: pct = (baseline − current) / baseline × 100 (0 when the baseline is ≤ 0),
 * critical at or above `critical` × 100, warning at or above `warning` × 100.
 */
export const METRICS = ['accuracy', 'precision', 'recall', 'f1'] as const;
export type MetricName = (typeof METRICS)[number];
export type Metrics = Record<MetricName, number>;

/** Scores of predicted against true class indices (both in 0..nClasses-1, same length > 0). */
export function classificationMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  nClasses: number,
): Metrics {
  const n = truth.length;
  if (n === 0 || predicted.length !== n)
    throw new RangeError('classificationMetrics: needs as many predictions as labels, at least one');
  const tp = new Float64Array(nClasses);
  const support = new Float64Array(nClasses);
  const predictedCount = new Float64Array(nClasses);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    support[t]! += 1;
    predictedCount[p]! += 1;
    if (t === p) {
      tp[t]! += 1;
      correct++;
    }
  }
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (let k = 0; k < nClasses; k++) {
    if (support[k] === 0) continue; // weight 0
    const pk = predictedCount[k]! > 0 ? tp[k]! / predictedCount[k]! : 0;
    const rk = tp[k]! / support[k]!;
    const fk = pk + rk > 0 ? (2 * pk * rk) / (pk + rk) : 0;
    precision += pk * support[k]!;
    recall += rk * support[k]!;
    f1 += fk * support[k]!;
  }
  return { accuracy: correct / n, precision: precision / n, recall: recall / n, f1: f1 / n };
}

export type PerformanceLevel = 'critical' | 'warning' | 'none';

export interface MetricDegradation {
  baseline: number;
  current: number;
  degradation: number;
  degradation_pct: number;
  alert_level: PerformanceLevel;
}

export function degradation(
  baseline: Metrics,
  current: Metrics,
  levels: { warning: number; critical: number },
): Record<MetricName, MetricDegradation> {
  const out = {} as Record<MetricName, MetricDegradation>;
  for (const m of METRICS) {
    const d = baseline[m] - current[m];
    const pct = baseline[m] > 0 ? (d / baseline[m]) * 100 : 0;
    out[m] = {
      baseline: baseline[m],
      current: current[m],
      degradation: d,
      degradation_pct: pct,
      alert_level:
        pct >= levels.critical * 100 ? 'critical' : pct >= levels.warning * 100 ? 'warning' : 'none',
    };
  }
  return out;
}
