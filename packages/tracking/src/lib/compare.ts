/** Pure helpers for the `mlops-runs` CLI: which metric ranks runs, in which direction, and the text table. */
import { formatPythonFloat } from '@mlops/core';
import type { Experiment, RunRecord } from './types.js';

/** Metrics where smaller is better, by name. */
const LOWER_IS_BETTER =
  /(loss|error|err\b|rmse|mse|mae|mape|gap|overfit|time|seconds|latency|brier|log_loss)/i;

export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.test(metric) && !/accuracy|f1|precision|recall|auc|score/i.test(metric);
}

/**
 * The metric to rank by when none is given: among metrics whose name contains 'f1' or 'accuracy', the one the
 * most runs have (so per-model prefixed names like `rf_f1_weighted` lose to a shared `test_accuracy`), 'f1'
 * before 'accuracy', then by name.
 */
export function defaultCompareMetric(runs: RunRecord[]): string | undefined {
  const coverage = new Map<string, number>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) coverage.set(k, (coverage.get(k) ?? 0) + 1);
  const candidates = [...coverage.keys()].filter((k) => /f1|accuracy/i.test(k));
  candidates.sort(
    (a, b) =>
      coverage.get(b)! - coverage.get(a)! ||
      Number(/f1/i.test(b)) - Number(/f1/i.test(a)) ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
  return candidates[0];
}

/** Runs best first by `metric`; runs without it (or with NaN) go last, ties keep newest first. */
export function rankRuns(runs: RunRecord[], metric: string, ascending = lowerIsBetter(metric)): RunRecord[] {
  const value = (r: RunRecord) => r.metrics[metric];
  return runs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const va = value(a.r);
      const vb = value(b.r);
      const ha = va !== undefined && !Number.isNaN(va);
      const hb = vb !== undefined && !Number.isNaN(vb);
      if (ha !== hb) return ha ? -1 : 1;
      if (ha && hb && va !== vb) return ascending ? va! - vb! : vb! - va!;
      return a.i - b.i;
    })
    .map(({ r }) => r);
}

export function formatMetricValue(v: number | undefined): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return formatPythonFloat(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e9) ? v.toExponential(4) : v.toFixed(4).replace(/\.?0+$/, '');
}

export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '-';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatDuration(start: number, end: number | null): string {
  if (!end || !start) return '-';
  const s = (end - start) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${(s / 60).toFixed(1)}m` : `${(s / 3600).toFixed(1)}h`;
}

/** A plain text table: left-aligned text columns, right-aligned numeric ones. */
export function renderTable(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function experimentsTable(experiments: Array<Experiment & { runs?: number }>): string {
  return renderTable(
    ['experiment_id', 'name', 'runs', 'created'],
    experiments.map((e) => [
      e.experimentId,
      e.name,
      e.runs === undefined ? '-' : String(e.runs),
      formatTime(e.creationTime),
    ]),
    [false, false, true, false],
  );
}

export function runsTable(runs: RunRecord[]): string {
  return renderTable(
    ['run_name', 'run_id', 'status', 'started', 'duration', 'params', 'metrics'],
    runs.map((r) => [
      r.info.runName,
      r.info.runId,
      r.info.status,
      formatTime(r.info.startTime),
      formatDuration(r.info.startTime, r.info.endTime),
      String(Object.keys(r.params).length),
      String(Object.keys(r.metrics).length),
    ]),
    [false, false, false, false, true, true, true],
  );
}

/** The comparison table: rank, run, the ranking metric first, then the other metrics most runs share. */
export function compareTable(ranked: RunRecord[], metric: string, maxExtra = 4): string {
  const coverage = new Map<string, number>();
  for (const r of ranked) for (const k of Object.keys(r.metrics)) coverage.set(k, (coverage.get(k) ?? 0) + 1);
  const extra = [...coverage.entries()]
    .filter(([k, n]) => k !== metric && n >= Math.max(2, Math.ceil(ranked.length / 2)))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxExtra)
    .map(([k]) => k);
  const headers = ['#', 'run_name', 'run_id', 'status', metric, ...extra];
  const rows = ranked.map((r, i) => [
    String(i + 1),
    r.info.runName,
    r.info.runId.slice(0, 8),
    r.info.status,
    formatMetricValue(r.metrics[metric]),
    ...extra.map((k) => formatMetricValue(r.metrics[k])),
  ]);
  return renderTable(headers, rows, [true, false, false, false, true, ...extra.map(() => true)]);
}

export function showRun(run: RunRecord): string {
  const lines: string[] = [];
  const i = run.info;
  lines.push(`run_name:      ${i.runName}`);
  lines.push(`run_id:        ${i.runId}`);
  lines.push(`experiment_id: ${i.experimentId}`);
  lines.push(`status:        ${i.status}`);
  lines.push(`user:          ${i.userId}`);
  lines.push(`started:       ${formatTime(i.startTime)}`);
  lines.push(`ended:         ${formatTime(i.endTime)} (${formatDuration(i.startTime, i.endTime)})`);
  lines.push(`artifact_uri:  ${i.artifactUri}`);
  const section = (title: string, entries: Array<[string, string]>) => {
    lines.push('', `${title} (${entries.length})`);
    if (entries.length === 0) return;
    const w = Math.max(...entries.map(([k]) => k.length));
    for (const [k, v] of entries) lines.push(`  ${k.padEnd(w)}  ${v}`);
  };
  const sorted = <T>(o: Record<string, T>) =>
    Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  section('params', sorted(run.params));
  section(
    'metrics',
    sorted(run.metrics).map(([k, v]) => [k, formatMetricValue(v)]),
  );
  section('tags', sorted(run.tags));
  return lines.join('\n') + '\n';
}
