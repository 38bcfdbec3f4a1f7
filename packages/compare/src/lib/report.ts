/**
 * The comparison report: one JSON document for machines (`comparison.json`, snake_case keys, NaN written as null,
 * no timestamp so the same inputs give the same bytes)
 * and its Markdown twin for people (`comparison.md`).
 */
import type { AlignedReport } from './aligned.js';
import type { DistributionReport } from './distribution.js';

export interface ReportContext {
  input: string;
  reference: string;
}

export type ComparisonReport = AlignedReport | DistributionReport;

export const REPORT_JSON = 'comparison.json';
export const REPORT_MARKDOWN = 'comparison.md';

const snake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/** Deep copy with snake_case keys and non-finite numbers as null (JSON has no NaN). */
function toJsonValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), toJsonValue(v)]));
  return value;
}

export function reportJson(report: ComparisonReport, ctx: ReportContext): string {
  const doc = {
    schemaVersion: 1,
    input: ctx.input,
    reference: ctx.reference,
    difference: report.mode === 'aligned' ? !report.identical : report.differs,
    ...report,
  };
  return `${JSON.stringify(toJsonValue(doc), null, 2)}\n`;
}

function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

const yesNo = (b: boolean) => (b ? 'yes' : '**no**');
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function alignedMarkdown(r: AlignedReport, ctx: ReportContext): string {
  const lines = [
    '# Dataset comparison (aligned)',
    '',
    `- input: \`${ctx.input}\` (${r.shape.input[0]} rows × ${r.shape.input[1]} columns)`,
    `- reference: \`${ctx.reference}\` (${r.shape.reference[0]} rows × ${r.shape.reference[1]} columns)`,
    `- tolerance: |input − reference| ≤ ${r.tolerance.atol} + ${r.tolerance.rtol}·|reference|`,
    `- **verdict: ${r.identical ? 'identical' : 'DIFFERENT'}**`,
    '',
    '| check | result |',
    '| --- | --- |',
    `| shape | ${yesNo(r.checks.shapeMatch)} |`,
    `| column set | ${yesNo(r.checks.columnsMatch)} |`,
    `| column order | ${yesNo(r.checks.columnOrderMatch)} |`,
    `| dtypes | ${yesNo(r.checks.dtypesMatch)} |`,
    `| missing counts | ${yesNo(r.checks.missingMatch)} |`,
    `| values | ${yesNo(r.checks.valuesMatch)} |`,
    '',
    '## Columns',
    '',
    '| column | dtype (input / ref) | missing (input / ref) | compared as | differing cells | max abs diff |',
    '| --- | --- | --- | --- | ---: | ---: |',
    ...r.columns.map(
      (c) =>
        `| ${cell(c.name)} | ${c.dtypeInput ?? '–'} / ${c.dtypeReference ?? '–'} | ${c.missingInput ?? '–'} / ${c.missingReference ?? '–'} | ${c.comparison ?? 'not compared'} | ${c.differingCells} | ${fmt(c.maxAbsDiff)} |`,
    ),
  ];
  const withExamples = r.columns.filter((c) => c.examples.length > 0);
  if (withExamples.length) {
    lines.push('', '## First differing cells', '');
    for (const c of withExamples) {
      lines.push(
        `### ${c.name} (${c.differingCells} differing)`,
        '',
        '| row | input | reference |',
        '| ---: | --- | --- |',
      );
      for (const e of c.examples) lines.push(`| ${e.row} | ${cell(e.input)} | ${cell(e.reference)} |`);
      lines.push('');
    }
  }
  if (r.differences.length) lines.push('', '## Differences', '', ...r.differences.map((d) => `- ${d}`));
  return `${lines.join('\n')}\n`;
}

