/**
 * An obesity-like demo dataset, generated row by row from a seed so any row count streams in constant memory.
 *
 * Clean rows follow the UCI file's schema, categories, value ranges and class balance; the label is the WHO BMI
 * class of Weight / Height² (as the UCI labels were assigned), with a small share moved to a neighbouring class as
 * in the real data. The dirty file carries the same kinds and rates of dirt as the predecessor's input (spec §1.3),
 * measured on the real file: padded inverted-case categories, N/A tokens, ×10–×1000 outliers, blanks, a junk
 * `mixed_type_col`, and ~2% extra rows that repeat earlier rows (each dirtied on its own).
 */
import {
  bmiClass,
  COLUMN_NAMES,
  JUNK_COLUMN,
  SeededRng,
  TARGET_CLASSES,
  TARGET_CLASSES_TITLE,
  VALUE_RANGES,
  type TargetClass,
} from '@mlops/core';

/** Real-file proportions: 2111 clean rows became 2153 dirty ones. */
export const EXTRA_ROW_SHARE = 42 / 2153;
export const DEFAULT_ROWS = 2153;
export const DEFAULT_SEED = 42;

/** Dirt rates per cell, measured on the real dirty file (2153 rows). */
export const DIRT_RATES = {
  blank: 0.01,
  padded: 0.05,
  outlier: 0.009,
  naToken: 0.003,
  /** share of rows written in the survey's short decimal style; the rest have 6 decimals (SMOTE-made rows) */
  surveyStyle: 0.36,
} as const;

export type CleanRow = Record<string, string | number>;

/** UCI class balance (counts in the clean reference). */
const CLASS_WEIGHTS: Record<TargetClass, number> = {
  insufficient_weight: 272,
  normal_weight: 287,
  obesity_type_i: 351,
  obesity_type_ii: 297,
  obesity_type_iii: 324,
  overweight_level_i: 290,
  overweight_level_ii: 290,
};
const BMI_RANGE: Record<TargetClass, [number, number]> = {
  insufficient_weight: [15.5, 18.5],
  normal_weight: [18.5, 25],
  overweight_level_i: [25, 27.5],
  overweight_level_ii: [27.5, 30],
  obesity_type_i: [30, 35],
  obesity_type_ii: [35, 40],
  obesity_type_iii: [40, 50],
};
const P_MALE: Record<TargetClass, number> = {
  insufficient_weight: 0.36,
  normal_weight: 0.51,
  overweight_level_i: 0.5,
  overweight_level_ii: 0.64,
  obesity_type_i: 0.56,
  obesity_type_ii: 0.98,
  obesity_type_iii: 0.01,
};
const CLASS_ORDER: readonly TargetClass[] = [
  'insufficient_weight',
  'normal_weight',
  'overweight_level_i',
  'overweight_level_ii',
  'obesity_type_i',
  'obesity_type_ii',
  'obesity_type_iii',
];
const LABEL_NOISE = 0.03;

const classWeights = TARGET_CLASSES.map((c) => CLASS_WEIGHTS[c]);

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function choose<T extends string>(rng: SeededRng, values: readonly T[], weights: readonly number[]): T {
  return values[rng.weightedIndex(weights)]!;
}
const CAEC_VALUES = ['Sometimes', 'Frequently', 'Always', 'no'] as const;
const CAEC_WEIGHTS_OBESE = [0.93, 0.03, 0.025, 0.025];
const CAEC_WEIGHTS_OTHER = [0.72, 0.22, 0.025, 0.025];
const CALC_VALUES = ['Sometimes', 'no', 'Frequently', 'Always'] as const;
const CALC_WEIGHTS = [0.664, 0.302, 0.033, 0.0005];
const MTRANS_VALUES = ['Public_Transportation', 'Automobile', 'Walking', 'Motorbike', 'Bike'] as const;
const MTRANS_WEIGHTS = [0.748, 0.217, 0.027, 0.005, 0.003];

