/**
 * Distribution comparison: the files hold different rows (cleaned data vs a clean reference, or vs the original).
 * Per column it compares summaries side by side and runs a two-sample test — Kolmogorov–Smirnov for numbers,
 * chi-square of independence on the 2×k table of category counts for text — and a column "differs" when the
 * test's p-value is below alpha. Categories are matched case-insensitively (the reference spells the target
 * `Normal_Weight`, the cleaned data `normal_weight`), and every spelling that had to be folded is reported.
 * Rows are compared as multisets of their (normalised) contents: rows only in one file, duplicates in each.
 */
import { TARGET_COLUMN, listForMessage } from '@mlops/core';
import {
  chiSquareIndependence,
  describeSorted,
  ks2sampSorted,
  psiQuantileSorted,
  wassersteinSorted,
  jensenShannonDistance,
  sortedFinite,
  twoProportionZTest,
  type NumericSummary,
} from '@mlops/stats';
import { isNumericDtype, rowText, type Dtype, type Frame, type FrameColumn } from './frame.js';
import { groupRows, type KeyColumn } from './rows.js';

export interface DistributionOptions {
  alpha: number;
  maxExamples: number;
  /** Column holding the class label, for the class-balance section (default NObeyesdad when present). */
  targetColumn?: string;
}

export interface NumericColumnReport {
  column: string;
  input: NumericSummary;
  reference: NumericSummary;
  ks: { statistic: number; pvalue: number; method: 'exact' | 'asymp' } | null;
  wasserstein: number | null;
  /** PSI over the reference's deciles (input as "actual"). */
  psi: number | null;
  differs: boolean;
}

export interface CategoryCount {
  /** Case-folded key the two files were matched on. */
  category: string;
  input: number;
  reference: number;
}

export interface CategoricalColumnReport {
  column: string;
  categories: CategoryCount[];
  missingInput: number;
  missingReference: number;
  chi2: { statistic: number; pvalue: number; dof: number } | null;
  jensenShannon: number | null;
  differs: boolean;
}

export interface SpellingMapping {
  column: string;
  /** The case-folded key. */
  category: string;
  input: string[];
  reference: string[];
}

export interface RowExample {
  /** 1-based data row in its own file. */
  row: number;
  cells: string[];
}

export interface ClassBalance {
  column: string;
  classes: {
    class: string;
    inputCount: number;
    inputShare: number;
    referenceCount: number;
    referenceShare: number;
    z: number;
    pvalue: number;
  }[];
  /** Largest class count ÷ smallest, in each file. */
  imbalanceRatioInput: number | null;
  imbalanceRatioReference: number | null;
  chi2: { statistic: number; pvalue: number; dof: number } | null;
  differs: boolean;
}

export interface DistributionReport {
  mode: 'distribution';
  alpha: number;
  /** The overall verdict: schema differences or at least one column whose test has p < alpha. */
  differs: boolean;
  checks: {
    columnsMatch: boolean;
    columnOrderMatch: boolean;
    dtypesMatch: boolean;
    distributionsMatch: boolean;
  };
  schema: {
    onlyInInput: string[];
    onlyInReference: string[];
    dtypes: { column: string; input: Dtype | null; reference: Dtype | null }[];
  };
  rows: {
    input: number;
    reference: number;
    duplicatesInput: number;
    duplicatesReference: number;
    /** Rows present in both, counted as a multiset over the common columns. */
    matched: number;
    onlyInInput: number;
    onlyInReference: number;
    examplesOnlyInInput: RowExample[];
    examplesOnlyInReference: RowExample[];
  };
  categoryMapping: SpellingMapping[];
  numeric: NumericColumnReport[];
  categorical: CategoricalColumnReport[];
  classBalance: ClassBalance | null;
  differingColumns: string[];
  differences: string[];
}

const fold = (s: string) => s.trim().toLowerCase();

/**
 * Count categories by case-folded key, remembering every spelling seen for each key. Keys come in order of first
 * appearance (an object column's levels are in that order), as the chi-square table's columns.
 */
