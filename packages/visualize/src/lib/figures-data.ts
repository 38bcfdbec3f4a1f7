/**
 * Figures 01–06 (the data): pure functions from the table summary to Vega-Lite specs with their data inline. Titles
 * in English; the panels, rules and labels follow the predecessor's figures.
 */
import type { VegaLiteSpec } from '@mlops/charts';
import type { NumericSummary, TableSummary, TextSummary } from './summaries.js';

/** Categorical panels show the most frequent categories only. */
export const TOP_CATEGORIES = 8;
const MEAN_COLOUR = '#d62728';
const MEDIAN_COLOUR = '#2ca02c';
const BAR_COLOUR = '#4c78a8';

/** 2 decimals, as the predecessor's labels ("Mean: 24.31"). */
export function fixed2(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : 'n/a';
}

/** 1234567 → "1,234,567" (without Intl, whose first use costs ~50 ms at start). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "count (pct%)" with one decimal, the predecessor's bar label. */
export function countLabel(count: number, total: number): string {
  return `${count} (${total > 0 ? ((100 * count) / total).toFixed(1) : '0.0'}%)`;
}

function horizontalBars(
  title: string,
  rows: { label: string; value: number }[],
  options: { axisTitle: string; format?: string; width?: number },
): VegaLiteSpec {
  const format = options.format ?? ',';
  const max = Math.max(0, ...rows.map((r) => r.value));
  return {
    title,
    width: options.width ?? 300,
    height: { step: 16 },
    data: { values: rows },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } },
      // room on the right for the value labels
      x: {
        field: 'value',
        type: 'quantitative',
        title: options.axisTitle,
        scale: { domain: [0, max > 0 ? max * 1.18 : 1] },
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'column' },
        { field: 'value', type: 'quantitative', title: options.axisTitle, format },
      ],
    },
    layer: [
      { mark: { type: 'bar', color: BAR_COLOUR } },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333333' },
        encoding: { text: { field: 'value', type: 'quantitative', format } },
      },
    ],
  };
}

