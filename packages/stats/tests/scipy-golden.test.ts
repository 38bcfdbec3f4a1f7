// Every statistic checked against golden values computed once with Debian's python3-scipy (fixtures/*.json):
// statistics to 1e-9 relative, p-values to 1e-6 relative (tiny p-values relative too, never absolute).
import { describe, expect, it } from 'vitest';
import {
  chi2Contingency,
  chi2LogSf,
  chi2Sf,
  jensenShannonDistance,
  kolmogorovSf,
  ks2samp,
  kstwoSf,
  normalSf,
  psiEqualWidth,
  psiQuantile,
  smirnovSf,
  twoProportionZTest,
  wassersteinDistance,
  type KsMethod,
} from '../src/index.js';
import { expectClose, loadFixture, num, vector, type Generator, type Num } from './fixtures.js';

const STAT_REL = 1e-9;
const P_REL = 1e-6;

interface KsCase {
  name: string;
  a: number[] | Generator;
  b: number[] | Generator;
  method: KsMethod;
  statistic: Num;
  pvalue: Num;
  method_used: 'exact' | 'asymp';
}

describe('ks2samp matches scipy.stats.ks_2samp', () => {
  const { cases } = loadFixture<{ cases: KsCase[] }>('ks2samp.json');
  it('covers exact, asymptotic, ties, identical, disjoint and tiny p-values', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(cases.some((c) => c.method_used === 'asymp' && c.method === 'auto')).toBe(true);
    expect(cases.some((c) => num(c.pvalue) > 0 && num(c.pvalue) < 1e-100)).toBe(true);
  });
  for (const c of cases) {
    it(c.name, () => {
      const r = ks2samp(vector(c.a), vector(c.b), { method: c.method });
      expect(r.method).toBe(c.method_used);
      expectClose(r.statistic, num(c.statistic), STAT_REL, 0, 'statistic');
      expectClose(r.pvalue, num(c.pvalue), P_REL, 0, 'pvalue');
    });
  }
  it('is symmetric in its samples and drops NaN', () => {
    const a = Float64Array.from([1, 5, 2, NaN, 8, 3]);
    const b = Float64Array.from([4, 4, 9, 7, 6]);
    const ab = ks2samp(a, b);
    const ba = ks2samp(b, a);
    expect(ab.statistic).toBe(ba.statistic);
    expect(ab.pvalue).toBe(ba.pvalue);
    expect(ab.n1).toBe(5);
  });
  it('rejects empty samples and unknown methods', () => {
    expect(() => ks2samp([NaN], [1, 2])).toThrow(/at least one non-missing/);
    expect(() => ks2samp([1], [2], { method: 'fast' as KsMethod })).toThrow(/unknown method/);
  });
});

describe('Kolmogorov distributions match scipy', () => {
  const fx = loadFixture<{
    kstwo_sf: { n: number; x: number; sf: Num }[];
    smirnov_sf: { n: number; x: number; sf: Num }[];
    kolmogorov_sf: { y: number; sf: Num }[];
  }>('kolmogorov.json');
  it('kstwo.sf over a grid of n and x (every algorithm branch)', () => {
    for (const r of fx.kstwo_sf) {
      const expected = num(r.sf);
      // Values scipy rounds to 0 (sf < ~1e-300) we must also give below 1e-300.
      expectClose(kstwoSf(r.n, r.x), expected, P_REL, expected === 0 ? 1e-300 : 0, `kstwo n=${r.n} x=${r.x}`);
    }
  });
  it('smirnov (one-sided) over a grid', () => {
    for (const r of fx.smirnov_sf) {
      const expected = num(r.sf);
      expectClose(
        smirnovSf(r.n, r.x),
        expected,
        P_REL,
        expected === 0 ? 1e-300 : 0,
        `smirnov n=${r.n} x=${r.x}`,
      );
    }
  });
  it('kolmogorov (limiting) survival function', () => {
    for (const r of fx.kolmogorov_sf) expectClose(kolmogorovSf(r.y), num(r.sf), P_REL, 0, `y=${r.y}`);
  });
});

