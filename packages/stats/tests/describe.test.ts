import { describe, expect, it } from 'vitest';
import {
  describeNumeric,
  median,
  pearsonCorrelation,
  pearsonCorrelationPairs,
  quantileSorted,
  standardDeviation,
} from '../src/index.js';

describe('describeNumeric (pandas describe conventions)', () => {
  it('matches pandas on a small vector with a missing value', () => {
    // pandas: pd.Series([1, 2, 3, 4, 10, None]).describe()
    const s = describeNumeric(new Float64Array([1, 2, 3, 4, 10, NaN]));
    expect(s.count).toBe(5);
    expect(s.missing).toBe(1);
    expect(s.mean).toBe(4);
    expect(s.std).toBeCloseTo(3.5355339059327378, 14);
    expect([s.min, s.q25, s.median, s.q75, s.max]).toEqual([1, 2, 3, 4, 10]);
  });
  it('interpolates quantiles linearly', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(standardDeviation([5])).toBeNaN();
  });
  it('computes Pearson correlation pairwise-complete', () => {
    expect(pearsonCorrelation([1, 2, 3, NaN], [2, 4, 6, 1])).toBeCloseTo(1, 14);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(pearsonCorrelation([1, 1, 1], [3, 2, 1])).toBeNaN();
  });
});

describe('pearsonCorrelationPairs', () => {
  it('equals pearsonCorrelation on every pair, bit for bit, with and without NaN and constant columns', () => {
    let seed = 1;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const n = 500;
    const base = Float64Array.from({ length: n }, () => rand() * 100);
    const columns = [
      base,
      base.map((v) => v * 0.3 + rand() * 10),
      Float64Array.from({ length: n }, () => rand()),
      base.map((v, i) => (i % 17 === 0 ? NaN : -v + rand())),
      new Float64Array(n).fill(4),
      Float64Array.from({ length: n }, () => rand() * 1e-9 + 1e9),
    ];
    const pairs = pearsonCorrelationPairs(columns);
    const expected: number[] = [];
    for (let a = 0; a < columns.length; a++)
      for (let b = a + 1; b < columns.length; b++)
        expected.push(pearsonCorrelation(columns[a]!, columns[b]!));
    expect(pairs).toHaveLength(15);
    pairs.forEach((r, k) =>
      expect(Object.is(r, expected[k]), `pair ${k}: ${r} vs ${expected[k]}`).toBe(true),
    );
    expect(pairs[0]).toBeGreaterThan(0.9);
    expect(pearsonCorrelationPairs([[1, 2]])).toEqual([]);
  });
});
