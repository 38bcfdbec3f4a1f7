/**
 * The predecessor's 7 cleaning steps over typed columns, plus the three opt-in improvements. Steps 1–4
 * ran while reading (RawAccumulator); this finishes steps 5–7 and reports what every rule changed. Pure.
 */
import { describeSorted, type NumericSummary } from '@mlops/stats';
import { VALUE_RANGES, TARGET_COLUMN, type ColumnKind } from '@mlops/core';
import { CELL_INTEGER, CELL_TEXT_CHANGED, type RawNumericColumn, type RawTable } from './accumulate.js';
import { findDuplicates } from './duplicates.js';
import { medianOfSorted, modeOfCodes, pandasMedian, sortedSelection } from './pandas-stats.js';
import { NA_TOKENS, NumericOutcome, cleanText } from './python-text.js';
import { MODE_FALLBACK, normaliserFor } from './rules.js';

export interface CleaningOptions {
  /** Drop rows whose target was missing (instead of imputing the mode label). */
  dropMissingTarget: boolean;
  /** Drop exact duplicate rows of the cleaned data (the first is kept). */
  dropDuplicates: boolean;
  /** Compute the outlier-replacement median over in-range values only. */
  outlierMedianExcludesOutliers: boolean;
}

export const PREDECESSOR_OPTIONS: CleaningOptions = Object.freeze({
  dropMissingTarget: false,
  dropDuplicates: false,
  outlierMedianExcludesOutliers: false,
});

/** What each rule did to one column. */
export interface ColumnCorrections {
  /** Step 2 changed the text (padding, inner spaces, stray characters). */
  textCleaned: number;
  /** Step 3: became missing because the cleaned text is an N/A token. */
  naTokens: number;
  /** Step 4: became missing because it is not a number. */
  unparseable: number;
  /** Step 5: out of the valid range, replaced by the median. */
  outOfRange: number;
  /** Step 6: changed by the categorical normalisation. */
  normalised: number;
  /** Step 7: missing, filled with the median or mode. */
  imputed: number;
}

export interface CleanNumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  /** One value per input row (rows not kept hold whatever they held). */
  readonly values: Float64Array;
  /** pandas would keep this column as int64 (every value an integer literal, none missing, no float median). */
  readonly integer: boolean;
  readonly range: readonly [number, number];
  readonly readAsNumber: boolean;
  /** Missing in the file (pandas NA strings). */
  readonly missingInFile: number;
  /** Missing after steps 2–4, before imputation. */
  readonly missingBeforeImputation: number;
  readonly outlierMedian: number;
  readonly imputedValue: number;
  readonly corrections: ColumnCorrections;
  /** Summary of the coerced values before step 5 (kept rows, missing skipped). */
  readonly statsBeforeOutliers: NumericSummary;
}

export interface CleanCategoricalColumn {
  readonly name: string;
  readonly kind: Exclude<ColumnKind, 'numeric'>;
  /** One code per input row into `levels`. */
  readonly codes: Int32Array;
  readonly levels: string[];
  readonly missingInFile: number;
  readonly missingBeforeImputation: number;
  /** The mode used for imputation (`Unknown` when the column had no value). */
  readonly imputedValue: string;
  readonly corrections: ColumnCorrections;
  /** Raw value counts as read (the file's spellings; missing under the key `null` is not included). */
  readonly countsBefore: Map<string, number>;
}

export type CleanColumn = CleanNumericColumn | CleanCategoricalColumn;

export interface CleanedTable {
  readonly source: string;
  readonly options: CleaningOptions;
  /** Output columns in order. */
  readonly columns: readonly CleanColumn[];
  readonly inputRows: number;
  readonly inputColumns: readonly string[];
  readonly inputMissing: number;
  readonly droppedColumns: readonly string[];
  readonly unknownColumns: readonly string[];
  /** 1 for every input row that is written. */
  readonly keep: Uint8Array;
  readonly outputRows: number;
  readonly droppedMissingTarget: number;
  /** Rows of the cleaned data equal to an earlier row (before any de-duplication). */
  readonly duplicateRows: number;
  readonly droppedDuplicates: number;
  /** Columns with no usable value at all (every cell missing or unusable): the cleaner cannot impute them. */
  readonly emptyColumns: readonly string[];
}

function emptyCorrections(): ColumnCorrections {
  return { textCleaned: 0, naTokens: 0, unparseable: 0, outOfRange: 0, normalised: 0, imputed: 0 };
}

