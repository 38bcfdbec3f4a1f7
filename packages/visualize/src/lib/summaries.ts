/**
 * The statistics the figures draw, computed once over every row (no sample): histograms with numpy's 'auto' bins,
 * a Gaussian KDE (Scott's bandwidth, as scipy's gaussian_kde) evaluated from a fine histogram, box-plot numbers with
 * the 1.5×IQR rule, value counts and Pearson correlations. The figures then carry only these summaries, so a spec's
 * size does not grow with the data. Pure.
 */
import { pearsonCorrelationPairs, quantileSorted, sortedFinite } from '@mlops/stats';
import { columnMemoryBytes, type NumericColumn, type Table, type TextColumn } from './table.js';

/** Bins of a histogram are capped so a million rows do not draw thousands of hairline bars. */
export const MAX_HISTOGRAM_BINS = 100;
/** KDE: the data are binned on this many cells first (bin width ≪ bandwidth, so the curve is the same to the eye). */
export const KDE_GRID_BINS = 1024;
export const KDE_POINTS = 160;
/** Box plots draw at most this many distinct outlier values (the count in the label is always exact). */
export const MAX_OUTLIER_POINTS = 400;
export const IQR_MULTIPLIER = 1.5;

/** Drawing positions to 7 significant digits: far below a pixel, and a spec a third the size of full doubles. */
export function display(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(7)) : x;
}

export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

export interface NumericSummary {
  name: string;
  count: number;
  missing: number;
  /** Distinct non-missing values (pandas nunique). */
  unique: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  bins: HistogramBin[];
  /** The KDE scaled to counts per histogram bin (density × n × bin width), as seaborn's histplot draws it. */
  kde: { x: number; y: number }[];
  box: BoxSummary;
}

export interface BoxSummary {
  q1: number;
  median: number;
  q3: number;
  /** Whisker ends: the most extreme values inside the 1.5×IQR fences. */
  lower: number;
  upper: number;
  outliers: number;
  /** Outliers as a share of all rows, in percent. */
  outlierPct: number;
  /** Distinct outlier values drawn (at most MAX_OUTLIER_POINTS; spread over the range when there are more). */
  outlierValues: number[];
  distinctOutliers: number;
}

/**
 * numpy's histogram_bin_edges(bins='auto') count (numpy 2): the smaller of Sturges' width and Freedman–Diaconis'
 * width floored at half the square-root rule's (so a column with IQR 0 still gets bins), capped at
 * MAX_HISTOGRAM_BINS.
 */
export function autoBinCount(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 1;
  const range = sorted[n - 1]! - sorted[0]!;
  if (range === 0) return 1;
  const sturges = range / (Math.log2(n) + 1);
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  const fd = (2 * iqr) / Math.cbrt(n);
  const sqrtRule = range / Math.sqrt(n);
  const width = Math.min(Math.max(fd, sqrtRule / 2), sturges);
  return Math.max(1, Math.min(MAX_HISTOGRAM_BINS, Math.ceil(range / width)));
}

/**
 * Equal-width histogram of sorted values over [min, max], binned as numpy.histogram does: edges from linspace, the
 * last bin closed, an index from (v − min)·n/range corrected against the edges.
 */
export function histogram(sorted: Float64Array, binCount: number): HistogramBin[] {
  const n = sorted.length;
  if (n === 0) return [];
  const lo = sorted[0]!;
  const hi = sorted[n - 1]!;
  if (hi === lo) return [{ start: lo - 0.5, end: hi + 0.5, count: n }];
  const step = (hi - lo) / binCount;
  const edges = Array.from({ length: binCount + 1 }, (_, k) => (k === binCount ? hi : lo + k * step));
  const norm = binCount / (hi - lo);
  const counts = new Float64Array(binCount);
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    let k = Math.trunc((v - lo) * norm);
    if (k === binCount) k--;
    if (v < edges[k]!) k--;
    else if (k !== binCount - 1 && v >= edges[k + 1]!) k++;
    counts[k]!++;
  }
  return Array.from(counts, (count, k) => ({ start: edges[k]!, end: edges[k + 1]!, count }));
}

/** Gaussian KDE with Scott's factor n^(-1/5) × sample std, on KDE_POINTS points over [min, max], in counts per bin. */
export function kdeCurve(sorted: Float64Array, std: number, binWidth: number): { x: number; y: number }[] {
  const n = sorted.length;
  if (n < 2 || !(std > 0)) return [];
  const bw = std * Math.pow(n, -1 / 5);
  const lo = sorted[0]!;
  const hi = sorted[n - 1]!;
  const grid = histogram(sorted, KDE_GRID_BINS);
  const centres = grid.map((b) => (b.start + b.end) / 2);
  const out: { x: number; y: number }[] = [];
  const norm = 1 / (n * bw * Math.sqrt(2 * Math.PI));
  for (let p = 0; p < KDE_POINTS; p++) {
    const x = lo + ((hi - lo) * p) / (KDE_POINTS - 1);
    let density = 0;
    for (let k = 0; k < grid.length; k++) {
      const c = grid[k]!.count;
      if (c === 0) continue;
      const z = (x - centres[k]!) / bw;
      if (z > 8 || z < -8) continue;
      density += c * Math.exp(-0.5 * z * z);
    }
    out.push({ x: display(x), y: display(density * norm * n * binWidth) });
  }
  return out;
}

