/**
 * The drift report's files: `drift_report.json` (typed: booleans are booleans, numbers are numbers, a value that
 * cannot be computed is null with its reason beside it), `drift_alerts.txt` (the predecessor's format) and
 * `drift_report.md` (the same for people).
 */
import type { DriftReport } from './detect.js';
import { alertsText } from './predecessor.js';
import { METRICS } from './performance.js';

export const REPORT_JSON = 'drift_report.json';
export const REPORT_MARKDOWN = 'drift_report.md';
export const ALERTS_TEXT = 'drift_alerts.txt';

/**
 * JSON with no NaN or Infinity anywhere: such a number (there should be none, every producer gives null with a
 * reason) becomes null and is listed under `non_finite_values` rather than written as invalid JSON or a string.
 */
export function reportJson(report: DriftReport): string {
  const nonFinite: Record<string, string> = {};
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
      nonFinite[path] = String(value);
      return null;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
      );
    return value;
  };
  const clean = walk(report, '') as Record<string, unknown>;
  if (Object.keys(nonFinite).length) clean['non_finite_values'] = nonFinite;
  return `${JSON.stringify(clean, null, 2)}\n`;
}

export { alertsText };

const num = (x: number | null | undefined, digits = 4): string => {
  if (x === null || x === undefined) return '–';
  if (x !== 0 && (Math.abs(x) < 10 ** -digits || Math.abs(x) >= 1e6)) return x.toExponential(2);
  return x.toFixed(digits);
};
const yes = (b: boolean) => (b ? '**yes**' : 'no');
const cell = (s: string) => s.replaceAll('|', '\\|');

export function reportMarkdown(report: DriftReport): string {
  const out: string[] = [];
  const { release, dataset_drift: datasetDrift } = report.verdict;
  const ev = report.evidently;
  out.push('# Drift report', '');
  out.push(
    `- Reference: \`${report.baseline_dataset}\` (${report.rows.reference} rows), baseline version ${report.baseline_version}`,
  );
  out.push(`- Current: \`${report.drifted_dataset}\` (${report.rows.current} rows)`);
  out.push(`- Model: ${report.model_name ?? 'none'}`);
  out.push('');
  out.push('## Verdicts', '');
  out.push(
    `- **Release verdict: ${release.fires ? 'FIRES' : 'does not fire'}**${release.reasons.length ? ` — ${release.reasons.join('; ')}` : ''}`,
  );
  const share = ev.share_of_drifted_columns;
  out.push(
    `- Dataset drift (Evidently's rule, share ≥ ${ev.drift_share}): ${yes(datasetDrift)} — ${ev.number_of_drifted_columns} of ${ev.number_of_columns} columns drifted${share === null ? ` (${ev.reason})` : ` (share ${share.toFixed(2)})`}`,
  );
  if (release.important_features.length) {
    out.push(
      `- Most important features: ${release.important_features.map((f) => `${f.feature} (${num(f.importance, 3)}${f.drift_detected ? ', drifted' : ''})`).join(', ')}`,
    );
  }
  for (const [check, why] of Object.entries(release.not_computed ?? {}))
    out.push(`- ${check}: not computed: ${why}`);
  if (ev.columns_not_tested.length)
    out.push(`- Not tested (not enough data): ${ev.columns_not_tested.join(', ')}`);
  out.push('');

  out.push('## Per column', '');
  out.push(
    '| column | kind | Evidently test | score | threshold | drift | PSI | KS stat | KS p | mean shift % | severity |',
    '| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |',
  );
  for (const c of ev.columns) {
    const f = report.feature_drift[c.column];
    const test = c.status === 'tested' ? c.stattest_name! : `not tested: ${c.reason}`;
    out.push(
      `| ${cell(c.column)} | ${c.column_type} | ${cell(test)} | ${num(c.drift_score)} | ${c.stattest_threshold ?? '–'} | ${yes(c.drift_detected)} | ${f ? num(f.psi) : ''} | ${f ? num(f.ks_statistic) : ''} | ${f ? num(f.ks_p_value, 4) : ''} | ${f ? num(f.mean_shift_pct, 2) : ''} | ${f ? f.drift_severity : ''} |`,
    );
  }
  out.push('');
  const nulls = Object.entries(report.feature_drift).flatMap(([col, f]) =>
    Object.entries(f.null_reasons ?? {}).map(([k, why]) => `- ${col}.${k}: ${why}`),
  );
  if (nulls.length) out.push('Values not computed:', '', ...nulls, '');

  out.push('## Model performance', '');
  if (report.performance.computed && report.performance_degradation) {
    const p = report.performance;
    out.push(
      `Baseline: the reference's held-out rows (${p.baseline_rows})${p.baseline_note ? ` — ${p.baseline_note}` : ''}; current: ${p.current_rows} rows${p.current_rows_skipped ? ` (${p.current_rows_skipped} skipped: ${p.skipped_reason ?? ''})` : ''}.`,
      '',
      '| metric | baseline | current | drop % | level |',
      '| --- | ---: | ---: | ---: | --- |',
    );
    for (const m of METRICS) {
      const d = report.performance_degradation[m];
      out.push(
        `| ${m} | ${num(d.baseline)} | ${num(d.current)} | ${num(d.degradation_pct, 2)} | ${d.alert_level} |`,
      );
    }
  } else if (!report.performance.computed) {
    out.push(`Not computed: ${report.performance.reason}.`);
  }
  out.push('');
  out.push("## Alerts (the predecessor's rules)", '');
  const s = report.feature_drift_summary;
  out.push(
    `${s.features_with_drift} of ${s.total_features} numeric features drifted; ${s.critical_alerts} critical and ${s.warning_alerts} warning alerts.`,
    '',
  );
  if (report.alerts.length === 0) out.push('No drift alerts.');
  for (const a of report.alerts) out.push(`- **${a.level}** ${a.type}: ${a.message}`);
  out.push('');
  return `${out.join('\n')}\n`;
}
