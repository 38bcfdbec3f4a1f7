/**
 * Chi-square test of independence on a contingency table, as scipy.stats.chi2_contingency computes it (Pearson's
 * statistic, Yates' continuity correction only when dof = 1 and `correction` is on — scipy's default — with the
 * adjustment capped at |observed − expected|, dof = (r−1)(c−1), dof 0 gives statistic 0 and p 1).
 *
 * Empty categories: scipy raises when an expected count is zero (an all-zero row or column). We do the same by
 * default (a RangeError naming the empty row/column); with `dropEmpty: true` all-zero rows and columns are removed
 * first and reported in `dropped`, which is what comparing two samples over a shared category list needs.
 */
import { chi2LogSf, chi2Sf } from './special.js';

export interface Chi2ContingencyOptions {
  /** Yates' correction when dof = 1 (default true, like scipy). */
  correction?: boolean;
  /** Drop all-zero rows and columns instead of throwing (default false). */
  dropEmpty?: boolean;
}

export interface Chi2ContingencyResult {
  statistic: number;
  pvalue: number;
  /** log of the p-value: finite even when `pvalue` underflows to 0. */
  logPvalue: number;
  dof: number;
  /** Expected counts under independence, rows × columns (after dropping, if any). */
  expected: number[][];
  /** Indices (into the input) of the rows and columns dropped because they were empty. */
  dropped: { rows: number[]; columns: number[] };
}

export function chi2Contingency(
  table: ReadonlyArray<ArrayLike<number>>,
  options: Chi2ContingencyOptions = {},
): Chi2ContingencyResult {
  const correction = options.correction ?? true;
  if (table.length === 0 || table[0]!.length === 0)
    throw new RangeError('chi2Contingency: the table is empty');
  const cols = table[0]!.length;
  for (const [r, row] of table.entries()) {
    if (row.length !== cols)
      throw new RangeError(`chi2Contingency: row ${r} has ${row.length} columns, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) {
      const v = row[c]!;
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(`chi2Contingency: cell [${r}][${c}] = ${v} is not a non-negative count`);
    }
  }
  const rowSum = table.map((row) => {
    let s = 0;
    for (let c = 0; c < cols; c++) s += row[c]!;
    return s;
  });
  const colSum = Array.from({ length: cols }, (_, c) => table.reduce((s, row) => s + row[c]!, 0));
  const dropped = {
    rows: rowSum.flatMap((s, i) => (s === 0 ? [i] : [])),
    columns: colSum.flatMap((s, i) => (s === 0 ? [i] : [])),
  };
  if (!options.dropEmpty && (dropped.rows.length || dropped.columns.length)) {
    const where = dropped.rows.length ? `row ${dropped.rows[0]}` : `column ${dropped.columns[0]}`;
    throw new RangeError(
      `chi2Contingency: ${where} is all zeros, so an expected frequency is zero (drop empty categories first)`,
    );
  }
  const keepRows = rowSum.flatMap((s, i) => (s > 0 ? [i] : []));
  const keepCols = colSum.flatMap((s, i) => (s > 0 ? [i] : []));
  if (keepRows.length === 0)
    throw new RangeError('chi2Contingency: the table holds no counts (every cell is zero)');
  const total = keepRows.reduce((s, i) => s + rowSum[i]!, 0);
  const expected = keepRows.map((r) => keepCols.map((c) => (rowSum[r]! * colSum[c]!) / total));
  const dof = keepRows.length * keepCols.length - keepRows.length - keepCols.length + 1;
  if (dof === 0) return { statistic: 0, pvalue: 1, logPvalue: 0, dof, expected, dropped };
  let statistic = 0;
  keepRows.forEach((r, i) => {
    keepCols.forEach((c, j) => {
      const e = expected[i]![j]!;
      let o = table[r]![c]!;
      if (dof === 1 && correction) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((o - e) * (o - e)) / e;
    });
  });
  return {
    statistic,
    pvalue: chi2Sf(statistic, dof),
    logPvalue: chi2LogSf(statistic, dof),
    dof,
    expected,
    dropped,
  };
}

/**
 * Chi-square test of independence for two samples of categories: the 2×k table of their counts over the union of
 * categories (sample 1 is row 0). Categories absent from both are never in the table.
 */
export function chiSquareIndependence(
  counts1: ReadonlyMap<string, number>,
  counts2: ReadonlyMap<string, number>,
  options: { correction?: boolean } = {},
): Chi2ContingencyResult & { categories: string[] } {
  const categories = [...new Set([...counts1.keys(), ...counts2.keys()])].filter(
    (c) => (counts1.get(c) ?? 0) + (counts2.get(c) ?? 0) > 0,
  );
  const table = [categories.map((c) => counts1.get(c) ?? 0), categories.map((c) => counts2.get(c) ?? 0)];
  if (table[0]!.every((v) => v === 0) || table[1]!.every((v) => v === 0))
    throw new RangeError('chiSquareIndependence: each sample needs at least one counted category');
  return { ...chi2Contingency(table, { ...options, dropEmpty: true }), categories };
}