function distributionMarkdown(r: DistributionReport, ctx: ReportContext): string {
  const lines = [
    '# Dataset comparison (distribution)',
    '',
    `- input: \`${ctx.input}\` (${r.rows.input} rows)`,
    `- reference: \`${ctx.reference}\` (${r.rows.reference} rows)`,
    `- a column differs when its test's p-value is below alpha = ${r.alpha} (KS for numbers, chi-square for categories)`,
    `- **verdict: ${r.differs ? 'DIFFERENT' : 'same distributions'}**${r.differingColumns.length ? ` (differing: ${r.differingColumns.join(', ')})` : ''}`,
    '',
    '| check | result |',
    '| --- | --- |',
    `| column set | ${yesNo(r.checks.columnsMatch)} |`,
    `| column order | ${yesNo(r.checks.columnOrderMatch)} |`,
    `| dtypes | ${yesNo(r.checks.dtypesMatch)} |`,
    `| distributions | ${yesNo(r.checks.distributionsMatch)} |`,
    '',
    '## Rows',
    '',
    '| | input | reference |',
    '| --- | ---: | ---: |',
    `| rows | ${r.rows.input} | ${r.rows.reference} |`,
    `| duplicate rows | ${r.rows.duplicatesInput} | ${r.rows.duplicatesReference} |`,
    `| rows only in this file | ${r.rows.onlyInInput} | ${r.rows.onlyInReference} |`,
    '',
    `${r.rows.matched} rows appear in both (compared as multisets over the common columns; numbers by value, text case-folded).`,
  ];
  if (r.categoryMapping.length) {
    lines.push(
      '',
      '## Category spellings matched case-insensitively',
      '',
      '| column | key | input | reference |',
      '| --- | --- | --- | --- |',
    );
    for (const m of r.categoryMapping)
      lines.push(
        `| ${cell(m.column)} | ${cell(m.category)} | ${cell(m.input.join(', ') || '–')} | ${cell(m.reference.join(', ') || '–')} |`,
      );
  }
  if (r.numeric.length) {
    lines.push(
      '',
      '## Numeric columns',
      '',
      '| column | mean (in / ref) | std (in / ref) | q25 | median | q75 | KS D | KS p | Wasserstein | PSI | differs |',
      '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const c of r.numeric) {
      const pair = (a: number, b: number) => `${fmt(a)} / ${fmt(b)}`;
      lines.push(
        `| ${cell(c.column)} | ${pair(c.input.mean, c.reference.mean)} | ${pair(c.input.std, c.reference.std)} | ${pair(c.input.q25, c.reference.q25)} | ${pair(c.input.median, c.reference.median)} | ${pair(c.input.q75, c.reference.q75)} | ${fmt(c.ks?.statistic)} | ${fmt(c.ks?.pvalue, 3)} | ${fmt(c.wasserstein)} | ${fmt(c.psi)} | ${c.differs ? '**yes**' : 'no'} |`,
      );
    }
  }
  if (r.categorical.length) {
    lines.push(
      '',
      '## Categorical columns',
      '',
      '| column | counts (input / reference) | missing | chi² | dof | p | JS distance | differs |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const c of r.categorical) {
      const counts = c.categories.map((k) => `${k.category}: ${k.input} / ${k.reference}`).join('; ');
      lines.push(
        `| ${cell(c.column)} | ${cell(counts)} | ${c.missingInput} / ${c.missingReference} | ${fmt(c.chi2?.statistic)} | ${c.chi2?.dof ?? '–'} | ${fmt(c.chi2?.pvalue, 3)} | ${fmt(c.jensenShannon)} | ${c.differs ? '**yes**' : 'no'} |`,
      );
    }
  }
  if (r.classBalance) {
    const b = r.classBalance;
    lines.push(
      '',
      `## Class balance (${b.column})`,
      '',
      `Imbalance ratio (largest ÷ smallest class): input ${fmt(b.imbalanceRatioInput)}, reference ${fmt(b.imbalanceRatioReference)}.`,
      '',
      '| class | input | share | reference | share | z | p (two-proportion) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...b.classes.map(
        (c) =>
          `| ${cell(c.class)} | ${c.inputCount} | ${fmt(c.inputShare * 100, 3)}% | ${c.referenceCount} | ${fmt(c.referenceShare * 100, 3)}% | ${fmt(c.z, 3)} | ${fmt(c.pvalue, 3)} |`,
      ),
    );
  }
  const examples = (title: string, rows: DistributionReport['rows']['examplesOnlyInInput']) => {
    if (!rows.length) return;
    lines.push('', `## ${title}`, '', ...rows.map((e) => `- row ${e.row}: ${cell(e.cells.join(', '))}`));
  };
  examples('First rows only in the input', r.rows.examplesOnlyInInput);
  examples('First rows only in the reference', r.rows.examplesOnlyInReference);
  if (r.differences.length) lines.push('', '## Differences', '', ...r.differences.map((d) => `- ${d}`));
  return `${lines.join('\n')}\n`;
}

export function reportMarkdown(report: ComparisonReport, ctx: ReportContext): string {
  return report.mode === 'aligned' ? alignedMarkdown(report, ctx) : distributionMarkdown(report, ctx);
}
