// Hostile and degenerate inputs: clear errors, or the defined degenerate answer.
import { describe, expect, it } from 'vitest';
import {
  chi2Contingency,
  chi2Sf,
  chiSquareIndependence,
  jensenShannonDistance,
  ks2samp,
  kstwoSf,
  logGamma,
  psiEqualWidth,
  psiQuantile,
  regularizedGammaP,
  regularizedGammaQ,
  twoProportionZTest,
  wassersteinDistance,
} from '../src/index.js';

describe('edge cases', () => {
  it('ks2samp handles infinities and all-equal samples', () => {
    const r = ks2samp([-Infinity, 1, 2, Infinity], [1, 2, 3]);
    expect(r.statistic).toBeGreaterThan(0);
    expect(r.pvalue).toBeGreaterThan(0);
    expect(ks2samp([5, 5, 5], [5, 5]).pvalue).toBe(1);
    expect(ks2samp([5, 5, 5], [5, 5]).statistic).toBe(0);
  });
  it('kstwoSf is 1 below 1/(2n), 0 at and above 1, NaN for a non-integer n', () => {
    expect(kstwoSf(10, 0.04)).toBe(1);
    expect(kstwoSf(10, 1)).toBe(0);
    expect(kstwoSf(10.5, 0.3)).toBeNaN();
  });
  it('chi2Contingency rejects ragged tables, negative and non-finite counts', () => {
    expect(() => chi2Contingency([[1, 2], [3]])).toThrow(/row 1 has 1 columns/);
    expect(() =>
      chi2Contingency([
        [1, -2],
        [3, 4],
      ]),
    ).toThrow(/\[0\]\[1\] = -2/);
    expect(() =>
      chi2Contingency([
        [1, NaN],
        [3, 4],
      ]),
    ).toThrow(/not a non-negative count/);
    expect(() => chi2Contingency([])).toThrow(/empty/);
    expect(() =>
      chi2Contingency(
        [
          [0, 0],
          [0, 0],
        ],
        { dropEmpty: true },
      ),
    ).toThrow(/no counts/);
  });
  it('chiSquareIndependence needs counts on both sides and ignores categories neither has', () => {
    expect(() => chiSquareIndependence(new Map([['a', 3]]), new Map())).toThrow(/each sample/);
    const r = chiSquareIndependence(
      new Map([
        ['a', 3],
        ['b', 0],
        ['c', 5],
      ]),
      new Map([
        ['a', 4],
        ['c', 1],
      ]),
    );
    expect(r.categories).toEqual(['a', 'c']);
    expect(r.dof).toBe(1);
  });
  it('chi-square and gamma functions at their boundaries', () => {
    expect(chi2Sf(0, 3)).toBe(1);
    expect(chi2Sf(-1, 3)).toBe(1);
    expect(chi2Sf(1, 0)).toBeNaN();
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(2, Infinity)).toBe(0);
    expect(regularizedGammaP(3, 2.5) + regularizedGammaQ(3, 2.5)).toBeCloseTo(1, 15);
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14); // absolute error of the shifted Stirling series
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 10);
    expect(logGamma(-1)).toBeNaN();
  });
  it('distances reject empty or mismatched input; PSI is NaN for an empty side, 0 for a constant', () => {
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(/lengths differ/);
    expect(() => wassersteinDistance([], [1])).toThrow(/at least one/);
    expect(psiEqualWidth([NaN], [1, 2]).psi).toBeNaN();
    expect(psiQuantile([1, 2], []).psi).toBeNaN();
    expect(psiEqualWidth([3, 3], [3]).psi).toBe(0);
    expect(() => twoProportionZTest(5, 4, 1, 10)).toThrow(/between 0 and the sample size/);
    expect(twoProportionZTest(0, 10, 0, 20)).toMatchObject({ z: 0, pvalue: 1 });
  });
});