interface CategoricalPlan {
  name: string;
  kind: Exclude<ColumnKind, 'numeric'>;
  /** The raw codes, recoded in place into `levels` by applyPlan. */
  codes: Int32Array;
  rawLevels: readonly string[];
  /** Clean code of each raw level (-1: it became missing). */
  rawToClean: Int32Array;
  textChanged: Uint8Array;
  normalised: Uint8Array;
  levels: string[];
  missingInFile: number;
  countsBefore: Map<string, number>;
  corrections: ColumnCorrections;
}

/** Steps 2, 3 and 6 on each distinct raw string of a categorical column (not per row). */
function planCategorical(
  name: string,
  kind: Exclude<ColumnKind, 'numeric'>,
  codes: Int32Array,
  rawLevels: readonly string[],
): CategoricalPlan {
  const normalise = normaliserFor(name, kind);
  const levels: string[] = [];
  const levelIndex = new Map<string, number>();
  const rawToClean = new Int32Array(rawLevels.length);
  const textChanged = new Uint8Array(rawLevels.length);
  const normalised = new Uint8Array(rawLevels.length);
  rawLevels.forEach((raw, r) => {
    const text = cleanText(raw);
    if (text !== raw) textChanged[r] = 1;
    if (NA_TOKENS.has(text)) {
      rawToClean[r] = -1;
      return;
    }
    const value = normalise(text);
    if (value !== text) normalised[r] = 1;
    let code = levelIndex.get(value);
    if (code === undefined) {
      code = levels.length;
      levels.push(value);
      levelIndex.set(value, code);
    }
    rawToClean[r] = code;
  });
  return {
    name,
    kind,
    codes,
    rawLevels,
    rawToClean,
    textChanged,
    normalised,
    levels,
    missingInFile: 0,
    countsBefore: new Map(),
    corrections: emptyCorrections(),
  };
}

/** Count the raw values of kept rows (before-counts and corrections), then recode the rows in place. */
function applyPlan(plan: CategoricalPlan, keep: Uint8Array): void {
  const { codes, rawToClean } = plan;
  const rawCounts = new Float64Array(plan.rawLevels.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < 0) plan.missingInFile++;
    else if (keep[i] === 1) rawCounts[c]!++;
    codes[i] = c < 0 ? -1 : rawToClean[c]!;
  }
  plan.rawLevels.forEach((raw, r) => {
    const count = rawCounts[r]!;
    plan.countsBefore.set(raw, count);
    if (plan.textChanged[r]) plan.corrections.textCleaned += count;
    if (rawToClean[r]! < 0) plan.corrections.naTokens += count;
    else if (plan.normalised[r]) plan.corrections.normalised += count;
  });
}

/**
 * Steps 5 and 7 on one numeric column (in place), with its counts. A function of its own, called per column, so
 * V8 optimises its loops after the first columns instead of running every column's loops in the interpreter.
 */
function cleanNumericColumn(
  col: RawNumericColumn,
  keep: Uint8Array,
  kept: number,
  options: CleaningOptions,
): CleanNumericColumn {
  const values = col.values;
  const n = values.length;
  const range = VALUE_RANGES[col.name]!;
  const [lo, hi] = range;
  const corrections = emptyCorrections();
  let missingInFile = 0;
  let missingBeforeImputation = 0;
  let integer = true;
  for (let i = 0; i < n; i++) {
    const s = col.status[i]!;
    const outcome = s & 3;
    if (outcome === NumericOutcome.rawMissing) missingInFile++;
    if (keep[i] === 0) continue;
    if (s & CELL_TEXT_CHANGED) corrections.textCleaned++;
    if (outcome === NumericOutcome.naToken) corrections.naTokens++;
    else if (outcome === NumericOutcome.unparseable) corrections.unparseable++;
    if (Number.isNaN(values[i]!)) missingBeforeImputation++;
    if (!(s & CELL_INTEGER)) integer = false;
  }
  const sortedBefore = sortedSelection(values, keep);
  const statsBeforeOutliers = describeSorted(sortedBefore, kept - sortedBefore.length);
  // Step 5: the median over non-missing values, outliers included (the predecessor), or excluded (improvement).
  const inRange = (v: number) => v >= lo && v <= hi;
  const outlierMedian = options.outlierMedianExcludesOutliers
    ? pandasMedian(values, keep, inRange)
    : medianOfSorted(sortedBefore);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (keep[i] === 1 && (v < lo || v > hi)) {
      values[i] = outlierMedian;
      corrections.outOfRange++;
    }
  }
  if (corrections.outOfRange > 0 && !Number.isInteger(outlierMedian)) integer = false;
  // Step 7: the median after the replacement.
  const imputedValue = pandasMedian(values, keep);
  for (let i = 0; i < n; i++) {
    if (keep[i] === 1 && Number.isNaN(values[i]!)) {
      values[i] = imputedValue;
      corrections.imputed++;
    }
  }
  return {
    name: col.name,
    kind: 'numeric',
    values,
    integer,
    range,
    readAsNumber: col.readAsNumber,
    missingInFile,
    missingBeforeImputation,
    outlierMedian,
    imputedValue,
    corrections,
    statsBeforeOutliers,
  };
}