function countCategories(col: FrameColumn) {
  const counts = new Map<string, number>();
  const spellings = new Map<string, Set<string>>();
  const add = (raw: string, n: number) => {
    const key = fold(raw);
    counts.set(key, (counts.get(key) ?? 0) + n);
    let s = spellings.get(key);
    if (!s) spellings.set(key, (s = new Set()));
    s.add(raw);
  };
  if (col.codes && col.levels && col.levelMissing) {
    const perLevel = new Float64Array(col.levels.length);
    const codes = col.codes;
    for (let i = 0; i < codes.length; i++) perLevel[codes[i]!]!++;
    col.levels.forEach((raw, code) => {
      if (!col.levelMissing![code] && perLevel[code]! > 0) add(raw, perLevel[code]!);
    });
  } else for (let i = 0; i < col.length; i++) if (!col.isMissing(i)) add(col.text(i), 1);
  return { counts, spellings };
}

/**
 * The key columns rows are matched on across the two files: numbers by value when the column is numeric in both,
 * otherwise a shared id of the canonical text (numbers as String(value), text case-folded); missing is its own key.
 */
function matchKeys(input: Frame, reference: Frame, columns: readonly string[]): [KeyColumn[], KeyColumn[]] {
  const a: KeyColumn[] = [];
  const b: KeyColumn[] = [];
  for (const name of columns) {
    const ca = input.columns.get(name)!;
    const cb = reference.columns.get(name)!;
    if (ca.numbers && cb.numbers) {
      a.push({ kind: 'number', values: ca.numbers });
      b.push({ kind: 'number', values: cb.numbers });
      continue;
    }
    const dict = new Map<string, number>();
    const id = (s: string) => {
      let k = dict.get(s);
      if (k === undefined) dict.set(s, (k = dict.size));
      return k;
    };
    for (const [col, out] of [
      [ca, a],
      [cb, b],
    ] as const) {
      if (col.codes && col.levels && col.levelMissing) {
        const map = Int32Array.from(col.levels, (l, code) => (col.levelMissing![code] ? -1 : id(fold(l))));
        out.push({ kind: 'code', codes: col.codes, map });
      } else {
        const ids = new Int32Array(col.length);
        for (let i = 0; i < col.length; i++) ids[i] = col.isMissing(i) ? -1 : id(String(col.numbers![i]));
        out.push({ kind: 'id', ids });
      }
    }
  }
  return [a, b];
}

/**
 * pandas `duplicated().sum()`: rows equal to an earlier row over all columns of the file (numbers by value, text
 * exactly as written, every missing spelling one value).
 */
function countDuplicates(frame: Frame): number {
  const keys: KeyColumn[] = frame.header.map((name) => {
    const c = frame.columns.get(name)!;
    if (c.numbers) return { kind: 'number', values: c.numbers };
    return {
      kind: 'code',
      codes: c.codes!,
      map: Int32Array.from(c.levels!, (_, code) => (c.levelMissing![code] ? -1 : code)),
    };
  });
  return frame.rowCount - groupRows([keys], [frame.rowCount]).groupCount;
}

/** The rows of `frame` beyond the other file's count of the same key: the last occurrences are the unmatched ones. */
function examplesOnlyIn(
  frame: Frame,
  groupOf: Int32Array,
  own: Int32Array,
  other: Int32Array,
  max: number,
): RowExample[] {
  const remaining = own.slice();
  const out: RowExample[] = [];
  for (let i = 0; i < groupOf.length && out.length < max; i++) {
    const g = groupOf[i]!;
    const left = remaining[g]!;
    remaining[g] = left - 1;
    const extra = own[g]! - other[g]!;
    if (extra > 0 && left <= extra) out.push({ row: i + 1, cells: rowText(frame, i) });
  }
  return out;
}

