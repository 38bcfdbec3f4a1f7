import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autoBinCount, boxSummary, histogram, kdeCurve } from '../src/index.js';
import { golden } from './helpers.js';

interface Case {
  values: number[];
  auto_bins: number;
  counts: number[];
  q1: number;
  median: number;
  q3: number;
  outliers: number;
  whisker_low: number;
  whisker_high: number;
  kde_x?: number[];
  kde_density?: number[];
}
const cases = JSON.parse(readFileSync(golden, 'utf8')) as Record<string, Case>;

describe('summaries against numpy/scipy (fixtures/golden.json)', () => {
  for (const [name, c] of Object.entries(cases)) {
    const sorted = Float64Array.from(c.values).sort();
    it(`${name}: numpy 'auto' bin count and histogram counts`, () => {
      const k = autoBinCount(sorted);
      expect(k).toBe(c.auto_bins);
      expect(histogram(sorted, k).map((b) => b.count)).toEqual(c.counts);
    });
    it(`${name}: quartiles, whiskers and 1.5×IQR outliers`, () => {
      const box = boxSummary(sorted, sorted.length);
      expect(box.q1).toBeCloseTo(c.q1, 12);
      expect(box.median).toBeCloseTo(c.median, 12);
      expect(box.q3).toBeCloseTo(c.q3, 12);
      expect(box.outliers).toBe(c.outliers);
      expect(box.lower).toBe(c.whisker_low);
      expect(box.upper).toBe(c.whisker_high);
    });
    if (c.kde_density) {
      it(`${name}: the binned KDE is scipy's gaussian_kde (Scott) within 1% of its peak`, () => {
        const n = sorted.length;
        let sum = 0;
        for (const v of sorted) sum += v;
        const mean = sum / n;
        const std = Math.sqrt(sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
        // binWidth 1/n turns "counts per bin" back into a density
        const curve = kdeCurve(sorted, std, 1 / n);
        const peak = Math.max(...c.kde_density!);
        expect(curve).toHaveLength(c.kde_x!.length);
        curve.forEach((p, i) => {
          // positions are kept to 7 significant digits (summaries' display())
          expect(Math.abs(p.x - c.kde_x![i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(c.kde_x![i]!) + 1e-12);
          expect(Math.abs(p.y - c.kde_density![i]!)).toBeLessThan(0.01 * peak);
        });
      });
    }
  }

  it('caps the outlier points drawn but counts every outlier', () => {
    // 9,000 fives and 1,000 distinct values above: IQR 0, so every other value is an outlier
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i < 9000 ? 5 : 1000 + (i - 9000))).sort();
    const box = boxSummary(values, values.length);
    expect(box.outliers).toBe(1000);
    expect(box.outlierPct).toBe(10);
    expect(box.distinctOutliers).toBe(1000);
    expect(box.outlierValues).toHaveLength(400);
    expect(box.outlierValues[0]).toBe(1000);
    expect(box.outlierValues.at(-1)).toBe(1999);
    expect(box.lower).toBe(5);
    expect(box.upper).toBe(5);
  });
});
