// Evidently's drift measures checked against scipy/numpy golden values (fixtures/divergence.json, written by
// make_fixtures.py): statistics to 1e-9 relative, p-values to 1e-6 relative.
import { describe, expect, it } from 'vitest';
import {
  chiSquareGoodnessOfFit,
  histogramBinEdges,
  histogramCounts,
  jensenShannonNumeric,
  wassersteinDistanceNormed,
} from '../src/index.js';
import { expectClose, loadFixture, num, type Num } from './fixtures.js';

const STAT_REL = 1e-9;
const P_REL = 1e-6;

interface Fixture {
  vectors: Record<string, Num[]>;
  chisquare_gof: { observed: number[]; expected: number[]; statistic: Num; pvalue: Num }[];
  histogram: { values: string; sturges_edges: Num[]; sturges_counts: number[]; edges_10: Num[] }[];
  wasserstein_normed: { reference: string; current: string; normed: Num; reference_std: Num }[];
  jensenshannon_numeric: {
    reference: string;
    current: string;
    binning: 'sturges' | 'values';
    bins: number;
    distance: Num;
  }[];
}

const fx = loadFixture<Fixture>('divergence.json');
const v = (name: string) => Float64Array.from(fx.vectors[name]!.map(num));

describe('chiSquareGoodnessOfFit matches scipy.stats.chisquare', () => {
  it('has cases with an infinite statistic and a tiny p-value', () => {
    expect(fx.chisquare_gof.some((c) => num(c.statistic) === Infinity)).toBe(true);
    expect(fx.chisquare_gof.some((c) => num(c.pvalue) < 1e-100)).toBe(true);
  });
  for (const c of fx.chisquare_gof) {
    it(`${JSON.stringify(c.observed)} vs ${JSON.stringify(c.expected)}`, () => {
      const r = chiSquareGoodnessOfFit(c.observed, c.expected);
      expect(r.dof).toBe(c.observed.length - 1);
      expectClose(r.statistic, num(c.statistic), STAT_REL, 0, 'statistic');
      expectClose(r.pvalue, num(c.pvalue), P_REL, num(c.pvalue) === 0 ? 1e-300 : 0, 'pvalue');
    });
  }
  it('rejects mismatched lengths, one category and negative counts', () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [1])).toThrow(/lengths differ/);
    expect(() => chiSquareGoodnessOfFit([1], [1])).toThrow(/two categories/);
    expect(() => chiSquareGoodnessOfFit([1, -2], [1, 1])).toThrow(/category 1/);
  });
});

describe('histograms match numpy', () => {
  for (const h of fx.histogram) {
    it(`Sturges and 10 bins on ${h.values}`, () => {
      const values = v(h.values);
      const edges = histogramBinEdges(values, 'sturges');
      expect(edges.length).toBe(h.sturges_edges.length);
      edges.forEach((e, i) => expectClose(e, num(h.sturges_edges[i]!), 1e-12, 1e-15, `edge ${i}`));
      expect([...histogramCounts(values, edges)]).toEqual(h.sturges_counts);
      const ten = histogramBinEdges(values, 10);
      ten.forEach((e, i) => expectClose(e, num(h.edges_10[i]!), 1e-12, 1e-15, `edge10 ${i}`));
    });
  }
  it('counts a value on an inner edge in the upper bin and the maximum in the last bin', () => {
    expect([...histogramCounts([0, 1, 2, 3, 4, NaN, 9], [0, 2, 4])]).toEqual([2, 3]);
  });
  it('rejects infinite values, empty samples, bad bin counts and decreasing edges', () => {
    expect(() => histogramBinEdges([1, Infinity], 'sturges')).toThrow(/infinity/);
    expect(() => histogramBinEdges([NaN], 'sturges')).toThrow(/no non-missing/);
    expect(() => histogramBinEdges([1, 2], 0)).toThrow(/positive integer/);
    expect(() => histogramCounts([1], [2, 1])).toThrow(/monotonically/);
  });
});

describe('wassersteinDistanceNormed matches scipy / numpy.std', () => {
  for (const c of fx.wasserstein_normed) {
    it(`${c.reference} vs ${c.current}`, () => {
      const r = wassersteinDistanceNormed(v(c.reference), v(c.current));
      expectClose(r.normedDistance, num(c.normed), STAT_REL, 1e-15, 'normed');
      expectClose(r.referenceStd, num(c.reference_std), STAT_REL, 1e-15, 'std');
    });
  }
  it('divides by the 0.001 floor when the reference is constant', () => {
    const r = wassersteinDistanceNormed([2, 2, 2], [2.001, 2.001]);
    expect(r.referenceStd).toBe(0);
    expect(r.normedDistance).toBeCloseTo(1, 9);
  });
});

describe('jensenShannonNumeric matches Evidently binning + scipy jensenshannon', () => {
  it('covers both binnings', () => {
    expect(new Set(fx.jensenshannon_numeric.map((c) => c.binning))).toEqual(new Set(['sturges', 'values']));
  });
  for (const c of fx.jensenshannon_numeric) {
    it(`${c.reference} vs ${c.current} (${c.binning})`, () => {
      const r = jensenShannonNumeric(v(c.reference), v(c.current));
      expect(r.binning).toBe(c.binning);
      expect(r.referenceShares.length).toBe(c.bins);
      expectClose(r.distance, num(c.distance), STAT_REL, 1e-15, 'distance');
    });
  }
  it('rejects an all-missing sample', () => {
    expect(() => jensenShannonNumeric([NaN], [1])).toThrow(/at least one/);
  });
});
