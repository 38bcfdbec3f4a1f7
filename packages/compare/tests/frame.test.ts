import { describe, expect, it } from 'vitest';
import { compareDistribution, frameFromRows } from '../src/index.js';

describe('frameFromRows: pandas-style dtypes and missing values', () => {
  it('infers int64 / float64 / object like pandas read_csv', () => {
    const f = frameFromRows(
      't',
      ['i', 'f', 'e', 'o', 'm', 'allna'],
      [
        ['1', '1.5', '1e5', 'a', '3', ''],
        ['-2', '2', '-inf', '1', 'NA', 'nan'],
        ['+3', '.5', 'nan', 'b', '4', 'NULL'],
      ],
    );
    const dtype = (c: string) => f.columns.get(c)!.dtype;
    expect(['i', 'f', 'e', 'o', 'm', 'allna'].map(dtype)).toEqual([
      'int64',
      'float64',
      'float64',
      'object',
      'float64',
      'float64',
    ]);
    expect([...f.columns.get('e')!.numbers!]).toEqual([1e5, -Infinity, NaN]);
    expect(f.columns.get('m')!.missingCount).toBe(1); // an int column with a missing value becomes float64
    expect(f.columns.get('allna')!.missingCount).toBe(3);
    expect(f.columns.get('o')!.numbers).toBeUndefined();
  });
  it('treats pandas NA spellings as missing, other text as text', () => {
    const f = frameFromRows('t', ['c'], [['N/A'], ['None'], ['none'], ['#N/A'], ['<NA>']]);
    expect(f.columns.get('c')!.missingCount).toBe(4); // "none" (lower case) is not in pandas' list
    expect(f.columns.get('c')!.dtype).toBe('object');
  });
});

describe('compareDistribution on awkward columns', () => {
  it('skips the tests of a column with no values on one side, without failing', () => {
    const a = frameFromRows(
      'a',
      ['x', 'c'],
      [
        ['1', 'u'],
        ['2', 'v'],
      ],
    );
    const b = frameFromRows(
      'b',
      ['x', 'c'],
      [
        ['', ''],
        ['', ''],
      ],
    );
    const r = compareDistribution(a, b, { alpha: 0.05, maxExamples: 5 });
    expect(r.numeric[0]!.ks).toBeNull();
    expect(r.categorical[0]!.chi2).toBeNull();
    expect(r.categorical[0]!.missingReference).toBe(2);
    expect(r.differingColumns).toEqual([]);
    // pandas reads the all-empty text column as float64: reported, as pandas would see it.
    expect(r.checks.dtypesMatch).toBe(false);
  });
  it('reports a column numeric in one file and text in the other as a dtype difference', () => {
    const a = frameFromRows('a', ['x'], [['1'], ['2']]);
    const b = frameFromRows('b', ['x'], [['one'], ['two']]);
    const r = compareDistribution(a, b, { alpha: 0.05, maxExamples: 5 });
    expect(r.checks.dtypesMatch).toBe(false);
    expect(r.differs).toBe(true);
    expect(r.numeric).toEqual([]);
    expect(r.categorical).toEqual([]);
    expect(r.differences[0]).toMatch(/x: dtype int64 in the input, object in the reference/);
  });
});
