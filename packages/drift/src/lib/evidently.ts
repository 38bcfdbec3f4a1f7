/**
 * Evidently 0.4.40's DataDriftPreset defaults, per column and for the dataset, read from its sources
 * (utils/data_preprocessing.py `_get_column_type`, calculations/stattests/registry.py `_get_default_stattest`,
 * calculations/data_drift.py `get_one_column_drift` / `get_dataset_drift`):
 * - column kind from the reference's pandas dtype: numbers (int64 or float64) are numerical, bool and text
 *   categorical, with Evidently's rules for columns named `target` and `prediction` (see `columnKind`). (Its
 *   DataDefinition code would call an int64 column with ≤ 5 values categorical, but the drift metrics type
 *   columns with `process_columns`, checked against the real Evidently in tests/evidently.test.ts);
 * - missing and infinite values are dropped; n = reference values left, u = distinct values of both files;
 * - n ≤ 1000: numerical with u > 5 → K-S p-value (drift when p ≤ threshold), else chi-square (u > 2) or Z-test
 *   (drift when p < threshold); n > 1000: numerical with u > 5 → Wasserstein normed, else Jensen–Shannon (drift
 *   when distance ≥ threshold);
 * - dataset drift when drifted columns / columns ≥ drift_share.
 * Evidently raises on a column with no values on one side; we report it as "not enough data" (also below
 * `minRows` values) and leave it out of the dataset share.
 */
import {
  chiSquareGoodnessOfFit,
  jensenShannonDistance,
  jensenShannonNumeric,
  ks2samp,
  twoProportionZTest,
  wassersteinDistanceNormed,
} from '@mlops/stats';
import { finiteValues, isNumericDtype, type Dtype, type TableColumn } from './table.js';

export type ColumnKind = 'num' | 'cat';
export type StatTest = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon';

/** Evidently's display names (its report's `stattest_name`). */
export const STATTEST_NAMES: Readonly<Record<StatTest, string>> = {
  ks: 'K-S p_value',
  chisquare: 'chi-square p_value',
  z: 'Z-test p_value',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen-Shannon distance',
};

/** Evidently's switch from tests to distances, and its "few distinct values" limit. */
export const LARGE_REFERENCE_ROWS = 1000;
export const FEW_DISTINCT_VALUES = 5;

export interface EvidentlyOptions {
  /** p-value tests (ks, chisquare, z): Evidently's default 0.05. */
  pvalueThreshold: number;
  /** Distances (wasserstein, jensenshannon): Evidently's default 0.1. */
  distanceThreshold: number;
  /** Dataset drift when the share of drifted columns reaches this (0.5). */
  driftShare: number;
  /** Fewer non-missing values than this on either side: not tested. */
  minRows: number;
}

export interface EvidentlyColumnResult {
  column: string;
  column_type: ColumnKind;
  status: 'tested' | 'not_enough_data';
  /** Short test name (Evidently's registry name), null when not tested. */
  stattest: StatTest | null;
  stattest_name: string | null;
  stattest_threshold: number | null;
  /** p-value or distance; null when not tested (see `reason`). */
  drift_score: number | null;
  drift_detected: boolean;
  reference_values: number;
  current_values: number;
  distinct_values: number;
  reason?: string;
}

export interface EvidentlyDatasetResult {
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number | null;
  dataset_drift: boolean;
  columns_not_tested: string[];
  columns: EvidentlyColumnResult[];
  reason?: string;
}

/** Distinct values of an ascending array. */
export function distinctSorted(sorted: Float64Array): number {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

/** Distinct values of two ascending arrays together (a merge, no hashing: fast on a million values). */
export function distinctMerged(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  let last = NaN;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (x !== last) n++;
    last = x;
  }
  return n;
}

/** The non-missing finite values of a numeric column, ascending. */
export function sortedFiniteValues(column: TableColumn): Float64Array {
  return finiteValues(column).sort();
}

/** A numeric column's values prepared once, for every test that needs them. */
export interface SortedPair {
  reference: Float64Array;
  current: Float64Array;
}

function distinctCount(column: TableColumn): number {
  if (column.values) return distinctSorted(sortedFiniteValues(column));
  const seen = new Uint8Array(column.levels!.length);
  let n = 0;
  for (const c of column.codes!) {
    if (c < 0 || seen[c]) continue;
    seen[c] = 1;
    n++;
  }
  return n;
}

const NUMERIC_KINDS: ReadonlySet<Dtype> = new Set(['int64', 'float64']);

/** The dtype of both files' column stacked together (pandas.concat): int64 + float64 is float64, else object. */
export function concatDtype(reference: Dtype, current: Dtype): Dtype {
  if (reference === current) return reference;
  if (NUMERIC_KINDS.has(reference) && NUMERIC_KINDS.has(current)) return 'float64';
  return 'object';
}