describe('chi-square matches scipy', () => {
  const fx = loadFixture<{
    chi2_sf: { df: number; x: number; sf: Num; logsf: Num }[];
    contingency: {
      name: string;
      table: number[][];
      correction: boolean;
      statistic: Num;
      pvalue: Num;
      dof: number;
      expected: Num[][];
    }[];
    zero_expected: {
      name: string;
      table: number[][];
      scipy_error: string | null;
      dropped: { statistic: Num; pvalue: Num; dof: number };
    }[];
  }>('chi2.json');
  it('chi2.sf and chi2.logsf over a grid down to p ~ 1e-300', () => {
    for (const r of fx.chi2_sf) {
      const sf = num(r.sf);
      expectClose(chi2Sf(r.x, r.df), sf, P_REL, sf === 0 ? 1e-300 : 0, `sf df=${r.df} x=${r.x}`);
      // logsf to 1e-9 absolute-or-relative: it is what keeps underflowing p-values comparable.
      // Where scipy's logsf is log(0) = -inf we stay finite, necessarily below the smallest double's log.
      const logsf = num(r.logsf);
      if (logsf === -Infinity) expect(chi2LogSf(r.x, r.df)).toBeLessThan(-708);
      else expectClose(chi2LogSf(r.x, r.df), logsf, 1e-9, 1e-12, `logsf df=${r.df} x=${r.x}`);
    }
  });
  for (const c of fx.contingency) {
    it(`chi2_contingency: ${c.name}`, () => {
      const r = chi2Contingency(c.table, { correction: c.correction });
      expect(r.dof).toBe(c.dof);
      expectClose(r.statistic, num(c.statistic), STAT_REL, 1e-12, 'statistic');
      const p = num(c.pvalue);
      expectClose(r.pvalue, p, P_REL, p === 0 ? 1e-300 : 0, 'pvalue');
      c.expected.forEach((row, i) =>
        row.forEach((e, j) => expectClose(r.expected[i]![j]!, num(e), STAT_REL, 0, `expected[${i}][${j}]`)),
      );
    });
  }
  for (const c of fx.zero_expected) {
    it(`zero expected frequency (${c.name}): an error like scipy's, or dropped on request`, () => {
      expect(c.scipy_error).toMatch(/zero element/);
      expect(() => chi2Contingency(c.table)).toThrow(/all zeros/);
      const r = chi2Contingency(c.table, { dropEmpty: true });
      expect(r.dof).toBe(c.dropped.dof);
      expectClose(r.statistic, num(c.dropped.statistic), STAT_REL, 1e-12, 'statistic');
      expectClose(r.pvalue, num(c.dropped.pvalue), P_REL, 0, 'pvalue');
      expect(r.dropped.rows.length + r.dropped.columns.length).toBeGreaterThan(0);
    });
  }
});

describe('divergences, PSI and the two-proportion z-test match scipy/numpy', () => {
  const fx = loadFixture<{
    vectors: Record<string, Num[]>;
    psi: { expected: string; actual: string; psi_equal_width: Num; psi_quantile: Num }[];
    wasserstein: { u: string; v: string; distance: Num }[];
    jensenshannon: { p: number[]; q: number[]; distance: Num; distance_base2: Num }[];
    two_proportion_z: { count1: number; n1: number; count2: number; n2: number; z: Num; pvalue: Num }[];
    normal_sf: { z: number; sf: Num }[];
  }>('divergence.json');
  const v = (name: string) => Float64Array.from(fx.vectors[name]!.map(num));
  it('PSI, equal-width (the predecessor) and quantile-binned', () => {
    for (const r of fx.psi) {
      const what = `${r.expected} vs ${r.actual}`;
      expectClose(
        psiEqualWidth(v(r.expected), v(r.actual)).psi,
        num(r.psi_equal_width),
        STAT_REL,
        1e-12,
        what,
      );
      expectClose(psiQuantile(v(r.expected), v(r.actual)).psi, num(r.psi_quantile), STAT_REL, 1e-12, what);
    }
  });
  it('Wasserstein-1', () => {
    for (const r of fx.wasserstein)
      expectClose(wassersteinDistance(v(r.u), v(r.v)), num(r.distance), STAT_REL, 1e-12, `${r.u} vs ${r.v}`);
  });
  it('Jensen-Shannon distance (natural log and base 2)', () => {
    for (const r of fx.jensenshannon) {
      expectClose(jensenShannonDistance(r.p, r.q), num(r.distance), STAT_REL, 1e-12, 'js');
      expectClose(
        jensenShannonDistance(r.p, r.q, { base: 2 }),
        num(r.distance_base2),
        STAT_REL,
        1e-12,
        'js2',
      );
    }
  });
  it('two-proportion z-test and the normal survival function', () => {
    for (const r of fx.two_proportion_z) {
      const t = twoProportionZTest(r.count1, r.n1, r.count2, r.n2);
      expectClose(t.z, num(r.z), STAT_REL, 1e-12, 'z');
      expectClose(t.pvalue, num(r.pvalue), P_REL, 0, 'p');
    }
    for (const r of fx.normal_sf) expectClose(normalSf(r.z), num(r.sf), 1e-9, 0, `z=${r.z}`);
  });
});