/** Finish the cleaning: steps 5–7, the opt-in improvements, and the per-rule counts. */
export function cleanTable(raw: RawTable, options: CleaningOptions = PREDECESSOR_OPTIONS): CleanedTable {
  const n = raw.rowCount;
  const keep = new Uint8Array(n).fill(1);
  const emptyColumns: string[] = [];

  const categorical = new Map<string, CategoricalPlan>();
  for (const col of raw.categorical) {
    categorical.set(
      col.name,
      planCategorical(col.name, col.kind as Exclude<ColumnKind, 'numeric'>, col.codes, col.levels),
    );
  }

  // Improvement: rows whose target is missing after steps 2–3 are dropped before any statistic is fitted.
  let droppedMissingTarget = 0;
  const target = categorical.get(TARGET_COLUMN);
  if (options.dropMissingTarget && target) {
    for (let i = 0; i < n; i++) {
      const c = target.codes[i]!;
      if (c < 0 || target.rawToClean[c]! < 0) {
        keep[i] = 0;
        droppedMissingTarget++;
      }
    }
  }
  for (const plan of categorical.values()) applyPlan(plan, keep);

  const kept = n - droppedMissingTarget;
  const numeric = new Map<string, CleanNumericColumn>();
  for (const col of raw.numeric) {
    const clean = cleanNumericColumn(col, keep, kept, options);
    if (Number.isNaN(clean.imputedValue)) emptyColumns.push(col.name);
    numeric.set(col.name, clean);
  }

  const cleanCategorical = new Map<string, CleanCategoricalColumn>();
  for (const plan of categorical.values()) {
    let missingBeforeImputation = 0;
    for (let i = 0; i < n; i++) if (keep[i] === 1 && plan.codes[i]! < 0) missingBeforeImputation++;
    let mode = modeOfCodes(plan.codes, plan.levels, keep);
    if (mode === undefined) {
      emptyColumns.push(plan.name);
      mode = plan.levels.indexOf(MODE_FALLBACK);
      if (mode < 0) {
        mode = plan.levels.length;
        plan.levels.push(MODE_FALLBACK);
      }
    }
    for (let i = 0; i < n; i++) {
      if (keep[i] === 1 && plan.codes[i]! < 0) {
        plan.codes[i] = mode;
        plan.corrections.imputed++;
      }
    }
    cleanCategorical.set(plan.name, {
      name: plan.name,
      kind: plan.kind,
      codes: plan.codes,
      levels: plan.levels,
      missingInFile: plan.missingInFile,
      missingBeforeImputation,
      imputedValue: plan.levels[mode]!,
      corrections: plan.corrections,
      countsBefore: plan.countsBefore,
    });
  }
  const columns: CleanColumn[] = raw.columns.map((name) => numeric.get(name) ?? cleanCategorical.get(name)!);
  const duplicates = findDuplicates(
    n,
    keep,
    columns.filter((c): c is CleanNumericColumn => c.kind === 'numeric').map((c) => c.values),
    columns.filter((c): c is CleanCategoricalColumn => c.kind !== 'numeric').map((c) => c.codes),
  );
  let duplicateRows = 0;
  for (let i = 0; i < n; i++) if (duplicates[i] === 1) duplicateRows++;
  let droppedDuplicates = 0;
  if (options.dropDuplicates) {
    for (let i = 0; i < n; i++) {
      if (duplicates[i] === 1) {
        keep[i] = 0;
        droppedDuplicates++;
      }
    }
  }
  const outputRows = n - droppedMissingTarget - droppedDuplicates;
  return {
    source: raw.source,
    options,
    columns,
    inputRows: n,
    inputColumns: raw.inputColumns,
    inputMissing: raw.inputMissing,
    droppedColumns: raw.droppedColumns,
    unknownColumns: raw.unknownColumns,
    keep,
    outputRows,
    droppedMissingTarget,
    duplicateRows,
    droppedDuplicates,
    emptyColumns,
  };
}
