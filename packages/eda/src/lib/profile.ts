/**
 * The EDA profile of a cleaning run: per column its kind, missing counts before and after, the values each rule
 * corrected, category counts before/after, numeric summaries (mean, std with ddof 1, quantiles), duplicates, class
 * balance and the strongest correlations. JSON for machines, Markdown for people. Pure.
 */
import { COLUMNS, TARGET_COLUMN } from '@mlops/core';
import { describeSorted, pearsonCorrelationPairs, type NumericSummary } from '@mlops/stats';
import { sortedSelection } from './pandas-stats.js';
import type { CleanCategoricalColumn, CleanColumn, CleanedTable, ColumnCorrections } from './clean.js';
import { compareCodePoints } from './python-text.js';

export const PROFILE_JSON = 'eda_profile.json';
export const PROFILE_MARKDOWN = 'eda_profile.md';
/** Pairs at or above this |r| are called out (in the real data only one pair reaches |r| > 0.3). */
export const CORRELATION_THRESHOLD = 0.3;

export interface CountEntry {
  value: string;
  count: number;
}

export interface ColumnProfile {
  name: string;
  kind: string;
  missing: { in_file: number; before_imputation: number; after: number };
  corrections: {
    text_cleaned: number;
    na_tokens: number;
    unparseable: number;
    out_of_range: number;
    normalised: number;
    imputed: number;
  };
  imputed_with: string | number | null;
  numeric?: {
    valid_range: [number, number];
    read_as_number: boolean;
    written_as_integer: boolean;
    outlier_median: number | null;
    before: SummaryJson;
    after: SummaryJson;
  };
  categories?: {
    before: CountEntry[];
    after: CountEntry[];
    /** Values after cleaning that the schema does not allow (the predecessor never checked them). */
    unexpected: string[];
  };
}

export interface SummaryJson {
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
}

export interface CorrelationPair {
  a: string;
  b: string;
  r: number;
}

export interface EdaProfile {
  profile_version: 1;
  input: {
    path: string;
    rows: number;
    columns: number;
    missing_cells: number;
    dropped_columns: string[];
    unknown_columns: string[];
  };
  output: { path: string; rows: number; columns: number; column_names: string[]; missing_cells: number };
  options: {
    drop_missing_target: boolean;
    drop_duplicates: boolean;
    outlier_median_excludes_outliers: boolean;
  };
  summary: {
    rows_preserved_pct: number;
    out_of_range_corrected: number;
    missing_imputed: number;
    text_cleaned: number;
    na_tokens: number;
    unparseable: number;
    normalised: number;
    dropped_missing_target: number;
    duplicate_rows: number;
    dropped_duplicates: number;
  };
  columns: ColumnProfile[];
  class_balance: {
    column: string;
    counts: CountEntry[];
    majority: string | null;
    minority: string | null;
    max_min_ratio: number | null;
  };
  correlations: {
    method: 'pearson';
    threshold: number;
    strongest: CorrelationPair[];
    above_threshold: CorrelationPair[];
  };
}

function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function summaryJson(s: NumericSummary): SummaryJson {
  return {
    count: s.count,
    mean: num(s.mean),
    std: num(s.std),
    min: num(s.min),
    q25: num(s.q25),
    median: num(s.median),
    q75: num(s.q75),
    max: num(s.max),
  };
}

function correctionsJson(c: ColumnCorrections): ColumnProfile['corrections'] {
  return {
    text_cleaned: c.textCleaned,
    na_tokens: c.naTokens,
    unparseable: c.unparseable,
    out_of_range: c.outOfRange,
    normalised: c.normalised,
    imputed: c.imputed,
  };
}