export function boxSummary(sorted: Float64Array, rowCount: number): BoxSummary {
  const n = sorted.length;
  const q1 = quantileSorted(sorted, 0.25);
  const median = quantileSorted(sorted, 0.5);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  const lowFence = q1 - IQR_MULTIPLIER * iqr;
  const highFence = q3 + IQR_MULTIPLIER * iqr;
  let lower = q1;
  let upper = q3;
  const distinct: number[] = [];
  let outliers = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (v < lowFence || v > highFence) {
      outliers++;
      if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
    } else {
      if (v < lower) lower = v;
      if (v > upper) upper = v;
    }
  }
  let shown = distinct;
  if (distinct.length > MAX_OUTLIER_POINTS) {
    const step = (distinct.length - 1) / (MAX_OUTLIER_POINTS - 1);
    shown = Array.from({ length: MAX_OUTLIER_POINTS }, (_, i) => distinct[Math.round(i * step)]!);
  }
  return {
    q1,
    median,
    q3,
    lower,
    upper,
    outliers,
    outlierPct: rowCount > 0 ? (100 * outliers) / rowCount : 0,
    outlierValues: shown,
    distinctOutliers: distinct.length,
  };
}

export function summariseNumeric(column: NumericColumn, rowCount: number): NumericSummary {
  const sorted = sortedFinite(column.values);
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  let unique = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique++;
  const exact = histogram(sorted, autoBinCount(sorted));
  const binWidth = exact.length ? exact[0]!.end - exact[0]!.start : 1;
  const bins = exact.map((b) => ({ start: display(b.start), end: display(b.end), count: b.count }));
  return {
    name: column.name,
    count: n,
    missing: column.missing,
    unique,
    mean,
    median: quantileSorted(sorted, 0.5),
    std,
    min: n ? sorted[0]! : NaN,
    max: n ? sorted[n - 1]! : NaN,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
    bins,
    kde: kdeCurve(sorted, std, binWidth),
    box: boxSummary(sorted, rowCount),
  };
}

export interface CountEntry {
  value: string;
  count: number;
}

export interface TextSummary {
  name: string;
  /** Sorted by count, descending (ties in first-seen order, as pandas' value_counts). */
  counts: CountEntry[];
  /** Non-missing cells. */
  total: number;
  missing: number;
}

export function summariseText(column: TextColumn): TextSummary {
  const counts = [...column.counts].map(([value, count]) => ({ value, count }));
  counts.sort((a, b) => b.count - a.count);
  return {
    name: column.name,
    counts,
    total: counts.reduce((n, c) => n + c.count, 0),
    missing: column.missing,
  };
}

export interface CorrelationMatrix {
  columns: string[];
  /** r[i][j]; NaN where undefined (a constant column). */
  r: number[][];
}

/** Pearson correlations of the numeric columns (pairwise-complete rows, as pandas' corr()). */
export function correlationMatrix(columns: readonly NumericColumn[]): CorrelationMatrix {
  const k = columns.length;
  const pairs = pearsonCorrelationPairs(columns.map((c) => c.values));
  const r = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : NaN)));
  let p = 0;
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      r[a]![b] = pairs[p]!;
      r[b]![a] = pairs[p]!;
      p++;
    }
  return { columns: columns.map((c) => c.name), r };
}

export interface TableSummary {
  path: string;
  rowCount: number;
  columns: { name: string; dtype: string; missing: number; unique: number; memoryBytes: number }[];
  numeric: NumericSummary[];
  text: TextSummary[];
  correlation: CorrelationMatrix;
}

export function summariseTable(table: Table): TableSummary {
  const numericColumns = table.columns.filter((c): c is NumericColumn => c.kind === 'numeric');
  const numeric = numericColumns.map((c) => summariseNumeric(c, table.rowCount));
  const uniqueOf = new Map(numeric.map((s) => [s.name, s.unique]));
  return {
    path: table.path,
    rowCount: table.rowCount,
    columns: table.columns.map((c) => ({
      name: c.name,
      dtype: c.dtype,
      missing: c.missing,
      unique: c.kind === 'numeric' ? uniqueOf.get(c.name)! : c.counts.size,
      memoryBytes: columnMemoryBytes(c, table.rowCount),
    })),
    numeric,
    text: table.columns.filter((c): c is TextColumn => c.kind === 'text').map((c) => summariseText(c)),
    correlation: correlationMatrix(numericColumns),
  };
}
