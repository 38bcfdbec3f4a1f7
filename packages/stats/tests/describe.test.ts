import { describe, expect, it } from 'vitest';
import {
  describeNumeric,
  median,
  pearsonCorrelation,
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