/** Count entries sorted by count (descending), then value. */
function sortedCounts(counts: Map<string, number>): CountEntry[] {
  return [...counts.entries()]
    .filter(([, count]) => count > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((x, y) => y.count - x.count || compareCodePoints(x.value, y.value));
}

function keptValues(values: Float64Array, keep: Uint8Array, outputRows: number): Float64Array {
  if (outputRows === values.length) return values;
  const out = new Float64Array(outputRows);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (keep[i] === 1) out[j++] = values[i]!;
  return out;
}

function countsAfter(col: CleanCategoricalColumn, keep: Uint8Array): Map<string, number> {
  const counts = new Float64Array(col.levels.length);
  for (let i = 0; i < col.codes.length; i++)
    if (keep[i] === 1 && col.codes[i]! >= 0) counts[col.codes[i]!]!++;
  return new Map(col.levels.map((level, c) => [level, counts[c]!]));
}

export function buildProfile(table: CleanedTable, paths: { input: string; output: string }): EdaProfile {
  const { keep, outputRows } = table;
  const allowed = new Map(COLUMNS.map((c) => [c.name, new Set(c.categories ?? [])]));
  const totals = {
    text_cleaned: 0,
    na_tokens: 0,
    unparseable: 0,
    normalised: 0,
    out_of_range: 0,
    imputed: 0,
  };
  const numericKept: { name: string; values: Float64Array }[] = [];
  let classCounts: CountEntry[] = [];

  const columns = table.columns.map((col: CleanColumn): ColumnProfile => {
    const corrections = correctionsJson(col.corrections);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += corrections[key];
    const base = {
      name: col.name,
      kind: col.kind,
      missing: { in_file: col.missingInFile, before_imputation: col.missingBeforeImputation, after: 0 },
      corrections,
    };
    if (col.kind === 'numeric') {
      const values = keptValues(col.values, keep, outputRows);
      numericKept.push({ name: col.name, values });
      return {
        ...base,
        imputed_with: num(col.imputedValue),
        numeric: {
          valid_range: [col.range[0], col.range[1]],
          read_as_number: col.readAsNumber,
          written_as_integer: col.integer,
          outlier_median: num(col.outlierMedian),
          before: summaryJson(col.statsBeforeOutliers),
          after: summaryJson(describeSorted(sortedSelection(values), 0)),
        },
      };
    }
    const after = sortedCounts(countsAfter(col, keep));
    if (col.name === TARGET_COLUMN) classCounts = after;
    const ok = allowed.get(col.name) ?? new Set<string>();
    return {
      ...base,
      imputed_with: col.imputedValue,
      categories: {
        before: sortedCounts(col.countsBefore),
        after,
        unexpected: after.map((e) => e.value).filter((v) => !ok.has(v)),
      },
    };
  });

  const pairs: CorrelationPair[] = [];
  const rs = pearsonCorrelationPairs(numericKept.map((c) => c.values));
  for (let a = 0, k = 0; a < numericKept.length; a++) {
    for (let b = a + 1; b < numericKept.length; b++, k++) {
      const r = rs[k]!;
      if (Number.isFinite(r)) pairs.push({ a: numericKept[a]!.name, b: numericKept[b]!.name, r });
    }
  }
  pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r));

  const majority = classCounts[0];
  const minority = classCounts[classCounts.length - 1];
  return {
    profile_version: 1,
    input: {
      path: paths.input,
      rows: table.inputRows,
      columns: table.inputColumns.length,
      missing_cells: table.inputMissing,
      dropped_columns: [...table.droppedColumns],
      unknown_columns: [...table.unknownColumns],
    },
    output: {
      path: paths.output,
      rows: outputRows,
      columns: table.columns.length,
      column_names: table.columns.map((c) => c.name),
      missing_cells: 0,
    },
    options: {
      drop_missing_target: table.options.dropMissingTarget,
      drop_duplicates: table.options.dropDuplicates,
      outlier_median_excludes_outliers: table.options.outlierMedianExcludesOutliers,
    },
    summary: {
      rows_preserved_pct: table.inputRows === 0 ? 0 : (outputRows / table.inputRows) * 100,
      out_of_range_corrected: totals.out_of_range,
      missing_imputed: totals.imputed,
      text_cleaned: totals.text_cleaned,
      na_tokens: totals.na_tokens,
      unparseable: totals.unparseable,
      normalised: totals.normalised,
      dropped_missing_target: table.droppedMissingTarget,
      duplicate_rows: table.duplicateRows,
      dropped_duplicates: table.droppedDuplicates,
    },
    columns,
    class_balance: {
      column: TARGET_COLUMN,
      counts: classCounts,
      majority: majority?.value ?? null,
      minority: minority?.value ?? null,
      max_min_ratio: majority && minority && minority.count > 0 ? majority.count / minority.count : null,
    },
    correlations: {
      method: 'pearson',
      threshold: CORRELATION_THRESHOLD,
      strongest: pairs.slice(0, 10),
      above_threshold: pairs.filter((p) => Math.abs(p.r) > CORRELATION_THRESHOLD),
    },
  };
}