/** The task Evidently infers from a `target` column: regression when numeric with ≥ 5 distinct reference values. */
export type Task = 'regression' | 'classification' | null;
export function inferTask(target: TableColumn | undefined): Task {
  if (!target) return null;
  return isNumericDtype(target.dtype) && distinctCount(target) >= FEW_DISTINCT_VALUES
    ? 'regression'
    : 'classification';
}

function distinctBoth(reference: TableColumn, current: TableColumn): number {
  if (reference.values && current.values)
    return distinctMerged(sortedFiniteValues(reference), sortedFiniteValues(current));
  const keys = new Set<string>();
  for (const col of [reference, current]) {
    if (col.values) for (const x of finiteValues(col)) keys.add(`n${x}`);
    else for (const c of col.codes!) if (c >= 0) keys.add(`s${col.levels![c]}`);
  }
  return keys.size;
}

/**
 * Evidently's column kind (DataDriftTable: `process_columns` on the reference, then `recognize_column_type_`):
 * a numeric reference dtype (int64 or float64, whatever its distinct values) is numerical, bool and text are
 * categorical; the `target` column is numerical only for a regression task; a `prediction` column is numerical
 * for regression, or numeric with more than 5 distinct values when the task is not classification, or floats
 * within [0, 1].
 */
export function columnKind(reference: TableColumn, current: TableColumn, task: Task = null): ColumnKind {
  if (reference.name === 'target') return task === 'regression' ? 'num' : 'cat';
  if (reference.name === 'prediction') {
    const dtype = concatDtype(reference.dtype, current.dtype);
    if (task === 'regression') return 'num';
    if (
      isNumericDtype(dtype) &&
      task !== 'classification' &&
      distinctBoth(reference, current) > FEW_DISTINCT_VALUES
    )
      return 'num';
    if (dtype === 'float64') {
      let lo = Infinity;
      let hi = -Infinity;
      for (const col of [reference, current])
        for (const x of finiteValues(col)) {
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
      if (lo >= 0 && hi <= 1) return 'num';
    }
    return 'cat';
  }
  return isNumericDtype(reference.dtype) ? 'num' : 'cat';
}

/** Evidently's default test for a column kind, reference size and distinct values of both samples. */
export function defaultStatTest(kind: ColumnKind, referenceRows: number, distinct: number): StatTest {
  if (referenceRows <= LARGE_REFERENCE_ROWS) {
    if (kind === 'num' && distinct > FEW_DISTINCT_VALUES) return 'ks';
    return distinct > 2 ? 'chisquare' : 'z';
  }
  return kind === 'num' && distinct > FEW_DISTINCT_VALUES ? 'wasserstein' : 'jensenshannon';
}

/** Counts per category of both samples over the union of their categories (text or numbers as keys). */
function categoryCounts(
  reference: TableColumn,
  current: TableColumn,
): { keys: (string | number)[]; ref: Float64Array; cur: Float64Array; nRef: number; nCur: number } {
  const keyIndex = new Map<string | number, number>();
  const keys: (string | number)[] = [];
  const collect = (col: TableColumn): Map<number, number> => {
    const counts = new Map<number, number>();
    const add = (key: string | number, n: number) => {
      let k = keyIndex.get(key);
      if (k === undefined) {
        k = keys.length;
        keys.push(key);
        keyIndex.set(key, k);
      }
      counts.set(k, (counts.get(k) ?? 0) + n);
    };
    if (col.values) {
      for (const x of col.values) if (Number.isFinite(x)) add(x, 1);
    } else {
      // Count per code first (a typed array), then once per level.
      const levels = col.levels!;
      const perCode = new Float64Array(levels.length);
      for (const c of col.codes!) if (c >= 0) perCode[c]! += 1;
      perCode.forEach((n, c) => {
        if (n > 0) add(levels[c]!, n);
      });
    }
    return counts;
  };
  const r = collect(reference);
  const c = collect(current);
  const ref = new Float64Array(keys.length);
  const cur = new Float64Array(keys.length);
  let nRef = 0;
  let nCur = 0;
  for (const [k, n] of r) {
    ref[k] = n;
    nRef += n;
  }
  for (const [k, n] of c) {
    cur[k] = n;
    nCur += n;
  }
  return { keys, ref, cur, nRef, nCur };
}

function valueCount(column: TableColumn): number {
  if (column.values) {
    let n = 0;
    for (const x of column.values) if (Number.isFinite(x)) n++;
    return n;
  }
  let n = 0;
  for (const c of column.codes!) if (c >= 0) n++;
  return n;
}

/** One column's Evidently-style drift test. `sorted`: both numeric samples, finite and ascending, if at hand. */
export function evidentlyColumnDrift(
  reference: TableColumn,
  current: TableColumn,
  options: EvidentlyOptions,
  task: Task = null,
  sorted?: SortedPair,
): EvidentlyColumnResult {
  const kind = columnKind(reference, current, task);
  const numeric = reference.values !== undefined && current.values !== undefined;
  const pair: SortedPair | undefined = numeric
    ? (sorted ?? { reference: sortedFiniteValues(reference), current: sortedFiniteValues(current) })
    : undefined;
  const nRef = pair ? pair.reference.length : valueCount(reference);
  const nCur = pair ? pair.current.length : valueCount(current);
  const base = {
    column: reference.name,
    column_type: kind,
    reference_values: nRef,
    current_values: nCur,
  };
  if (nRef < options.minRows || nCur < options.minRows) {
    const side = nRef < options.minRows ? 'reference' : 'current';
    return {
      ...base,
      status: 'not_enough_data',
      stattest: null,
      stattest_name: null,
      stattest_threshold: null,
      drift_score: null,
      drift_detected: false,
      distinct_values: 0,
      reason: `not enough data: ${Math.min(nRef, nCur)} non-missing value(s) in the ${side} file, at least ${options.minRows} needed`,
    };
  }
  // Per-value counts only when a test needs them (few values, or categories): hashing a million distinct numbers
  // is what made large files slow.
  const distinct = pair
    ? distinctMerged(pair.reference, pair.current)
    : categoryCounts(reference, current).keys.length;
  const test = defaultStatTest(kind, nRef, distinct);
  const pTest = test === 'ks' || test === 'chisquare' || test === 'z';
  const threshold = pTest ? options.pvalueThreshold : options.distanceThreshold;
  let score: number;
  if (test === 'ks') score = ks2samp(pair!.reference, pair!.current).pvalue;
  else if (test === 'wasserstein')
    score = wassersteinDistanceNormed(pair!.reference, pair!.current).normedDistance;
  else if (test === 'jensenshannon' && kind === 'num' && pair)
    score = jensenShannonNumeric(pair.reference, pair.current).distance;
  else {
    const counts = categoryCounts(reference, current);
    if (test === 'chisquare') {
      // Evidently: the current counts against the reference counts scaled to the current total.
      const k = counts.nCur / counts.nRef;
      score = chiSquareGoodnessOfFit(
        counts.cur,
        Array.from(counts.ref, (x) => x * k),
      ).pvalue;
    } else if (test === 'z') {
      if (distinct === 1) score = 1;
      else {
        // The share of rows not holding the smallest category (Evidently's encoding); |z| is the same either way.
        const key0 = [...counts.keys].sort(compareKeys)[0]!;
        const k0 = counts.keys.indexOf(key0);
        score = twoProportionZTest(
          counts.nRef - counts.ref[k0]!,
          counts.nRef,
          counts.nCur - counts.cur[k0]!,
          counts.nCur,
        ).pvalue;
      }
    } else {
      score = jensenShannonDistance(
        Array.from(counts.ref, (x) => x / counts.nRef),
        Array.from(counts.cur, (x) => x / counts.nCur),
      );
    }
  }
  const drifted = test === 'ks' ? score <= threshold : pTest ? score < threshold : score >= threshold;
  return {
    ...base,
    status: 'tested',
    stattest: test,
    stattest_name: STATTEST_NAMES[test],
    stattest_threshold: threshold,
    drift_score: score,
    drift_detected: drifted,
    distinct_values: distinct,
  };
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Evidently's dataset rule over per-column results (columns not tested are left out of the share). */
export function datasetVerdict(
  columns: EvidentlyColumnResult[],
  options: Pick<EvidentlyOptions, 'driftShare'>,
): EvidentlyDatasetResult {
  const tested = columns.filter((c) => c.status === 'tested');
  const drifted = tested.filter((c) => c.drift_detected).length;
  const share = tested.length > 0 ? drifted / tested.length : null;
  return {
    drift_share: options.driftShare,
    number_of_columns: tested.length,
    number_of_drifted_columns: drifted,
    share_of_drifted_columns: share,
    dataset_drift: share !== null && share >= options.driftShare,
    columns_not_tested: columns.filter((c) => c.status !== 'tested').map((c) => c.column),
    columns,
    ...(share === null ? { reason: 'no column had enough data to be tested' } : {}),
  };
}

/** Every column's test and Evidently's dataset rule. `pairs` are the columns of both files, reference first. */
export function evidentlyDatasetDrift(
  pairs: ReadonlyArray<readonly [TableColumn, TableColumn]>,
  options: EvidentlyOptions,
): EvidentlyDatasetResult {
  const task = inferTask(pairs.find(([r]) => r.name === 'target')?.[0]);
  return datasetVerdict(
    pairs.map(([r, c]) => evidentlyColumnDrift(r, c, options, task)),
    options,
  );
}
