import { describe, expect, it } from 'vitest';
import { COLUMN_NAMES, formatCsvRow } from '@mlops/core';
import {
  PREDECESSOR_OPTIONS,
  TARGET_LOOKUP,
  RawAccumulator,
  accumulateRows,
  cleanTable,
  findDuplicates,
  modeOfCodes,
  outputCsvChunks,
  outputHeader,
  outputRows,
  pandasMedian,
  buildProfile,
  renderProfileMarkdown,
  type CleanNumericColumn,
  type CleanCategoricalColumn,
} from '../src/index.js';

const HEADER = [...COLUMN_NAMES, 'mixed_type_col'];
type Row = Record<string, string>;
const BASE: Row = {
  Gender: 'Female',
  Age: '21.0',
  Height: '1.62',
  Weight: '64.0',
  family_history_with_overweight: 'yes',
  FAVC: 'no',
  FCVC: '2.0',
  NCP: '3.0',
  CAEC: 'Sometimes',
  SMOKE: 'no',
  CH2O: '2.0',
  SCC: 'no',
  FAF: '0.0',
  TUE: '1.0',
  CALC: 'no',
  MTRANS: 'Public_Transportation',
  NObeyesdad: 'Normal_Weight',
  mixed_type_col: 'bad',
};
const row = (over: Partial<Row> = {}): string[] => HEADER.map((h) => over[h] ?? BASE[h]!);
/** Clean, and check on every table the tests build that the CSV writer gives the bytes the row view does. */
const clean = (rows: string[][], options = PREDECESSOR_OPTIONS, header = HEADER) => {
  const t = cleanTable(accumulateRows(header, rows), options);
  const expected = formatCsvRow(outputHeader(t)) + [...outputRows(t)].map((r) => formatCsvRow(r)).join('');
  expect([...outputCsvChunks(t, 7)].join('')).toBe(expected);
  expect([...outputCsvChunks(t)]).toEqual([expected]);
  return t;
};
const numeric = (t: ReturnType<typeof clean>, name: string) =>
  t.columns.find((c) => c.name === name) as CleanNumericColumn;
const categorical = (t: ReturnType<typeof clean>, name: string) =>
  t.columns.find((c) => c.name === name) as CleanCategoricalColumn;
const written = (t: ReturnType<typeof clean>) => [...outputRows(t)];
const col = (t: ReturnType<typeof clean>, name: string) => {
  const j = t.columns.findIndex((c) => c.name === name);
  return written(t).map((r) => r[j]);
};

describe('reading (the accumulator)', () => {
  it('counts the input cells pandas reads as missing, in kept, dropped and unknown columns alike', () => {
    const header = [...HEADER, 'extra'];
    const rows = [
      [...row({ Age: '', Gender: 'NA', MTRANS: 'null', mixed_type_col: 'n/a' }), ''],
      [...row({ Age: ' NA ', Gender: 'nan', Height: '#N/A' }), 'x'], // ' NA ' is not a pandas NA string
      [...row({ NObeyesdad: '' }), 'NULL'],
    ];
    const raw = accumulateRows(header, rows);
    expect(raw.inputMissing).toBe(5 + 2 + 2);
    expect(raw.categorical.find((c) => c.name === 'Gender')!.levels).toEqual(['Female']);
    expect(Array.from(raw.categorical.find((c) => c.name === 'Gender')!.codes)).toEqual([-1, -1, 0]);
  });

  it('gives the same columns whatever the reserved capacity (exact, too small, none)', () => {
    // 66,000 rows: past one 65,536-row chunk when nothing is reserved
    const n = 66_000;
    const variants = [
      row({ Age: '18', Gender: 'Female' }),
      row({ Age: '19.5', Gender: 'Male' }),
      row({ Age: '' }),
    ];
    const read = (capacity: number) => {
      const acc = new RawAccumulator(HEADER, 'x', capacity);
      for (let i = 0; i < n; i++) acc.push(variants[i % 3]!);
      return acc.finish();
    };
    const reference = read(n);
    expect(Array.from(reference.numeric[0]!.values.subarray(n - 3))).toEqual([18, 19.5, NaN]);
    const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const capacity of [0, 5]) {
      const raw = read(capacity);
      expect(raw.rowCount).toBe(n);
      raw.numeric.forEach((c, j) =>
        expect(bytes(c.values).equals(bytes(reference.numeric[j]!.values))).toBe(true),
      );
      raw.categorical.forEach((c, j) =>
        expect(bytes(c.codes).equals(bytes(reference.categorical[j]!.codes))).toBe(true),
      );
    }
  });
});

