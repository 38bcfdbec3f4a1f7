import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NUMERIC_COLUMNS, openCsv, readCsvText, formatCsvRow } from '@mlops/core';
import {
  PREDECESSOR_OPTIONS,
  RawAccumulator,
  buildProfile,
  cleanTable,
  outputHeader,
  outputRows,
  type CleaningOptions,
} from '../src/index.js';

const DATA = fileURLToPath(new URL('../../../../shared/data/obesity/', import.meta.url));
const RAW = `${DATA}obesity_estimation_modified.csv`;
const REFERENCE = `${DATA}dataset_limpio.csv`;
const present = existsSync(RAW) && existsSync(REFERENCE);
if (!present) console.warn(`SKIPPED real-data tests: ${RAW} is absent`);

async function cleanFile(options: CleaningOptions = PREDECESSOR_OPTIONS) {
  const { header, records } = await openCsv(RAW);
  const acc = new RawAccumulator(header, RAW);
  for await (const r of records) acc.push(r.fields);
  const table = cleanTable(acc.finish(), options);
  return { table, profile: buildProfile(table, { input: RAW, output: 'clean.csv' }) };
}

describe.skipIf(!present)('the real dirty file', () => {
  it('reproduces dataset_limpio.csv: same columns, numbers within 1e-9, text equal — and byte for byte', async () => {
    const { table } = await cleanFile();
    const rows = [...outputRows(table)];
    const reference = await readCsvText(REFERENCE);
    expect(outputHeader(table)).toEqual(reference.header);
    expect(rows.length).toBe(reference.rows.length);
    const numericIdx = new Set(reference.header.flatMap((h, j) => (NUMERIC_COLUMNS.includes(h) ? [j] : [])));
    let numberDiffs = 0;
    let textDiffs = 0;
    rows.forEach((r, i) => {
      r.forEach((v, j) => {
        const ref = reference.rows[i]![j]!;
        if (numericIdx.has(j)) {
          if (!(Math.abs(Number(v) - Number(ref)) <= 1e-9)) numberDiffs++;
        } else if (v !== ref) textDiffs++;
      });
    });
    expect({ numberDiffs, textDiffs }).toEqual({ numberDiffs: 0, textDiffs: 0 });
    const bytes = formatCsvRow(outputHeader(table)) + rows.map((r) => formatCsvRow(r)).join('');
    expect(bytes === (await readFile(REFERENCE, 'utf8'))).toBe(true);
  });

  it('has every figure of the cleaning report of the predecessor', async () => {
    const { profile } = await cleanFile();
    // missing_cells = pandas' read_csv(...).isna().sum().sum() over all 18 columns (the predecessor's input_missing)
    expect(profile.input).toMatchObject({
      rows: 2153,
      columns: 18,
      missing_cells: 620,
      dropped_columns: ['mixed_type_col'],
    });
    expect(profile.output).toMatchObject({ rows: 2153, columns: 17, missing_cells: 0 });
    expect(profile.summary.out_of_range_corrected).toBe(165);
    expect(profile.summary.missing_imputed).toBe(454);
    expect(profile.summary.duplicate_rows).toBe(49);
    expect(profile.summary.rows_preserved_pct).toBe(100);
    const by = Object.fromEntries(profile.columns.map((c) => [c.name, c]));
    // raw NaN counts and out-of-range counts
    const rawNaN = {
      Gender: 18,
      Age: 27,
      Height: 28,
      Weight: 16,
      family_history_with_overweight: 20,
      FAVC: 16,
      FCVC: 17,
      NCP: 24,
      CAEC: 22,
      SMOKE: 19,
      CH2O: 29,
      SCC: 15,
      FAF: 29,
      TUE: 33,
      CALC: 23,
      MTRANS: 23,
      NObeyesdad: 20,
    };
    for (const [c, n] of Object.entries(rawNaN)) expect([c, by[c]!.missing.in_file]).toEqual([c, n]);
    const outOfRange = { Age: 18, Height: 19, Weight: 21, FCVC: 20, NCP: 22, CH2O: 21, FAF: 27, TUE: 17 };
    for (const [c, n] of Object.entries(outOfRange))
      expect([c, by[c]!.corrections.out_of_range]).toEqual([c, n]);
    // imputed counts and values (cleaning step 7)
    const imputed: Record<string, [number, string | number]> = {
      Age: [34, 22.85],
      Height: [42, 1.7],
      Weight: [26, 83.33],
      FCVC: [29, 2.4],
      NCP: [34, 3],
      CH2O: [32, 2],
      FAF: [32, 1],
      TUE: [40, 0.63],
      Gender: [18, 'Male'],
      family_history_with_overweight: [22, 'yes'],
      FAVC: [16, 'yes'],
      CAEC: [22, 'Sometimes'],
      SMOKE: [20, 'no'],
      SCC: [15, 'no'],
      CALC: [27, 'Sometimes'],
      MTRANS: [23, 'Public_Transportation'],
      NObeyesdad: [22, 'obesity_type_i'],
    };
    for (const [c, [n, v]] of Object.entries(imputed)) {
      expect([c, by[c]!.corrections.imputed]).toEqual([c, n]);
      if (typeof v === 'number')
        expect(Math.abs((by[c]!.numeric!.outlier_median as number) - v)).toBeLessThan(0.006);
      else expect([c, by[c]!.imputed_with]).toEqual([c, v]);
    }
    // means and stds (ddof 1), to the decimals the predecessor reported
    const moments: Record<string, [number, number, number]> = {
      Age: [24.3097, 6.2734, 4],
      Height: [1.7028, 0.092, 4],
      Weight: [86.5746, 25.8048, 4],
      FCVC: [2.4199, 0.52802, 4],
      NCP: [2.69098, 0.76558, 5],
      CH2O: [2.01089, 0.60701, 5],
      FAF: [1.01401, 0.83787, 5],
      TUE: [0.65338, 0.60021, 5],
    };
    for (const [c, [mean, std, digits]] of Object.entries(moments)) {
      expect([c, by[c]!.numeric!.after.mean!.toFixed(digits)]).toEqual([c, mean.toFixed(digits)]);
      expect([c, by[c]!.numeric!.after.std!.toFixed(digits)]).toEqual([c, std.toFixed(digits)]);
    }
    // category counts after cleaning
    const counts = (c: string) => Object.fromEntries(by[c]!.categories!.after.map((e) => [e.value, e.count]));
    expect(counts('Gender')).toEqual({ Male: 1109, Female: 1044 });
    expect(counts('family_history_with_overweight')).toEqual({ yes: 1769, no: 384 });
    expect(counts('FAVC')).toEqual({ yes: 1907, no: 246 });
    expect(counts('CAEC')).toEqual({ Sometimes: 1804, Frequently: 244, no: 53, Always: 52 });
    expect(counts('SMOKE')).toEqual({ no: 2109, yes: 44 });
    expect(counts('SCC')).toEqual({ no: 2055, yes: 98 });
    expect(counts('CALC')).toEqual({ Sometimes: 1443, no: 639, Frequently: 70, Always: 1 });
    expect(counts('MTRANS')).toEqual({
      Public_Transportation: 1617,
      Automobile: 461,
      Walking: 58,
      Motorbike: 11,
      Bike: 6,
    });
    expect(counts('NObeyesdad')).toEqual({
      obesity_type_i: 375,
      obesity_type_iii: 326,
      obesity_type_ii: 303,
      overweight_level_i: 297,
      overweight_level_ii: 292,
      normal_weight: 288,
      insufficient_weight: 272,
    });
    for (const c of profile.columns) expect([c.name, c.categories?.unexpected ?? []]).toEqual([c.name, []]);
    // raw spellings before cleaning
    const before = Object.fromEntries(by['Gender']!.categories!.before.map((e) => [e.value, e.count]));
    expect(before).toEqual({ Male: 1040, Female: 998, ' mALE ': 51, ' fEMALE ': 46 });
    // class balance and correlations
    expect(profile.class_balance.max_min_ratio!.toFixed(2)).toBe('1.38');
    expect(profile.class_balance.majority).toBe('obesity_type_i');
    expect(profile.class_balance.minority).toBe('insufficient_weight');
    expect(profile.correlations.above_threshold.map((p) => [p.a, p.b, p.r.toFixed(3)])).toEqual([
      ['Height', 'Weight', '0.449'],
    ]);
  });

  it('each improvement changes the output as its profile reports', async () => {
    const target = await cleanFile({ ...PREDECESSOR_OPTIONS, dropMissingTarget: true });
    expect(target.profile.summary.dropped_missing_target).toBe(22);
    expect(target.profile.output.rows).toBe(2153 - 22);
    expect([...outputRows(target.table)].length).toBe(2131);

    const dedup = await cleanFile({ ...PREDECESSOR_OPTIONS, dropDuplicates: true });
    expect(dedup.profile.summary.dropped_duplicates).toBe(49);
    const dedupRows = [...outputRows(dedup.table)].map((r) => r.join(','));
    expect(dedupRows.length).toBe(2104);
    expect(new Set(dedupRows).size).toBe(2104);

    const median = await cleanFile({ ...PREDECESSOR_OPTIONS, outlierMedianExcludesOutliers: true });
    const base = await cleanFile();
    expect(median.profile.output.rows).toBe(2153);
    expect(median.profile.summary.out_of_range_corrected).toBe(165);
    const age = (p: typeof base.profile) => p.columns.find((c) => c.name === 'Age')!.numeric!;
    expect(age(median.profile).outlier_median).toBeLessThan(age(base.profile).outlier_median!);
    expect(age(median.profile).after.mean).not.toBe(age(base.profile).after.mean);
  });
});

