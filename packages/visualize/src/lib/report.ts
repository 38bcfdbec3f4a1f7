/**
 * The HTML report: one self-contained page (charts' page builder, vega-embed inline) with the data figures, the EDA
 * profile, the CV table of every model and fold, the evaluation metrics, the compare result and the drift verdicts,
 * every figure interactive. A section whose input is absent says so. Pure: returns the page text.
 */
import { dirname, relative, sep } from 'node:path';
import {
  buildReportHtml,
  escapeHtml,
  htmlBadge,
  htmlKeyValues,
  htmlParagraph,
  htmlTable,
  type Cell,
  type ReportChart,
  type ReportSection,
  type VegaLiteSpec,
} from '@mlops/charts';
import { FIGURE_NAMES, type ModelInputs, type SkippedFigure } from './figures.js';
import type { ForeignFigure, InputFolders, OptionalJson, StageInputs } from './inputs.js';
import type { TableSummary } from './summaries.js';

export interface ReportFigure {
  name: string;
  title: string;
  spec: VegaLiteSpec;
  files: string[];
}

export interface ReportInputs {
  summary: TableSummary;
  figures: ReportFigure[];
  skipped: SkippedFigure[];
  inputs: StageInputs;
  model: ModelInputs;
  options: InputFolders & { input: string; reportPath: string; outputDir: string };
  /** Figure specs other stages wrote (the drift stage's), shown in the Drift section. */
  foreign?: ForeignFigure[];
}

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isScalar = (x: unknown): x is Cell => x === null || ['string', 'number', 'boolean'].includes(typeof x);
/** Tables longer than this show their first rows and say how many there are. */
export const MAX_TABLE_ROWS = 200;

function absent(input: OptionalJson, what: string): string {
  return htmlParagraph(`No ${what}: ${input.found ? 'unusable' : input.path + ' not found'}.`, 'note');
}