describe('pandas statistics', () => {
  it('median: middle value, or (a + b) / 2, NaN skipped, outliers included', () => {
    expect(pandasMedian(Float64Array.from([1, 2, 3, 10]))).toBe(2.5);
    expect(pandasMedian(Float64Array.from([0.1, 0.2]))).toBe(0.15000000000000002);
    expect(pandasMedian(Float64Array.from([1.7, 1.71, NaN]))).toBe(1.705);
    expect(pandasMedian(Float64Array.from([NaN]))).toBeNaN();
    expect(pandasMedian(Float64Array.from([1, 2, 1000]), undefined, (v) => v < 100)).toBe(1.5);
  });
  it('mode: highest count, ties to the first in Python sorted order', () => {
    const levels = ['b', 'a', 'c'];
    expect(modeOfCodes(Int32Array.from([0, 1, 1, 0, 2, -1]), levels)).toBe(1);
    expect(modeOfCodes(Int32Array.from([0, 0, 1]), levels)).toBe(0);
    expect(modeOfCodes(Int32Array.from([-1, -1]), levels)).toBeUndefined();
    expect(modeOfCodes(Int32Array.from([0, 1]), ['\u{1f600}', '\uff5e'])).toBe(1);
  });
  it('duplicates: exact rows after the first, across numeric and coded columns', () => {
    const keep = new Uint8Array(4).fill(1);
    const dup = findDuplicates(4, keep, [Float64Array.from([1, 1, 1, -0])], [Int32Array.from([0, 0, 1, 0])]);
    expect([...dup]).toEqual([0, 1, 0, 0]);
    const dup0 = findDuplicates(2, new Uint8Array(2).fill(1), [Float64Array.from([0, -0])], []);
    expect([...dup0]).toEqual([0, 1]);
  });
});

describe('the 7 steps', () => {
  it('drops mixed_type_col and keeps the input column order', () => {
    const t = clean([row()]);
    expect(t.columns.map((c) => c.name)).toEqual(COLUMN_NAMES);
    expect(t.droppedColumns).toEqual(['mixed_type_col']);
  });

  it('normalises categories with str.title / lower / No→no and the 21-entry target lookup', () => {
    const t = clean([
      row({
        Gender: ' fEMALE ',
        CAEC: ' NO ',
        CALC: ' sOMETIMES ',
        MTRANS: ' pUBLIC_tRANSPORTATION ',
        SMOKE: ' YES ',
        NObeyesdad: ' oBESITY_tYPE_iii ',
      }),
      row({ NObeyesdad: 'OVERWEIGHT_LEVEL_II', MTRANS: 'motor bike' }),
      row({ NObeyesdad: 'obesity type i' }),
    ]);
    expect(col(t, 'Gender')).toEqual(['Female', 'Female', 'Female']);
    expect(col(t, 'CAEC')[0]).toBe('no');
    expect(col(t, 'CALC')[0]).toBe('Sometimes');
    expect(col(t, 'MTRANS')).toEqual(['Public_Transportation', 'Motor Bike', 'Public_Transportation']);
    expect(col(t, 'SMOKE')[0]).toBe('yes');
    expect(col(t, 'NObeyesdad')).toEqual(['obesity_type_iii', 'overweight_level_ii', 'obesity type i']);
    expect(TARGET_LOOKUP.size).toBe(21);
    expect(TARGET_LOOKUP.get('nORMAL_wEIGHT')).toBe('normal_weight');
    expect(TARGET_LOOKUP.get('normal_weight')).toBeUndefined(); // not in the table: passes through as is
  });

  it('replaces out-of-range values by the median computed with the outliers, then imputes the post-replacement median', () => {
    // Ages 20, 22, 24, 706 (outlier), '?' (missing): median with outlier = (22+24)/2 = 23
    const t = clean([
      row({ Age: '20' }),
      row({ Age: '22' }),
      row({ Age: '24' }),
      row({ Age: '706' }),
      row({ Age: '?' }),
    ]);
    const age = numeric(t, 'Age');
    expect(age.outlierMedian).toBe(23);
    expect(age.corrections.outOfRange).toBe(1);
    // after replacement: 20, 22, 24, 23 → median 22.5 imputed
    expect(age.imputedValue).toBe(22.5);
    expect(col(t, 'Age')).toEqual(['20.0', '22.0', '24.0', '23.0', '22.5']);
    expect(age.corrections.imputed).toBe(1);
    expect(age.corrections.naTokens).toBe(1);
  });

  it('keeps an all-integer, complete column as integers, as pandas int64 writes them', () => {
    const t = clean([row({ NCP: '3' }), row({ NCP: '1' })]);
    expect(numeric(t, 'NCP').integer).toBe(true);
    expect(col(t, 'NCP')).toEqual(['3', '1']);
    const f = clean([row({ NCP: '3' }), row({ NCP: '' })]);
    expect(col(f, 'NCP')).toEqual(['3.0', '3.0']);
  });

  it('imputes text with the mode (ties to the first in sorted order), the target included', () => {
    const t = clean([
      row({ Gender: 'Male' }),
      row({ Gender: 'Female' }),
      row({ Gender: '', NObeyesdad: ' NAN ' }),
      row({ NObeyesdad: 'Obesity_Type_I' }),
    ]);
    expect(col(t, 'Gender')[2]).toBe('Female');
    expect(categorical(t, 'NObeyesdad').imputedValue).toBe('normal_weight');
    expect(categorical(t, 'NObeyesdad').corrections.imputed).toBe(1);
    expect(t.outputRows).toBe(4);
  });

  it('reads numeric columns pandas types as float64 through repr, as the predecessor did', () => {
    // A complete numeric column is float64 to pandas: 0.00001 becomes "1e-05", then "1-05", then missing.
    const t = clean([row({ TUE: '0.00001' }), row({ TUE: '1.5' }), row({ TUE: '0.5' })]);
    expect(numeric(t, 'TUE').readAsNumber).toBe(true);
    expect(col(t, 'TUE')).toEqual(['1.0', '1.5', '0.5']);
    // With one text cell the column stays text and 0.00001 survives.
    const o = clean([row({ TUE: '0.00001' }), row({ TUE: '1.5' }), row({ TUE: '0.5 h' })]);
    expect(numeric(o, 'TUE').readAsNumber).toBe(false);
    expect(col(o, 'TUE')).toEqual(['1e-05', '1.5', '0.5']);
  });

  it('reports an unusable column and falls back to Unknown for text', () => {
    const t = clean([row({ Age: '?', Gender: '' }), row({ Age: 'bad', Gender: 'N/A' })]);
    expect(t.emptyColumns).toEqual(expect.arrayContaining(['Age', 'Gender']));
    expect(categorical(t, 'Gender').imputedValue).toBe('Unknown');
  });
});