describe('edge-case fixture, checked against pandas', () => {
  // tests/fixtures/dirty-edge-cases.csv: 242 rows of hostile cells (Unicode case and whitespace, exponents, 17+
  // digits, inf, float64/int64-typed numeric columns, N/A spellings, duplicates). The expected output was written by
  // scripts/pandas_reference_cleaner.py (the predecessor's steps in pandas 1.5.3).
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
  it('is byte-identical to the pandas output', async () => {
    const file = `${fixtures}dirty-edge-cases.csv`;
    const { header, records } = await openCsv(file);
    const acc = new RawAccumulator(header, file);
    for await (const r of records) acc.push(r.fields);
    const table = cleanTable(acc.finish());
    const bytes =
      formatCsvRow(outputHeader(table)) + [...outputRows(table)].map((r) => formatCsvRow(r)).join('');
    expect(bytes).toBe(await readFile(`${fixtures}dirty-edge-cases.pandas-clean.csv`, 'utf8'));
    const kinds = Object.fromEntries(
      table.columns.flatMap((c) =>
        c.kind === 'numeric' ? [[c.name, c.integer ? 'int64' : c.readAsNumber ? 'float64' : 'object']] : [],
      ),
    );
    expect(kinds).toMatchObject({
      Height: 'float64',
      CH2O: 'float64',
      FCVC: 'int64',
      NCP: 'int64',
      Age: 'object',
    });
  });
});
