import { describe, expect, it } from 'vitest';
import {
  MISSING,
  Preprocessor,
  RowEncoder,
  UNKNOWN,
  binIndex,
  describeIssues,
  encodeColumns,
  encodeRows,
  featureNames,
  fitPreprocessing,
  inputFields,
  labelMapOf,
  obesityFeatureSpec,
  quantileSorted,
  referenceStatistics,
} from '../src/index.js';
import { sampleRows } from './helpers.js';

const spec = obesityFeatureSpec();

describe('feature spec', () => {
  it('has the 8 numeric and 8 categorical inputs, BMI and the 7 classes', () => {
    expect(spec.numeric.map((f) => f.name)).toEqual([
      'Age',
      'Height',
      'Weight',
      'FCVC',
      'NCP',
      'CH2O',
      'FAF',
      'TUE',
    ]);
    expect(spec.categorical.map((f) => f.name)).toEqual([
      'Gender',
      'family_history_with_overweight',
      'FAVC',
      'CAEC',
      'SMOKE',
      'SCC',
      'CALC',
      'MTRANS',
    ]);
    expect(spec.numeric.find((f) => f.name === 'Height')!.range).toEqual([1, 2.5]);
    expect(spec.categorical.reduce((n, f) => n + f.categories.length, 0)).toBe(23);
    expect(spec.target.classes).toHaveLength(7);
    expect(inputFields(spec)).toHaveLength(16);
    expect(featureNames(spec)).toHaveLength(17);
    expect(featureNames(spec)[8]).toBe('BMI');
  });

  it('label map: distinct classes in alphabetical order', () => {
    expect(labelMapOf(['obesity_type_ii', 'normal_weight', 'obesity_type_i', 'normal_weight'])).toEqual([
      'normal_weight',
      'obesity_type_i',
      'obesity_type_ii',
    ]);
  });
});

describe('row encoding', () => {
  const encoder = new RowEncoder(spec);
  const base = sampleRows(1)[0]!;

  it('codes categories by spec order and derives BMI in kg/m²', () => {
    const { batch, issues, unknown } = encodeRows(encoder, [
      { ...base, Height: 1.62, Weight: 64, Gender: 'Male', MTRANS: 'Bike' },
    ]);
    expect(issues).toEqual([]);
    expect(unknown).toEqual({});
    expect(batch.numeric[8]).toBeCloseTo(64 / (1.62 * 1.62), 12);
    expect(batch.numeric[8]).toBeCloseTo(24.386526444139612, 10);
    expect(batch.categorical[0]).toBe(1); // Male is the second Gender category
    expect(batch.categorical[7]).toBe(4); // Bike
  });

  it('accepts numeric text, treats null and empty as missing, counts unknown categories', () => {
    const { batch, issues, unknown } = encodeRows(encoder, [
      { ...base, Age: ' 22.5 ', FAF: null, Gender: 'male', CALC: '' },
      { ...base, Gender: 'male' },
    ]);
    expect(issues).toEqual([]);
    expect(batch.numeric[0]).toBe(22.5);
    expect(Number.isNaN(batch.numeric[6])).toBe(true);
    expect(batch.categorical[0]).toBe(UNKNOWN);
    expect(batch.categorical[6]).toBe(MISSING);
    expect(unknown).toEqual({ Gender: { count: 2, values: ['male'] } });
  });

  it('reports every bad field with its row, and leaves the row out', () => {
    const bad = { ...base, Age: 'abc', Height: 3, SMOKE: 1 } as Record<string, unknown>;
    delete bad['TUE'];
    const { batch, issues, rowIndex } = encodeRows(encoder, [base, bad, base], 1);
    expect(batch.rows).toBe(2);
    expect([...rowIndex]).toEqual([0, 2]);
    expect(issues).toEqual([
      { row: 2, field: 'Age', message: '"abc" is not a number' },
      { row: 2, field: 'Height', message: '3 is outside the valid range [1, 2.5]' },
      { row: 2, field: 'TUE', message: 'missing field' },
      { row: 2, field: 'SMOKE', message: 'expected text, got number' },
    ]);
    expect(describeIssues(issues, 2)).toBe(
      'row 2, field "Age": "abc" is not a number; row 2, field "Height": 3 is outside the valid range [1, 2.5]; … (2 more)',
    );
  });

  it('column encoding (training path) equals row encoding (serving path)', () => {
    const rows = sampleRows(50, 3);
    rows[4]!['MTRANS'] = 'Rocket';
    rows[9]!['Age'] = NaN;
    const numeric = new Map(
      spec.numeric.map((f) => [f.name, Float64Array.from(rows, (r) => r[f.name] as number)]),
    );
    const categorical = new Map(
      spec.categorical.map((f) => {
        const levels: string[] = [];
        const codes = Int32Array.from(rows, (r) => {
          const v = r[f.name] as string;
          if (!levels.includes(v)) levels.push(v);
          return levels.indexOf(v);
        });
        return [f.name, { codes, levels }];
      }),
    );
    const fromColumns = encodeColumns(spec, rows.length, numeric, categorical);
    const fromRows = encodeRows(encoder, rows);
    expect(fromColumns.batch.numeric).toEqual(fromRows.batch.numeric);
    expect(fromColumns.batch.categorical).toEqual(fromRows.batch.categorical);
    expect(fromColumns.unknown).toEqual({ MTRANS: { count: 1, values: ['Rocket'] } });
  });

  it('column encoding reports out-of-range values with their file row', () => {
    const rows = sampleRows(3, 4);
    const numeric = new Map(
      spec.numeric.map((f) => [f.name, Float64Array.from(rows, (r) => r[f.name] as number)]),
    );
    numeric.get('Weight')![1] = 640;
    const categorical = new Map(
      spec.categorical.map((f) => [f.name, { codes: new Int32Array(3), levels: [f.categories[0]!] }]),
    );
    const { batch, issues } = encodeColumns(spec, 3, numeric, categorical);
    expect(batch.rows).toBe(2);
    expect(issues).toEqual([
      { row: 2, field: 'Weight', message: '640 is outside the valid range [20, 200]' },
    ]);
  });
});