function numericReport(name: string, a: FrameColumn, b: FrameColumn, alpha: number): NumericColumnReport {
  // Each column is sorted once; every statistic below reads the sorted copies.
  const x = sortedFinite(a.numbers!);
  const y = sortedFinite(b.numbers!);
  const input = describeSorted(x, a.length - x.length);
  const reference = describeSorted(y, b.length - y.length);
  if (input.count === 0 || reference.count === 0)
    return { column: name, input, reference, ks: null, wasserstein: null, psi: null, differs: false };
  const ks = ks2sampSorted(x, y);
  return {
    column: name,
    input,
    reference,
    ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method },
    wasserstein: wassersteinSorted(x, y),
    psi: psiQuantileSorted(y, x).psi,
    differs: ks.pvalue < alpha,
  };
}

function categoricalReport(
  name: string,
  a: FrameColumn,
  b: FrameColumn,
  alpha: number,
  mapping: SpellingMapping[],
): CategoricalColumnReport {
  const ca = countCategories(a);
  const cb = countCategories(b);
  const keys = [...new Set([...ca.counts.keys(), ...cb.counts.keys()])].sort();
  for (const key of keys) {
    const si = [...(ca.spellings.get(key) ?? [])].sort();
    const sr = [...(cb.spellings.get(key) ?? [])].sort();
    const all = new Set([...si, ...sr]);
    if (all.size > 1) mapping.push({ column: name, category: key, input: si, reference: sr });
  }
  const categories = keys.map((k) => ({
    category: k,
    input: ca.counts.get(k) ?? 0,
    reference: cb.counts.get(k) ?? 0,
  }));
  const base = {
    column: name,
    categories,
    missingInput: a.missingCount,
    missingReference: b.missingCount,
  };
  if (ca.counts.size === 0 || cb.counts.size === 0)
    return { ...base, chi2: null, jensenShannon: null, differs: false };
  const test = chiSquareIndependence(ca.counts, cb.counts);
  return {
    ...base,
    chi2: { statistic: test.statistic, pvalue: test.pvalue, dof: test.dof },
    jensenShannon: jensenShannonDistance(
      categories.map((c) => c.input),
      categories.map((c) => c.reference),
    ),
    differs: test.pvalue < alpha,
  };
}

function classBalance(report: CategoricalColumnReport): ClassBalance {
  const ni = report.categories.reduce((s, c) => s + c.input, 0);
  const nr = report.categories.reduce((s, c) => s + c.reference, 0);
  const ratio = (counts: number[]) => {
    const present = counts.filter((c) => c > 0);
    return present.length ? Math.max(...present) / Math.min(...present) : null;
  };
  return {
    column: report.column,
    classes: report.categories.map((c) => {
      const t = twoProportionZTest(c.input, ni, c.reference, nr);
      return {
        class: c.category,
        inputCount: c.input,
        inputShare: c.input / ni,
        referenceCount: c.reference,
        referenceShare: c.reference / nr,
        z: t.z,
        pvalue: t.pvalue,
      };
    }),
    imbalanceRatioInput: ratio(report.categories.map((c) => c.input)),
    imbalanceRatioReference: ratio(report.categories.map((c) => c.reference)),
    chi2: report.chi2,
    differs: report.differs,
  };
}