/** 01: column types (pie), missing values, unique values and memory per column. */
export function datasetOverviewSpec(summary: TableSummary, source: string): VegaLiteSpec {
  const dtypeCounts = new Map<string, number>();
  for (const c of summary.columns) dtypeCounts.set(c.dtype, (dtypeCounts.get(c.dtype) ?? 0) + 1);
  const dtypes = [...dtypeCounts].map(([dtype, columns]) => ({
    dtype,
    columns,
    label: `${dtype}: ${columns}`,
  }));
  const totalMissing = summary.columns.reduce((n, c) => n + c.missing, 0);
  const pie: VegaLiteSpec = {
    title: 'Column types',
    width: 300,
    height: 220,
    data: { values: dtypes },
    encoding: {
      theta: { field: 'columns', type: 'quantitative', stack: true },
      color: { field: 'dtype', type: 'nominal', title: 'dtype', scale: { scheme: 'tableau10' } },
      tooltip: [
        { field: 'dtype', type: 'nominal' },
        { field: 'columns', type: 'quantitative' },
      ],
    },
    layer: [
      { mark: { type: 'arc', outerRadius: 100, stroke: 'white' } },
      {
        // inside the slices: outside they would run past the panel's edge
        mark: { type: 'text', radius: 58, fontSize: 13, fontWeight: 'bold' },
        encoding: { text: { field: 'label', type: 'nominal' }, color: { value: 'white' } },
      },
    ],
  };
  const missing: VegaLiteSpec =
    totalMissing === 0
      ? {
          title: 'Missing values per column',
          width: 300,
          height: 220,
          data: { values: [{ text: 'No missing values' }] },
          mark: { type: 'text', fontSize: 16, color: '#1a7f37' },
          encoding: { text: { field: 'text', type: 'nominal' } },
        }
      : horizontalBars(
          'Missing values per column',
          summary.columns.map((c) => ({ label: c.name, value: c.missing })),
          { axisTitle: 'missing values' },
        );
  return {
    title: {
      text: 'Dataset overview',
      subtitle: `${source}: ${thousands(summary.rowCount)} rows × ${summary.columns.length} columns`,
      fontSize: 18,
    },
    columns: 2,
    concat: [
      pie,
      missing,
      horizontalBars(
        'Unique values per column',
        summary.columns.map((c) => ({ label: c.name, value: c.unique })),
        { axisTitle: 'unique values' },
      ),
      horizontalBars(
        'Memory per column (MB, as pandas deep)',
        summary.columns.map((c) => ({ label: c.name, value: c.memoryBytes / 1e6 })),
        { axisTitle: 'MB', format: '.3f' },
      ),
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

function distributionPanel(s: NumericSummary): VegaLiteSpec {
  const width = 260;
  const x = { field: 'start', type: 'quantitative', title: s.name, bin: { binned: true } };
  const layers: VegaLiteSpec[] = [
    {
      data: { values: s.bins.map((b) => ({ ...b })) },
      mark: { type: 'bar', color: BAR_COLOUR, opacity: 0.75, binSpacing: 0 },
      encoding: {
        x,
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: 'count' },
        tooltip: [
          { field: 'start', type: 'quantitative', title: 'from', format: '.3~f' },
          { field: 'end', type: 'quantitative', title: 'to', format: '.3~f' },
          { field: 'count', type: 'quantitative', title: 'rows' },
        ],
      },
    },
  ];
  if (s.kde.length > 0) {
    layers.push({
      data: { values: s.kde },
      mark: { type: 'line', color: '#1f3b5a', strokeWidth: 1.6 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  // mean and median: one dataset, one rule layer and one text layer (fewer Vega data sources and marks to build)
  const stats = [
    { stat: 'Mean', value: s.mean, label: `Mean: ${fixed2(s.mean)}`, dy: 12 },
    { stat: 'Median', value: s.median, label: `Median: ${fixed2(s.median)}`, dy: 27 },
  ].filter((d) => Number.isFinite(d.value));
  const colour = {
    field: 'stat',
    type: 'nominal',
    scale: { domain: ['Mean', 'Median'], range: [MEAN_COLOUR, MEDIAN_COLOUR] },
    legend: null,
  };
  if (stats.length > 0) {
    layers.push({
      data: { values: stats },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.8 },
          encoding: {
            x: { field: 'value', type: 'quantitative' },
            color: colour,
            tooltip: [
              { field: 'stat', type: 'nominal' },
              { field: 'value', type: 'quantitative', format: '.4~f' },
            ],
          },
        },
        {
          mark: { type: 'text', align: 'right', x: width - 4, fontSize: 11 },
          encoding: {
            y: { field: 'dy', type: 'quantitative', scale: null },
            text: { field: 'label', type: 'nominal' },
            color: colour,
          },
        },
      ],
    });
  }
  return {
    title: s.name,
    width,
    height: 160,
    layer: layers,
    resolve: { scale: { x: 'shared', y: 'shared' } },
  };
}

/** A subtitle line naming the numeric columns left out because they hold no value at all. */
function emptyNote(numeric: readonly NumericSummary[]): string[] {
  const empty = numeric.filter((s) => s.count === 0).map((s) => s.name);
  return empty.length ? [`no value at all (not drawn): ${empty.join(', ')}`] : [];
}

/**
 * 02: a histogram with its KDE per numeric column, mean (red) and median (green) dashed. Columns without any value
 * are named in the subtitle, not drawn. Undefined when no column has a value.
 */
export function numericDistributionsSpec(numeric: readonly NumericSummary[]): VegaLiteSpec | undefined {
  const drawn = numeric.filter((s) => s.count > 0);
  if (drawn.length === 0) return undefined;
  return {
    title: {
      text: 'Distributions of the numeric columns',
      subtitle: [
        'histogram (numpy "auto" bins) with a Gaussian KDE (Scott bandwidth); every row counted',
        ...emptyNote(numeric),
      ],
      fontSize: 18,
    },
    columns: 3,
    concat: drawn.map(distributionPanel),
  };
}

function boxPanel(s: NumericSummary): VegaLiteSpec {
  const b = s.box;
  const x = { datum: s.name, type: 'nominal', axis: null };
  const y = { type: 'quantitative', title: s.name, scale: { zero: false } };
  const subtitle = [`Outliers: ${b.outliers} (${b.outlierPct.toFixed(1)}%)`];
  if (b.distinctOutliers > b.outlierValues.length)
    subtitle.push(`${b.outlierValues.length} of ${b.distinctOutliers} distinct outlier values drawn`);
  const { outlierValues: _drawn, ...numbers } = b;
  const stats = [{ ...numbers, name: s.name }];
  const tooltip = [
    { field: 'lower', type: 'quantitative', title: 'lower whisker', format: '.4~f' },
    { field: 'q1', type: 'quantitative', title: 'Q1', format: '.4~f' },
    { field: 'median', type: 'quantitative', format: '.4~f' },
    { field: 'q3', type: 'quantitative', title: 'Q3', format: '.4~f' },
    { field: 'upper', type: 'quantitative', title: 'upper whisker', format: '.4~f' },
    { field: 'outliers', type: 'quantitative' },
  ];
  return {
    title: { text: s.name, subtitle, subtitleColor: b.outliers > 0 ? '#a40e26' : '#57606a' },
    width: 150,
    height: 200,
    layer: [
      {
        // one dataset for the whiskers, the box and the median
        data: { values: stats },
        encoding: { x, tooltip },
        layer: [
          {
            mark: { type: 'rule', color: '#333333' },
            encoding: { y: { ...y, field: 'lower' }, y2: { field: 'upper' } },
          },
          {
            mark: { type: 'bar', size: 44, color: '#a6c8e8', stroke: '#333333' },
            encoding: { y: { ...y, field: 'q1' }, y2: { field: 'q3' } },
          },
          {
            mark: { type: 'tick', size: 44, thickness: 2, color: '#e45756' },
            encoding: { y: { ...y, field: 'median' } },
          },
        ],
      },
      // the outlier points, when there are any (an empty layer would have no extent)
      ...(b.outlierValues.length > 0
        ? [
            {
              data: { values: b.outlierValues.map((value) => ({ value })) },
              mark: { type: 'point', color: '#333333', size: 18, opacity: 0.7 },
              encoding: {
                x,
                y: { ...y, field: 'value' },
                tooltip: [{ field: 'value', type: 'quantitative', title: 'outlier', format: '.4~f' }],
              },
            },
          ]
        : []),
    ],
  };
}

/** 03: a box plot per numeric column with its outlier count (1.5×IQR rule); undefined when no column has a value. */
export function boxplotsSpec(numeric: readonly NumericSummary[]): VegaLiteSpec | undefined {
  const drawn = numeric.filter((s) => s.count > 0);
  if (drawn.length === 0) return undefined;
  return {
    title: {
      text: 'Box plots of the numeric columns',
      subtitle: ['whiskers and outliers by the 1.5×IQR rule', ...emptyNote(numeric)],
      fontSize: 18,
    },
    columns: 4,
    concat: drawn.map(boxPanel),
  };
}

function countBars(t: TextSummary, title: string, options: { colourByValue?: boolean } = {}): VegaLiteSpec {
  const shown = t.counts.slice(0, TOP_CATEGORIES);
  const rows = shown.map((c) => ({ value: c.value, count: c.count, label: countLabel(c.count, t.total) }));
  const subtitle =
    t.counts.length > TOP_CATEGORIES ? `top ${TOP_CATEGORIES} of ${t.counts.length} categories` : undefined;
  const maxCount = Math.max(1, ...shown.map((c) => c.count));
  return {
    title: subtitle ? { text: title, subtitle } : title,
    width: 300,
    height: { step: 22 },
    data: { values: rows },
    encoding: {
      y: { field: 'value', type: 'nominal', sort: null, title: null },
      x: {
        field: 'count',
        type: 'quantitative',
        title: 'count',
        // room on the right for the "count (pct%)" labels
        scale: { domain: [0, maxCount * 1.3] },
      },
      tooltip: [
        { field: 'value', type: 'nominal', title: t.name },
        { field: 'count', type: 'quantitative' },
        { field: 'label', type: 'nominal', title: 'count (share)' },
      ],
    },
    layer: [
      {
        mark: { type: 'bar', ...(options.colourByValue ? {} : { color: BAR_COLOUR }) },
        ...(options.colourByValue
          ? {
              encoding: {
                color: { field: 'value', type: 'nominal', legend: null, scale: { scheme: 'tableau10' } },
              },
            }
          : {}),
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

/** 04: value counts of every text column, the top 8 when there are more, labelled "count (pct%)". */
export function categoricalDistributionsSpec(text: readonly TextSummary[]): VegaLiteSpec {
  return {
    title: { text: 'Distributions of the categorical columns', fontSize: 18 },
    columns: 2,
    concat: text.map((t) => countBars(t, t.name)),
  };
}

export interface ClassBalance {
  majority: string;
  minority: string;
  /** max count / min count. */
  ratio: number;
}

export function classBalance(t: TextSummary): ClassBalance | undefined {
  if (t.counts.length === 0) return undefined;
  const first = t.counts[0]!;
  const last = t.counts[t.counts.length - 1]!;
  return { majority: first.value, minority: last.value, ratio: first.count / last.count };
}

/** 05: the target's class counts, with the balance ratio (max/min) and the majority and minority classes. */
export function targetDistributionSpec(target: TextSummary): VegaLiteSpec {
  const balance = classBalance(target);
  const bars = countBars(target, `Target distribution (${target.name})`, { colourByValue: true });
  const subtitle = balance
    ? `balance ratio (max/min) ${balance.ratio.toFixed(2)}; majority ${balance.majority}, minority ${balance.minority}`
    : undefined;
  // every class is shown, not only the top 8
  const rows = target.counts.map((c) => ({
    value: c.value,
    count: c.count,
    label: countLabel(c.count, target.total),
  }));
  return {
    ...bars,
    title: { text: `Target distribution (${target.name})`, ...(subtitle ? { subtitle } : {}), fontSize: 18 },
    data: { values: rows },
    width: 420,
  };
}

/** 06: the lower triangle of the Pearson correlation matrix, annotated to 2 decimals, RdYlBu reversed around 0. */
export function correlationSpec(summary: TableSummary): VegaLiteSpec {
  const { columns, r } = summary.correlation;
  const cells: { a: string; b: string; r: number | null; label: string }[] = [];
  for (let i = 1; i < columns.length; i++)
    for (let j = 0; j < i; j++) {
      const v = r[i]![j]!;
      cells.push({
        a: columns[i]!,
        b: columns[j]!,
        r: Number.isFinite(v) ? v : null,
        label: Number.isFinite(v) ? v.toFixed(2) : 'n/a',
      });
    }
  const step = 52;
  return {
    title: {
      text: 'Correlation matrix (Pearson)',
      subtitle: 'lower triangle; pairwise-complete rows',
      fontSize: 18,
    },
    width: { step },
    height: { step },
    data: { values: cells },
    encoding: {
      x: { field: 'b', type: 'nominal', sort: columns.slice(0, -1), title: null, axis: { labelAngle: -40 } },
      y: { field: 'a', type: 'nominal', sort: columns.slice(1), title: null },
      tooltip: [
        { field: 'a', type: 'nominal', title: 'column' },
        { field: 'b', type: 'nominal', title: 'with' },
        { field: 'r', type: 'quantitative', format: '.4f' },
      ],
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white' },
        encoding: {
          color: {
            field: 'r',
            type: 'quantitative',
            title: 'r',
            scale: { scheme: 'redyellowblue', reverse: true, domain: [-1, 1], domainMid: 0 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'abs(datum.r) > 0.6', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