describe('preprocessing', () => {
  const encoder = new RowEncoder(spec);

  it('fits medians, population std and modes on the rows it is given', () => {
    const rows = sampleRows(5, 11).map((r, i) => ({
      ...r,
      Age: [20, 30, null, 40, 50][i],
      Gender: ['Male', 'Female', 'Male', 'Female', 'Female'][i],
    }));
    const { batch } = encodeRows(encoder, rows);
    const prep = fitPreprocessing(batch, spec);
    const age = prep.numeric[0]!;
    expect(age.median).toBe(35);
    // after imputation: 20 30 35 40 50 → mean 35, population std sqrt(100)
    expect(age.mean).toBe(35);
    expect(age.scale).toBeCloseTo(Math.sqrt((225 + 25 + 0 + 25 + 225) / 5), 12);
    expect(prep.categorical[0]!.mode).toBe('Female');
    expect(prep.outputFeatures).toHaveLength(32);
    expect(prep.outputFeatures.slice(8, 11)).toEqual(['BMI', 'Gender=Female', 'Gender=Male']);
  });

  it('transforms: scaled numerics, one-hot, mode for missing, zeros for unknown', () => {
    const rows = sampleRows(40, 12);
    const { batch } = encodeRows(encoder, rows);
    const prep = fitPreprocessing(batch, spec);
    const pre = new Preprocessor(prep);
    const x = pre.transform(batch);
    expect(x.cols).toBe(32);
    // each scaled numeric column has mean 0 and population variance 1 on the fitted rows
    for (let j = 0; j < 9; j++) {
      let s = 0;
      let ss = 0;
      for (let r = 0; r < x.rows; r++) s += x.data[r * 32 + j]!;
      for (let r = 0; r < x.rows; r++) ss += (x.data[r * 32 + j]! - s / x.rows) ** 2;
      expect(Math.abs(s / x.rows)).toBeLessThan(1e-12);
      expect(ss / x.rows).toBeCloseTo(1, 10);
    }
    // every row has exactly one 1 per categorical block
    for (let r = 0; r < x.rows; r++) {
      let ones = 0;
      for (let j = 9; j < 32; j++) ones += x.data[r * 32 + j]!;
      expect(ones).toBe(8);
    }
    const odd = encodeRows(encoder, [{ ...rows[0], Gender: 'X', CAEC: null, Age: null }]);
    const y = pre.transform(odd.batch);
    expect(y.data[9]).toBe(0);
    expect(y.data[10]).toBe(0);
    const caecMode = prep.categorical[3]!.categories.indexOf(prep.categorical[3]!.mode);
    expect(y.data[9 + 2 + 2 + caecMode]).toBe(1);
    expect(y.data[0]).toBeCloseTo(
      (prep.numeric[0]!.median - prep.numeric[0]!.mean) / prep.numeric[0]!.scale,
      12,
    );
  });

  it('a constant column scales by 1', () => {
    const rows = sampleRows(10, 13).map((r) => ({ ...r, NCP: 3 }));
    const prep = fitPreprocessing(encodeRows(encoder, rows).batch, spec);
    expect(prep.numeric[4]!.scale).toBe(1);
  });
});

describe('reference statistics', () => {
  it('quantile bins cover every training row; discrete features get fewer bins', () => {
    const rows = sampleRows(300, 21).map((r, i) => ({ ...r, NCP: [1, 3, 3, 4][i % 4] }));
    const { batch } = encodeRows(new RowEncoder(spec), rows);
    const ref = referenceStatistics(batch, spec);
    expect(ref.map((r) => r.name)).toEqual(featureNames(spec));
    const age = ref[0]!;
    if (age.kind !== 'numeric') throw new Error('Age is numeric');
    expect(age.edges).toHaveLength(11);
    expect(age.counts.reduce((a, b) => a + b, 0)).toBe(300);
    const ncp = ref[4]!;
    if (ncp.kind !== 'numeric') throw new Error('NCP is numeric');
    expect(ncp.edges).toEqual([1, 3, 4]);
    expect(ncp.counts).toEqual([75, 225]);
    const gender = ref[9]!;
    if (gender.kind !== 'categorical') throw new Error('Gender is categorical');
    expect(gender.counts.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('binIndex and quantiles follow numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    const edges = [0, 1, 2, 3];
    expect([-5, 0, 0.5, 1, 2.999, 3, 9].map((v) => binIndex(edges, v))).toEqual([0, 0, 0, 1, 2, 2, 2]);
    expect(binIndex([5], 7)).toBe(0);
  });
});