function fmt(x: number | null, digits = 4): string {
  return x === null ? '–' : x.toFixed(digits);
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** `'value'` with its leading/trailing spaces visible. */
function showValue(s: string): string {
  return '`' + escapeCell(s).replace(/`/g, "'") + '`';
}

/** The profile for people. */
export function renderProfileMarkdown(p: EdaProfile): string {
  const lines: string[] = [];
  const s = p.summary;
  lines.push('# EDA profile', '');
  lines.push(
    `Input \`${p.input.path}\`: ${p.input.rows} rows × ${p.input.columns} columns, ${p.input.missing_cells} missing cells.`,
  );
  lines.push(
    `Output \`${p.output.path}\`: ${p.output.rows} rows × ${p.output.columns} columns, ${p.output.missing_cells} missing cells (${fmt(s.rows_preserved_pct, 2)}% of rows preserved).`,
  );
  if (p.input.dropped_columns.length) lines.push(`Dropped columns: ${p.input.dropped_columns.join(', ')}.`);
  if (p.input.unknown_columns.length)
    lines.push(`Unknown columns kept out of the output: ${p.input.unknown_columns.join(', ')}.`);
  lines.push('');
  lines.push('## Headline', '', '| what | count |', '| --- | ---: |');
  lines.push(`| out-of-range values replaced by the median | ${s.out_of_range_corrected} |`);
  lines.push(`| missing cells imputed | ${s.missing_imputed} |`);
  lines.push(`| cells changed by the text clean | ${s.text_cleaned} |`);
  lines.push(`| N/A tokens made missing | ${s.na_tokens} |`);
  lines.push(`| unparseable numbers made missing | ${s.unparseable} |`);
  lines.push(`| categories normalised | ${s.normalised} |`);
  lines.push(`| duplicate rows in the cleaned data | ${s.duplicate_rows} |`);
  lines.push(`| rows dropped: missing target | ${s.dropped_missing_target} |`);
  lines.push(`| rows dropped: duplicates | ${s.dropped_duplicates} |`);
  lines.push('');
  lines.push('Options (each off by default; off reproduces the predecessor exactly):', '');
  lines.push(`- \`cleaning.drop_missing_target\`: ${p.options.drop_missing_target}`);
  lines.push(`- \`cleaning.drop_duplicates\`: ${p.options.drop_duplicates}`);
  lines.push(
    `- \`cleaning.outlier_median_excludes_outliers\`: ${p.options.outlier_median_excludes_outliers}`,
  );
  lines.push('');
  lines.push('## Columns', '');
  lines.push(
    '| column | kind | missing in file | missing before imputation | text cleaned | N/A tokens | unparseable | out of range | normalised | imputed | imputed with |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const c of p.columns) {
    const k = c.corrections;
    const imputed = typeof c.imputed_with === 'number' ? String(c.imputed_with) : (c.imputed_with ?? '–');
    lines.push(
      `| ${c.name} | ${c.kind} | ${c.missing.in_file} | ${c.missing.before_imputation} | ${k.text_cleaned} | ${k.na_tokens} | ${k.unparseable} | ${k.out_of_range} | ${k.normalised} | ${k.imputed} | ${escapeCell(imputed)} |`,
    );
  }
  lines.push('');
  lines.push('## Numeric columns (after cleaning; std with ddof 1)', '');
  lines.push('| column | range | outlier median | mean | std | min | 25% | 50% | 75% | max | mean before |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of p.columns) {
    if (!c.numeric) continue;
    const a = c.numeric.after;
    lines.push(
      `| ${c.name} | ${c.numeric.valid_range[0]}–${c.numeric.valid_range[1]} | ${fmt(c.numeric.outlier_median)} | ${fmt(a.mean)} | ${fmt(a.std)} | ${fmt(a.min)} | ${fmt(a.q25)} | ${fmt(a.median)} | ${fmt(a.q75)} | ${fmt(a.max)} | ${fmt(c.numeric.before.mean)} |`,
    );
  }
  lines.push('');
  lines.push('## Categories', '');
  for (const c of p.columns) {
    if (!c.categories) continue;
    const list = (entries: CountEntry[]) =>
      entries.length > 12
        ? entries
            .slice(0, 12)
            .map((e) => `${showValue(e.value)} ${e.count}`)
            .join(', ') + `, … (${entries.length - 12} more)`
        : entries.map((e) => `${showValue(e.value)} ${e.count}`).join(', ');
    lines.push(`- **${c.name}** after: ${list(c.categories.after)}`);
    lines.push(`  - before: ${list(c.categories.before)}; missing in file ${c.missing.in_file}`);
    if (c.categories.unexpected.length)
      lines.push(`  - values outside the schema: ${c.categories.unexpected.map(showValue).join(', ')}`);
  }
  lines.push('');
  const b = p.class_balance;
  lines.push('## Class balance', '');
  lines.push(
    `${b.column}: majority ${b.majority ?? '–'}, minority ${b.minority ?? '–'}, max/min ratio ${fmt(b.max_min_ratio, 2)}.`,
    '',
  );
  lines.push('| class | count |', '| --- | ---: |');
  for (const e of b.counts) lines.push(`| ${escapeCell(e.value)} | ${e.count} |`);
  lines.push('');
  lines.push(`## Strongest correlations (Pearson; |r| > ${p.correlations.threshold} in bold)`, '');
  lines.push('| pair | r |', '| --- | ---: |');
  for (const c of p.correlations.strongest) {
    const strong = Math.abs(c.r) > p.correlations.threshold;
    lines.push(`| ${strong ? '**' : ''}${c.a} – ${c.b}${strong ? '**' : ''} | ${c.r.toFixed(3)} |`);
  }
  lines.push('');
  return lines.join('\n');
}