/** Mix a seed and a row index into a per-row seed, so row k can be regenerated alone. */
function rowSeed(seed: number, index: number, salt: number): number {
  let h =
    (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Clean row `index` of the dataset for `seed`: numbers as numbers, categories in their clean spelling. */
export function cleanRow(seed: number, index: number): CleanRow {
  const rng = new SeededRng(rowSeed(seed, index, 1));
  const drawn = TARGET_CLASSES[rng.weightedIndex(classWeights)]!;
  const male = rng.bernoulli(P_MALE[drawn]);
  const height = clamp(male ? rng.normal(1.76, 0.075) : rng.normal(1.64, 0.07), 1.45, 1.98);
  const [lo, hi] = BMI_RANGE[drawn];
  const weight = clamp(rng.uniformRange(lo, hi) * height * height, 39, 173);
  let label = bmiClass(weight / (height * height));
  if (rng.bernoulli(LABEL_NOISE)) {
    const at = CLASS_ORDER.indexOf(label);
    const step = at === 0 ? 1 : at === CLASS_ORDER.length - 1 ? -1 : rng.bernoulli(0.5) ? 1 : -1;
    label = CLASS_ORDER[at + step]!;
  }
  const obese = label.startsWith('obesity');
  const heavy = obese || label.startsWith('overweight');
  const age = clamp(12.5 + Math.exp(rng.normal(2.3, 0.5)) + (heavy ? rng.uniformRange(0, 3) : 0), 14, 61);
  const continuous = (min: number, max: number, centre: number, spread: number) =>
    clamp(rng.normal(centre, spread), min, max);
  const row: CleanRow = {
    Gender: male ? 'Male' : 'Female',
    Age: age,
    Height: height,
    Weight: weight,
    family_history_with_overweight: rng.bernoulli(obese ? 0.96 : heavy ? 0.82 : 0.55) ? 'yes' : 'no',
    FAVC: rng.bernoulli(obese ? 0.94 : 0.82) ? 'yes' : 'no',
    FCVC: label === 'obesity_type_iii' ? 3 : continuous(1, 3, 2.3, 0.55),
    NCP: rng.bernoulli(0.6) ? 3 : continuous(1, 4, 2.4, 0.9),
    CAEC: choose(rng, CAEC_VALUES, obese ? CAEC_WEIGHTS_OBESE : CAEC_WEIGHTS_OTHER),
    SMOKE: rng.bernoulli(0.021) ? 'yes' : 'no',
    CH2O: continuous(1, 3, 2.0, 0.6),
    SCC: rng.bernoulli(obese ? 0.01 : 0.08) ? 'yes' : 'no',
    FAF: continuous(0, 3, obese ? 0.8 : 1.2, 0.8),
    TUE: continuous(0, 2, 0.65, 0.6),
    CALC: choose(rng, CALC_VALUES, CALC_WEIGHTS),
    MTRANS: choose(rng, MTRANS_VALUES, MTRANS_WEIGHTS),
    NObeyesdad: label,
  };
  // Survey rows carry short decimals; the rest look like the 6-decimal synthetic rows of the UCI file.
  if (rng.bernoulli(DIRT_RATES.surveyStyle)) {
    row['Age'] = Math.round(age);
    row['Height'] = Math.round(height * 100) / 100;
    row['Weight'] = Math.round(weight * 10) / 10;
    for (const c of ['FCVC', 'NCP', 'CH2O', 'FAF', 'TUE']) row[c] = Math.round(row[c] as number);
  } else {
    for (const c of ['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE']) {
      row[c] = Math.round((row[c] as number) * 1e6) / 1e6;
    }
  }
  return row;
}

/** A number as the UCI file writes it: always with a decimal point ("21.0", "1.62", "23.292434"). */
export function formatNumber(x: number): string {
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Clean row as CSV fields, target in the reference file's TitleCase spelling. */
export function cleanFields(row: CleanRow): string[] {
  return COLUMN_NAMES.map((c) => {
    const v = row[c]!;
    if (c === 'NObeyesdad') return TARGET_CLASSES_TITLE[v as TargetClass];
    return typeof v === 'number' ? formatNumber(v) : v;
  });
}

/** Python str.swapcase on ASCII, as the course's dirtying did (" fEMALE ", " pUBLIC_tRANSPORTATION "). */
function swapCase(text: string): string {
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    out += ch === lower ? ch.toUpperCase() : lower;
  }
  return out;
}

const NUMERIC = new Set(Object.keys(VALUE_RANGES));
const NA_TOKENS_NUMERIC = ['N/A', '?', ' NAN ', ' ? ', ' null '];
const NAN_TOKEN_COLUMNS = new Set(['family_history_with_overweight', 'SMOKE', 'CALC', 'NObeyesdad']);

/** A value pushed out of its valid range the way the real file's are: ×10, ×100 or ×1000. */
function outlier(rng: SeededRng, column: string, value: number): number {
  const [, max] = VALUE_RANGES[column]!;
  const base = value === 0 ? rng.uniformRange(0.5, max) : value;
  for (const factor of [10, 100, 1000]) {
    if (base * factor > max && rng.bernoulli(0.6)) return base * factor;
  }
  return base * 1000 > max ? base * 1000 : max * 10;
}

/** Dirty CSV fields for one clean row: same values, with the real file's kinds and rates of dirt. */
export function dirtyFields(row: CleanRow, rng: SeededRng): string[] {
  const { blank, naToken, outlier: outlierRate, padded } = DIRT_RATES;
  const fields = COLUMN_NAMES.map((c) => {
    const v = row[c]!;
    // One draw per cell decides which dirt (if any) it gets.
    const r = rng.uniform();
    if (r < blank) return '';
    if (NUMERIC.has(c)) {
      const x = v as number;
      if (r < blank + naToken) return rng.pick(NA_TOKENS_NUMERIC);
      if (r < blank + naToken + outlierRate) return formatNumber(Math.round(outlier(rng, c, x) * 100) / 100);
      const text = formatNumber(x);
      return r < blank + naToken + outlierRate + padded ? ` ${text} ` : text;
    }
    const text = c === 'NObeyesdad' ? TARGET_CLASSES_TITLE[v as TargetClass] : (v as string);
    if (NAN_TOKEN_COLUMNS.has(c) && r < blank + naToken / 2) return ' NAN ';
    return r < blank + naToken + padded ? ` ${swapCase(text)} ` : text;
  });
  const junk = rng.uniform();
  fields.push(junk < 0.112 ? '' : junk < 0.219 ? 'unknown' : junk < 0.32 ? 'bad' : String(1 + rng.int(999)));
  return fields;
}

export const DIRTY_HEADER: readonly string[] = [...COLUMN_NAMES, JUNK_COLUMN];
export const CLEAN_HEADER: readonly string[] = COLUMN_NAMES;

export interface DemoPlan {
  /** Distinct clean rows (the clean reference). */
  cleanRows: number;
  /** Rows appended to the dirty file that repeat earlier rows. */
  extraRows: number;
}

/** How a requested dirty row count splits into clean rows and repeated rows (2153 → 2111 + 42, as the real file). */
export function planRows(rows: number): DemoPlan {
  if (!Number.isInteger(rows) || rows < 1)
    throw new RangeError(`rows must be a positive integer, got ${rows}`);
  const extraRows = Math.round(rows * EXTRA_ROW_SHARE);
  return { cleanRows: rows - extraRows, extraRows };
}

/**
 * Yields, in order, the dirty file's records and (through `onClean`) the clean reference's records. Constant memory:
 * repeated rows are regenerated from their index.
 */
export function* generateDemo(
  rows: number,
  seed: number,
): Generator<{ dirty: string[]; clean?: string[] }, void, undefined> {
  const { cleanRows, extraRows } = planRows(rows);
  const dirt = new SeededRng(rowSeed(seed, 0, 2));
  for (let i = 0; i < cleanRows; i++) {
    const row = cleanRow(seed, i);
    yield { dirty: dirtyFields(row, dirt), clean: cleanFields(row) };
  }
  const pickRng = new SeededRng(rowSeed(seed, 0, 3));
  for (let i = 0; i < extraRows; i++) {
    yield { dirty: dirtyFields(cleanRow(seed, pickRng.int(cleanRows)), dirt) };
  }
}
