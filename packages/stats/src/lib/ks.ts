/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, computed the way scipy.stats.ks_2samp (scipy 1.17) does:
 * - the statistic is the largest gap between the two empirical CDFs, evaluated at every observed value with
 *   right-continuous CDFs (ties handled as scipy's searchsorted(side='right') does);
 * - `method: 'auto'` is exact when max(n1, n2) ≤ 10,000, asymptotic otherwise; `'exact'` falls back to the
 *   asymptotic method when lcm(n1, n2) is too large or the exact computation leaves [0, 1];
 * - exact: equal sizes by the alternating-binomial sum outside the square (Horner form), unequal sizes by
 *   Hodges' "inside" lattice-path recursion computing 1 − p directly (Viehmann 2021); in the exact method the
 *   statistic is reported as h/lcm(n1, n2), as scipy does;
 * - asymptotic: kstwo.sf(D, round(n1·n2/(n1+n2))).
 * NaN values are missing and dropped first (scipy would propagate them); an empty sample is a RangeError.
 */
import { kstwoSf } from './kolmogorov.js';
import { sortedFinite } from './describe.js';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  /** The KS statistic D (sup |F1 − F2|). */
  statistic: number;
  /** Two-sided p-value. */
  pvalue: number;
  /** The method actually used ('exact' or 'asymp'). */
  method: 'exact' | 'asymp';
  /** Sample sizes after dropping NaN. */
  n1: number;
  n2: number;
}

const MAX_AUTO_N = 10_000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k−1) C(2n, n−kh)/C(2n, n), nested to avoid cancellation. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm(m,n): the exact two-sided
 * p-value for unequal sizes, by the inside method on one sliding column.
 */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 < n0 ? [n0, m0] : [m0, n0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** The KS statistic of two sorted samples (max over both one-sided gaps, as scipy picks it). */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  // Evaluate cdf1 − cdf2 right after each distinct value of the pooled sample.
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minGap = Math.min(Math.max(-minS, 0), 1);
  return minGap > maxS ? minGap : maxS;
}

/** Two-sided two-sample Kolmogorov–Smirnov test (scipy.stats.ks_2samp). */
export function ks2samp(
  sample1: ArrayLike<number>,
  sample2: ArrayLike<number>,
  options: { method?: KsMethod } = {},
): KsResult {
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp')
    throw new RangeError(`ks2samp: unknown method "${String(requested)}" (auto, exact or asymp)`);
  return ks2sampSorted(sortedFinite(sample1), sortedFinite(sample2), requested);
}

/**
 * ks2samp of two samples already sorted ascending and free of NaN: for callers that sort a column once and run
 * several statistics on it.
 */
export function ks2sampSorted(a: Float64Array, b: Float64Array, requested: KsMethod = 'auto'): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp: each sample needs at least one non-missing value');
  let d = ksStatisticSorted(a, b);
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: 'exact' | 'asymp';
  if (requested === 'auto') mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact') mode = n1g >= INT32_MAX / n2g ? 'asymp' : 'exact';
  else mode = 'asymp';

  let pvalue = NaN;
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) pvalue = 1;
    else {
      pvalue = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
      if (!(pvalue >= 0 && pvalue <= 1) || !Number.isFinite(pvalue)) mode = 'asymp';
    }
  }
  if (mode === 'asymp') {
    const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
    const en = (m * n) / (m + n);
    pvalue = kstwoSf(roundHalfEven(en), d);
  }
  pvalue = Math.min(Math.max(pvalue, 0), 1);
  return { statistic: d, pvalue, method: mode, n1, n2 };
}