export function compareDistribution(
  input: Frame,
  reference: Frame,
  options: DistributionOptions,
): DistributionReport {
  const differences: string[] = [];
  const inputSet = new Set(input.header);
  const refSet = new Set(reference.header);
  const onlyInInput = input.header.filter((c) => !refSet.has(c));
  const onlyInReference = reference.header.filter((c) => !inputSet.has(c));
  const common = input.header.filter((c) => refSet.has(c));
  const columnsMatch = onlyInInput.length === 0 && onlyInReference.length === 0;
  const columnOrderMatch =
    input.header.length === reference.header.length &&
    input.header.every((c, i) => reference.header[i] === c);
  if (onlyInInput.length) differences.push(`columns only in the input: ${listForMessage(onlyInInput)}`);
  if (onlyInReference.length)
    differences.push(`columns only in the reference: ${listForMessage(onlyInReference)}`);
  if (columnsMatch && !columnOrderMatch) differences.push('the column order differs');

  const dtypes = [...input.header, ...onlyInReference].map((c) => ({
    column: c,
    input: input.columns.get(c)?.dtype ?? null,
    reference: reference.columns.get(c)?.dtype ?? null,
  }));
  const numeric: NumericColumnReport[] = [];
  const categorical: CategoricalColumnReport[] = [];
  const categoryMapping: SpellingMapping[] = [];
  let dtypesMatch = true;
  for (const name of common) {
    const a = input.columns.get(name)!;
    const b = reference.columns.get(name)!;
    // An all-missing column (float64 to pandas) is compatible with either kind for choosing the test.
    const emptyA = a.missingCount === a.length;
    const emptyB = b.missingCount === b.length;
    const numA = isNumericDtype(a.dtype) && !(emptyA && !emptyB && !isNumericDtype(b.dtype));
    const numB = isNumericDtype(b.dtype) && !(emptyB && !emptyA && !isNumericDtype(a.dtype));
    if (a.dtype !== b.dtype) {
      dtypesMatch = false;
      differences.push(`${name}: dtype ${a.dtype} in the input, ${b.dtype} in the reference`);
    }
    if (numA && numB) numeric.push(numericReport(name, a, b, options.alpha));
    else if (!numA && !numB) categorical.push(categoricalReport(name, a, b, options.alpha, categoryMapping));
    // A column numeric in one file and text in the other is a schema difference; no test applies.
  }
  for (const r of numeric)
    if (r.differs)
      differences.push(
        `${r.column}: distributions differ (KS D = ${r.ks!.statistic.toPrecision(4)}, p = ${r.ks!.pvalue.toPrecision(3)})`,
      );
  for (const r of categorical)
    if (r.differs)
      differences.push(
        `${r.column}: category frequencies differ (chi² = ${r.chi2!.statistic.toPrecision(4)}, p = ${r.chi2!.pvalue.toPrecision(3)})`,
      );

  const [keysInput, keysRef] = matchKeys(input, reference, common);
  const grouping = groupRows([keysInput, keysRef], [input.rowCount, reference.rowCount]);
  const [countInput, countRef] = grouping.counts as [Int32Array, Int32Array];
  let matched = 0;
  for (let g = 0; g < grouping.groupCount; g++) matched += Math.min(countInput[g]!, countRef[g]!);

  const target = options.targetColumn ?? (common.includes(TARGET_COLUMN) ? TARGET_COLUMN : undefined);
  const targetReport = target ? categorical.find((c) => c.column === target) : undefined;
  const differingColumns = [...numeric, ...categorical].filter((r) => r.differs).map((r) => r.column);
  const distributionsMatch = differingColumns.length === 0;
  return {
    mode: 'distribution',
    alpha: options.alpha,
    differs: !(columnsMatch && dtypesMatch && distributionsMatch),
    checks: { columnsMatch, columnOrderMatch, dtypesMatch, distributionsMatch },
    schema: { onlyInInput, onlyInReference, dtypes },
    rows: {
      input: input.rowCount,
      reference: reference.rowCount,
      duplicatesInput: countDuplicates(input),
      duplicatesReference: countDuplicates(reference),
      matched,
      onlyInInput: input.rowCount - matched,
      onlyInReference: reference.rowCount - matched,
      examplesOnlyInInput: examplesOnlyIn(
        input,
        grouping.groupOf[0]!,
        countInput,
        countRef,
        options.maxExamples,
      ),
      examplesOnlyInReference: examplesOnlyIn(
        reference,
        grouping.groupOf[1]!,
        countRef,
        countInput,
        options.maxExamples,
      ),
    },
    categoryMapping,
    numeric,
    categorical,
    classBalance: targetReport ? classBalance(targetReport) : null,
    differingColumns,
    differences,
  };
}
