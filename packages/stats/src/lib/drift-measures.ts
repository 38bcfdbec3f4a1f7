/**
 * The measures behind Evidently's default per-column drift tests, each as its scipy/numpy counterpart computes it
 * (the two-sample KS test is `ks2samp`, the z-test for two proportions `twoProportionZTest`):
 * - `chiSquareGoodnessOfFit(observed, expected)`: scipy.stats.chisquare (Pearson, dof = k − 1). Evidently compares
 *   the current counts with the reference counts scaled to the current total;
 * - `wassersteinDistanceNormed(reference, current)`: the first Wasserstein distance divided by the reference's
 *   population standard deviation (ddof 0, numpy's default), floored at 0.001 so a constant reference cannot
 *   divide by zero;
 * - `jensenShannonNumeric(reference, current)`: the Jensen–Shannon distance (natural log) between the two samples'
 *   shares per bin: Sturges bins over both samples together when the reference has more than 20 distinct values,
 *   else one bin per distinct value of either sample.
 * NaN values are missing and skipped.
 */
import { histogramBinEdges, histogramCounts } from './histogram.js';
import { standardDeviation } from './describe.js';
import { jensenShannonDistance, wassersteinDistance } from './divergence.js';
import { chi2Sf } from './special.js';

export interface ChiSquareGofResult {
  statistic: number;
  pvalue: number;
  dof: number;
}

/**
 * scipy.stats.chisquare(observed, expected): Σ (O − E)² / E and its chi-square p-value with k − 1 degrees of
 * freedom. A category expected 0 times but observed gives an infinite statistic and p = 0 (as scipy); one that is
 * 0 on both sides makes the statistic NaN (scipy's 0/0). The totals are not rescaled: pass comparable counts.
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  expected: ArrayLike<number>,
): ChiSquareGofResult {
  if (observed.length !== expected.length)
    throw new RangeError(
      `chiSquareGoodnessOfFit: lengths differ (${observed.length} observed vs ${expected.length} expected)`,
    );
  if (observed.length < 2) throw new RangeError('chiSquareGoodnessOfFit: at least two categories are needed');
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    if (!(o >= 0) || !(e >= 0))
      throw new RangeError(`chiSquareGoodnessOfFit: category ${i} has a negative or missing count`);
    statistic += ((o - e) * (o - e)) / e;
  }
  const dof = observed.length - 1;
  return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}

/** Lower bound of the normalising standard deviation (Evidently's): a constant reference divides by this. */
export const WASSERSTEIN_NORM_FLOOR = 0.001;

/** Wasserstein distance normed by max(std(reference, ddof 0), 0.001). */
export function wassersteinDistanceNormed(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): { distance: number; normedDistance: number; referenceStd: number } {
  const distance = wassersteinDistance(reference, current);
  const referenceStd = standardDeviation(reference, 0);
  return {
    distance,
    normedDistance: distance / Math.max(referenceStd, WASSERSTEIN_NORM_FLOOR),
    referenceStd,
  };
}

/** More distinct reference values than this and a numeric sample is binned (Sturges) rather than per value. */
export const JS_DISTINCT_VALUES_LIMIT = 20;

export interface BinnedDistance {
  distance: number;
  /** 'sturges' with `edges`, or 'values' with one bin per distinct value in `values`. */
  binning: 'sturges' | 'values';
  edges?: number[];
  values?: number[];
  referenceShares: number[];
  currentShares: number[];
}

function distinctSorted(sorted: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
  return out;
}

function withoutNaN(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[j++] = values[i]!;
  return out;
}

/** Jensen–Shannon distance (natural log) of two numeric samples with Evidently's binning (see the file head). */
export function jensenShannonNumeric(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): BinnedDistance {
  const ref = withoutNaN(reference).sort();
  const cur = withoutNaN(current).sort();
  if (ref.length === 0 || cur.length === 0)
    throw new RangeError('jensenShannonNumeric: each sample needs at least one non-missing value');
  const refDistinct = distinctSorted(ref);
  if (refDistinct.length > JS_DISTINCT_VALUES_LIMIT) {
    const both = new Float64Array(ref.length + cur.length);
    both.set(ref);
    both.set(cur, ref.length);
    const edges = histogramBinEdges(both, 'sturges');
    const rc = histogramCounts(ref, edges);
    const cc = histogramCounts(cur, edges);
    const referenceShares = Array.from(rc, (c) => c / ref.length);
    const currentShares = Array.from(cc, (c) => c / cur.length);
    return {
      distance: jensenShannonDistance(referenceShares, currentShares),
      binning: 'sturges',
      edges: [...edges],
      referenceShares,
      currentShares,
    };
  }
  const both = new Float64Array(ref.length + cur.length);
  both.set(ref);
  both.set(cur, ref.length);
  const values = distinctSorted(both.sort());
  const countInto = (sorted: Float64Array) => {
    const counts = new Float64Array(values.length);
    let k = 0;
    for (const x of sorted) {
      while (values[k] !== x) k++;
      counts[k]! += 1;
    }
    return counts;
  };
  const referenceShares = Array.from(countInto(ref), (c) => c / ref.length);
  const currentShares = Array.from(countInto(cur), (c) => c / cur.length);
  return {
    distance: jensenShannonDistance(referenceShares, currentShares),
    binning: 'values',
    values,
    referenceShares,
    currentShares,
  };
}