describe('improvements (params cleaning.*), each reported', () => {
  const rows = [
    row({ Age: '20' }),
    row({ Age: '22' }),
    row({ Age: '22' }),
    row({ Age: '900', NObeyesdad: '' }),
    row({ Age: '30', NObeyesdad: '?' }),
  ];
  it('drop_missing_target drops those rows before fitting', () => {
    const t = clean(rows, { ...PREDECESSOR_OPTIONS, dropMissingTarget: true });
    expect(t.droppedMissingTarget).toBe(2);
    expect(t.outputRows).toBe(3);
    expect(numeric(t, 'Age').outlierMedian).toBe(22);
    const p = buildProfile(t, { input: 'in', output: 'out' });
    expect(p.summary.dropped_missing_target).toBe(2);
    expect(p.output.rows).toBe(3);
  });
  it('drop_duplicates drops exact duplicates of the cleaned rows', () => {
    const base = clean(rows);
    // row 4's Age 900 becomes the median 22 and its target the mode: it then equals rows 2 and 3
    expect(base.duplicateRows).toBe(2);
    expect(base.outputRows).toBe(5);
    const t = clean(rows, { ...PREDECESSOR_OPTIONS, dropDuplicates: true });
    expect(t.droppedDuplicates).toBe(2);
    expect(t.outputRows).toBe(3);
    expect(col(t, 'Age')).toEqual(['20', '22', '30']);
    expect(buildProfile(t, { input: 'in', output: 'out' }).summary.dropped_duplicates).toBe(2);
  });
  it('outlier_median_excludes_outliers uses in-range values only', () => {
    const base = clean(rows);
    expect(numeric(base, 'Age').outlierMedian).toBe(22);
    const t = clean([row({ Age: '20.0' }), row({ Age: '900.0' }), row({ Age: '950.0' })], {
      ...PREDECESSOR_OPTIONS,
      outlierMedianExcludesOutliers: true,
    });
    expect(numeric(t, 'Age').outlierMedian).toBe(20);
    expect(col(t, 'Age')).toEqual(['20.0', '20.0', '20.0']);
    const b = clean([row({ Age: '20' }), row({ Age: '900' }), row({ Age: '950' })]);
    expect(col(b, 'Age')).toEqual(['20', '900', '900']); // int64 column: median 900 stays an integer // the predecessor: median 900 is itself out of range
  });
});

describe('profile', () => {
  it('reports kinds, counts, corrections and renders Markdown', () => {
    const t = clean(
      [row({ Gender: ' mALE ' }), row({ Height: '170', Weight: '?' }), row()],
      PREDECESSOR_OPTIONS,
      [...HEADER, 'extra'].slice(0, HEADER.length),
    );
    const p = buildProfile(t, { input: 'raw.csv', output: 'clean.csv' });
    const gender = p.columns.find((c) => c.name === 'Gender')!;
    expect(gender.categories!.before).toEqual([
      { value: 'Female', count: 2 },
      { value: ' mALE ', count: 1 },
    ]);
    expect(gender.categories!.after).toEqual([
      { value: 'Female', count: 2 },
      { value: 'Male', count: 1 },
    ]);
    expect(p.summary.out_of_range_corrected).toBe(1);
    expect(p.summary.missing_imputed).toBe(1);
    const md = renderProfileMarkdown(p);
    expect(md).toContain('| out-of-range values replaced by the median | 1 |');
    expect(md).toContain('`Male` 1');
  });
});
