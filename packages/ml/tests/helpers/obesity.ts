/**
 * Test-only preprocessing of the real clean obesity CSV, the same recipe as fixtures/make_parity.py (the
 * predecessor's): the 16 feature columns + BMI = Weight / Height² (kg/m²); numeric columns median-imputed then
 * standard-scaled (population std) with statistics of the training rows; categoricals one-hot encoded over the
 * training categories in sorted order (an unknown category is all zeros); numeric columns first, then the one-hot
 * columns. The target is encoded alphabetically. The real preprocessing lives in @mlops/model; this stays a small
 * independent copy so the parity test checks the learners alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Matrix } from '@mlops/model';

export const NUMERIC = ['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE', 'BMI'] as const;
export const CATEGORICAL = [
  'Gender',
  'family_history_with_overweight',
  'FAVC',
  'CAEC',
  'SMOKE',
  'SCC',
  'CALC',
  'MTRANS',
] as const;
export const TARGET = 'NObeyesdad';

/** The workspace's sibling data folder (../shared/data from the repository root). */
export const REAL_CLEAN_CSV = fileURLToPath(
  new URL('../../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url),
);
export const realDataPresent = existsSync(REAL_CLEAN_CSV);

export interface ObesityTable {
  readonly header: string[];
  readonly rows: string[][];
}

export function readCleanCsv(file: string): ObesityTable {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export interface Prepared {
  readonly columns: string[];
  readonly classes: string[];
  readonly xTrain: Matrix;
  readonly yTrain: Int32Array;
  readonly xTest: Matrix;
  readonly yTest: Int32Array;
}

function median(values: number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Fits the preprocessing on `trainRows` and applies it to both splits. */
export function prepare(
  table: ObesityTable,
  trainRows: readonly number[],
  testRows: readonly number[],
): Prepared {
  const col = (name: string) => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new Error(`column ${name} missing`);
    return i;
  };
  const num = (row: string[], name: string): number => {
    if (name === 'BMI') {
      const h = num(row, 'Height');
      return num(row, 'Weight') / (h * h);
    }
    const text = row[col(name)]!;
    return text === '' ? NaN : Number(text);
  };
  const classes = [...new Set(table.rows.map((r) => r[col(TARGET)]!))].sort();
  const stats = NUMERIC.map((name) => {
    const values = trainRows.map((i) => num(table.rows[i]!, name));
    const med = median(values);
    const filled = values.map((v) => (Number.isNaN(v) ? med : v));
    const mean = filled.reduce((a, b) => a + b, 0) / filled.length;
    const sd = Math.sqrt(filled.reduce((a, b) => a + (b - mean) ** 2, 0) / filled.length) || 1;
    return { name, med, mean, sd };
  });
  const cats = CATEGORICAL.map((name) => ({
    name,
    values: [...new Set(trainRows.map((i) => table.rows[i]![col(name)]!))].sort(),
  }));
  const columns = [...NUMERIC, ...cats.flatMap((c) => c.values.map((v) => `${c.name}_${v}`))];
  const build = (rows: readonly number[]): { x: Matrix; y: Int32Array } => {
    const F = columns.length;
    const data = new Float64Array(rows.length * F);
    const y = new Int32Array(rows.length);
    rows.forEach((ri, r) => {
      const row = table.rows[ri]!;
      let f = 0;
      for (const s of stats) {
        const v = num(row, s.name);
        data[r * F + f++] = ((Number.isNaN(v) ? s.med : v) - s.mean) / s.sd;
      }
      for (const c of cats) {
        const v = row[col(c.name)]!;
        for (const value of c.values) data[r * F + f++] = value === v ? 1 : 0;
      }
      y[r] = classes.indexOf(row[col(TARGET)]!);
    });
    return { x: { data, rows: rows.length, cols: F }, y };
  };
  const train = build(trainRows);
  const test = build(testRows);
  return { columns, classes, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}