function chartsFor(figures: ReportFigure[], names: readonly string[]): ReportChart[] {
  return figures
    .filter((f) => names.includes(f.name))
    .map((f) => ({
      id: `fig-${f.name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      spec: f.spec,
      caption: `${f.name}: ${f.title}`,
    }));
}

function cellOf(value: unknown): Cell {
  if (value === undefined) return ''; // a key another row has and this one lacks
  if (isScalar(value)) return value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A table of objects (the union of their keys, in first-seen order), the first MAX_TABLE_ROWS rows. */
function objectsTable(
  rows: readonly Obj[],
  firstColumn?: { title: string; values: readonly string[] },
): string {
  const keys: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!keys.includes(k)) keys.push(k);
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const headers = firstColumn ? [firstColumn.title, ...keys] : keys;
  const body = shown.map((row, i) => {
    const cells = keys.map((k) => cellOf(row[k]));
    return firstColumn ? [firstColumn.values[i]!, ...cells] : cells;
  });
  const more =
    rows.length > shown.length ? htmlParagraph(`First ${shown.length} of ${rows.length} rows.`, 'note') : '';
  return htmlTable(headers, body) + more;
}

/**
 * Any JSON report, generically: top-level booleans as verdict badges (true = flagged), scalars as a key-value list,
 * lists of text as bullet lists, lists of objects and maps of objects (e.g. per-feature entries) as tables, other
 * objects as sub-sections (to `depth` levels).
 */
export function genericJsonHtml(value: unknown, depth = 2): string {
  if (!isObject(value)) {
    if (Array.isArray(value) && value.every(isObject)) return objectsTable(value as Obj[]);
    return `<pre>${escapeHtml(JSON.stringify(value, null, 2).slice(0, 4000))}</pre>`;
  }
  const parts: string[] = [];
  const booleans = Object.entries(value).filter(([, v]) => typeof v === 'boolean') as [string, boolean][];
  if (booleans.length > 0)
    parts.push(`<p class="verdicts">${booleans.map(([k, v]) => htmlBadge(`${k}: ${v}`, !v)).join(' ')}</p>`);
  const scalars = Object.entries(value).filter(([, v]) => isScalar(v) && typeof v !== 'boolean') as [
    string,
    Cell,
  ][];
  if (scalars.length > 0) parts.push(htmlKeyValues(scalars));
  for (const [key, v] of Object.entries(value)) {
    if (isScalar(v)) continue;
    if (Array.isArray(v)) {
      if (v.length === 0) parts.push(`<h3>${escapeHtml(key)}</h3>${htmlParagraph('none', 'note')}`);
      else if (v.every((x) => typeof x === 'string'))
        parts.push(
          `<h3>${escapeHtml(key)}</h3><ul>${(v as string[])
            .slice(0, MAX_TABLE_ROWS)
            .map((x) => `<li>${escapeHtml(x)}</li>`)
            .join('')}</ul>`,
        );
      else if (v.every(isObject)) parts.push(`<h3>${escapeHtml(key)}</h3>${objectsTable(v as Obj[])}`);
      else parts.push(`<h3>${escapeHtml(key)}</h3>${htmlParagraph(String(cellOf(v)))}`);
      continue;
    }
    if (isObject(v)) {
      const entries = Object.entries(v);
      if (entries.length > 0 && entries.every(([, x]) => isObject(x))) {
        parts.push(
          `<h3>${escapeHtml(key)}</h3>${objectsTable(
            entries.map(([, x]) => x as Obj),
            { title: 'name', values: entries.map(([k]) => k) },
          )}`,
        );
      } else if (depth > 0) {
        parts.push(`<h3>${escapeHtml(key)}</h3>${genericJsonHtml(v, depth - 1)}`);
      } else parts.push(`<h3>${escapeHtml(key)}</h3>${htmlParagraph(String(cellOf(v)))}`);
    }
  }
  return parts.join('\n');
}

function dataSection(r: ReportInputs): ReportSection {
  const s = r.summary;
  const table = htmlTable(
    ['column', 'dtype', 'missing', 'unique', 'memory (MB)'],
    s.columns.map((c) => [c.name, c.dtype, c.missing, c.unique, Number((c.memoryBytes / 1e6).toFixed(4))]),
  );
  const numeric = htmlTable(
    ['column', 'count', 'mean', 'std', 'min', 'Q1', 'median', 'Q3', 'max', 'outliers (1.5×IQR)'],
    s.numeric.map((n) => [
      n.name,
      n.count,
      n.mean,
      n.std,
      n.min,
      n.q1,
      n.median,
      n.q3,
      n.max,
      n.box.outliers,
    ]),
  );
  return {
    id: 'data',
    title: 'Data',
    body:
      htmlParagraph(`${r.options.input}: ${s.rowCount} rows, ${s.columns.length} columns.`) +
      table +
      '<h3>Numeric columns</h3>' +
      numeric,
    charts: chartsFor(r.figures, [
      FIGURE_NAMES.overview,
      FIGURE_NAMES.distributions,
      FIGURE_NAMES.boxplots,
      FIGURE_NAMES.categorical,
      FIGURE_NAMES.target,
      FIGURE_NAMES.correlation,
    ]),
  };
}

function get(obj: unknown, ...path: string[]): unknown {
  let at = obj;
  for (const p of path) at = isObject(at) ? at[p] : undefined;
  return at;
}

function edaSection(input: OptionalJson): ReportSection {
  const section = { id: 'eda', title: 'EDA profile' };
  if (!input.found) return { ...section, body: absent(input, 'EDA profile') };
  const p = input.value;
  const columns = get(p, 'columns');
  if (!isObject(p) || !Array.isArray(columns) || !columns.every(isObject))
    return {
      ...section,
      body:
        htmlParagraph(`${input.path}: not in the eda stage's format; shown as it is.`, 'note') +
        genericJsonHtml(p),
    };
  const parts: string[] = [htmlParagraph(`From ${input.path}.`, 'note')];
  const pairs: [string, Cell][] = [
    ['input', cellOf(get(p, 'input', 'path'))],
    ['input rows', cellOf(get(p, 'input', 'rows'))],
    ['output', cellOf(get(p, 'output', 'path'))],
    ['output rows', cellOf(get(p, 'output', 'rows'))],
  ];
  const summary = get(p, 'summary');
  if (isObject(summary))
    for (const [k, v] of Object.entries(summary)) if (isScalar(v)) pairs.push([k.replace(/_/g, ' '), v]);
  parts.push(htmlKeyValues(pairs));
  parts.push('<h3>Columns: cleaning</h3>');
  parts.push(
    htmlTable(
      [
        'column',
        'kind',
        'missing in file',
        'missing before imputation',
        'missing after',
        'text cleaned',
        'NA tokens',
        'unparseable',
        'out of range',
        'normalised',
        'imputed',
        'imputed with',
      ],
      (columns as Obj[]).map((c) => [
        cellOf(c['name']),
        cellOf(c['kind']),
        cellOf(get(c, 'missing', 'in_file')),
        cellOf(get(c, 'missing', 'before_imputation')),
        cellOf(get(c, 'missing', 'after')),
        cellOf(get(c, 'corrections', 'text_cleaned')),
        cellOf(get(c, 'corrections', 'na_tokens')),
        cellOf(get(c, 'corrections', 'unparseable')),
        cellOf(get(c, 'corrections', 'out_of_range')),
        cellOf(get(c, 'corrections', 'normalised')),
        cellOf(get(c, 'corrections', 'imputed')),
        cellOf(c['imputed_with']),
      ]),
    ),
  );
  const numeric = (columns as Obj[]).filter((c) => isObject(c['numeric']));
  if (numeric.length > 0) {
    const stat = ['count', 'mean', 'std', 'min', 'q25', 'median', 'q75', 'max'];
    parts.push('<h3>Numeric columns before → after cleaning</h3>');
    parts.push(
      htmlTable(
        ['column', 'stage', ...stat],
        numeric.flatMap((c) =>
          (['before', 'after'] as const).map((when) => [
            cellOf(c['name']),
            when,
            ...stat.map((k) => cellOf(get(c, 'numeric', when, k))),
          ]),
        ),
      ),
    );
  }
  const balance = get(p, 'class_balance');
  if (isObject(balance)) {
    parts.push(`<h3>Class balance (${escapeHtml(String(balance['column'] ?? 'target'))})</h3>`);
    parts.push(
      htmlKeyValues([
        ['majority', cellOf(balance['majority'])],
        ['minority', cellOf(balance['minority'])],
        ['max/min ratio', cellOf(balance['max_min_ratio'])],
      ]),
    );
    const counts = balance['counts'];
    if (Array.isArray(counts) && counts.every(isObject)) parts.push(objectsTable(counts as Obj[]));
  }
  const strongest = get(p, 'correlations', 'strongest');
  if (Array.isArray(strongest) && strongest.every(isObject)) {
    parts.push('<h3>Strongest correlations</h3>');
    parts.push(objectsTable(strongest as Obj[]));
  }
  return { ...section, body: parts.join('\n') };
}

function modelSection(r: ReportInputs): ReportSection {
  const { evaluation, comparison, cv } = r.model;
  const parts: string[] = [];
  // cross-validation: every model and fold
  parts.push('<h3>Cross-validation</h3>');
  if (cv) {
    const folds = [...new Set(cv.folds.map((f) => f.fold))].sort((a, b) => a - b);
    const models = cv.summary.map((s) => s.model);
    const rows = models.map((model) => {
      const mine = cv.folds.filter((f) => f.model === model);
      const s = cv.summary.find((x) => x.model === model)!;
      const fit = mine.every((f) => f.fit_seconds !== undefined)
        ? mine.reduce((n, f) => n + f.fit_seconds!, 0)
        : null;
      return [model, ...folds.map((k) => mine.find((f) => f.fold === k)?.score ?? null), s.mean, s.std, fit];
    });
    parts.push(
      htmlParagraph(
        `Scoring: ${cv.scoring ?? 'as the ml stage set it'}; ${folds.length} folds; std over folds.`,
        'note',
      ),
      htmlTable(['model', ...folds.map((k) => `fold ${k}`), 'mean', 'std', 'fit seconds (all folds)'], rows),
    );
  } else parts.push(absent(r.inputs.cv, 'CV table'));
  // evaluation of the selected model
  parts.push('<h3>Evaluation of the selected model</h3>');
  if (evaluation) {
    const t = evaluation.test;
    const tr = evaluation.train;
    parts.push(
      htmlKeyValues([
        ['model', evaluation.model_name],
        ['train / test rows', `${evaluation.train_set_size ?? '?'} / ${evaluation.test_set_size ?? '?'}`],
        ['train − test gap', evaluation.train_test_gap ?? null],
        ['status', evaluation.overfitting_status ?? null],
      ]),
      htmlTable(
        ['metric', 'train', 'test'],
        [
          ['accuracy', tr?.accuracy ?? null, t.accuracy],
          ['precision (weighted)', tr?.precision ?? null, t.precision],
          ['recall (weighted)', tr?.recall ?? null, t.recall],
          ['F1 (weighted)', tr?.f1 ?? null, t.f1],
        ],
        { digits: 6 },
      ),
    );
    if (evaluation.confusion_matrix) {
      const names = evaluation.confusion_matrix.map((_, i) => evaluation.target_names?.[i] ?? String(i));
      parts.push(
        htmlTable(
          ['true \\ predicted', ...names],
          evaluation.confusion_matrix.map((row, i) => [names[i]!, ...row]),
          { caption: 'Confusion matrix (rows: true class)' },
        ),
      );
    }
  } else parts.push(absent(r.inputs.evaluation, 'evaluation metrics'));
  parts.push('<h3>Test metrics of every model</h3>');
  if (comparison) {
    parts.push(
      htmlTable(
        [
          'model',
          'accuracy',
          'precision (weighted)',
          'recall (weighted)',
          'F1 (weighted)',
          'train accuracy',
          'gap',
          'status',
        ],
        comparison.map((m) => [
          m.model,
          m.accuracy,
          m.precision_weighted ?? null,
          m.recall_weighted ?? null,
          m.f1_weighted ?? null,
          m.train_accuracy ?? null,
          m.gap ?? null,
          m.status ?? null,
        ]),
      ),
    );
  } else parts.push(absent(r.inputs.comparison, 'per-model comparison'));
  return {
    id: 'models',
    title: 'Models',
    body: parts.join('\n'),
    charts: chartsFor(r.figures, [FIGURE_NAMES.metrics, FIGURE_NAMES.confusion, FIGURE_NAMES.overfitting]),
  };
}

function jsonSection(id: string, title: string, input: OptionalJson, what: string): ReportSection {
  if (!input.found) return { id, title, body: absent(input, what) };
  return { id, title, body: htmlParagraph(`From ${input.path}.`, 'note') + genericJsonHtml(input.value) };
}

/** The drift report, then the drift stage's figures (any other stage's specs found beside ours), interactive. */
function driftSection(r: ReportInputs): ReportSection {
  const section = jsonSection('drift', 'Drift', r.inputs.drift, 'drift report');
  const foreign = r.foreign ?? [];
  if (foreign.length === 0) return section;
  return {
    ...section,
    body: `${section.body ?? ''}<h3>Figures</h3>`,
    charts: foreign.map((f) => ({
      id: `other-${f.name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      spec: f.spec as VegaLiteSpec,
      caption: `${f.name} (${f.path})`,
    })),
  };
}

/** A path as a link from the report's folder (forward slashes, each segment URI-encoded). */
function linkFrom(reportPath: string, file: string): string {
  return relative(dirname(reportPath), file).split(sep).map(encodeURIComponent).join('/');
}

function filesSection(r: ReportInputs): ReportSection {
  const rows = r.figures.map((f) => {
    const links = f.files.map(
      (file) =>
        `<a href="${escapeHtml(linkFrom(r.options.reportPath, file))}">${escapeHtml(file.split(/[\\/]/).pop()!)}</a>`,
    );
    return `<tr><td>${escapeHtml(f.name)}</td><td>${links.join(' · ')}</td></tr>`;
  });
  const skipped = r.skipped.map((s) => `<li>${escapeHtml(s.name)}: ${escapeHtml(s.reason)}</li>`).join('');
  return {
    id: 'files',
    title: 'Figure files',
    body:
      `<div class="table-wrap"><table><thead><tr><th>figure</th><th>files (spec, images)</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
      (skipped ? `<h3>Skipped</h3><ul>${skipped}</ul>` : ''),
  };
}

export function buildReport(r: ReportInputs): string {
  return buildReportHtml({
    title: 'Obesity-level pipeline report',
    subtitle: `data ${r.options.input}; metrics ${r.options.metricsDir}; figures ${r.options.outputDir}`,
    sections: [
      dataSection(r),
      edaSection(r.inputs.edaProfile),
      modelSection(r),
      jsonSection('compare', 'Dataset comparison', r.inputs.compare, 'comparison report'),
      driftSection(r),
      filesSection(r),
    ],
  });
}
