/**
 * The numeric comparison's statistics computed from samples sorted once. @mlops/stats' ks2samp,
 * wassersteinDistance and psiQuantile each sort their own copy of both samples (and Wasserstein sorts the pooled
 * sample once more): at a million rows per file those sorts were most of the stage's time. These give the same
 * numbers from already-sorted, NaN-free samples (tests check them against the stats functions): the KS statistic by
 * the same merge, its asymptotic p-value from kstwo exactly as ks2samp picks it (small samples go to ks2samp itself,
 * whose exact method needs no speed-up), Wasserstein by merging instead of sorting the pooled sample, PSI on the
 * reference's deciles.
 */
import { ks2samp, ksStatisticSorted, kstwoSf, quantileSorted } from '@mlops/stats';

/** ks2samp's threshold for the exact method under `method: 'auto'`. */
const MAX_EXACT_N = 10_000;

/** numpy's round (half to even), as ks2samp rounds n1·n2/(n1+n2). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ks2samp(a, b) (method auto) of two non-empty sorted samples without NaN. */
export function ksSorted(
  a: Float64Array,
  b: Float64Array,
): { statistic: number; pvalue: number; method: 'exact' | 'asymp' } {
  if (Math.max(a.length, b.length) <= MAX_EXACT_N) return ks2samp(a, b);
  const d = ksStatisticSorted(a, b);
  const [m, n] = a.length >= b.length ? [a.length, b.length] : [b.length, a.length];
  const pvalue = Math.min(Math.max(kstwoSf(roundHalfEven((m * n) / (m + n)), d), 0), 1);
  return { statistic: d, pvalue, method: 'asymp' };
}

/** wassersteinDistance(a, b) of two non-empty sorted samples without NaN: the pooled sample is a merge. */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n = a.length + b.length;
  let ia = 0;
  let ib = 0;
  // Walk the pooled sorted sample: `x` the current value, `next` the one after it.
  const take = () => (ib >= b.length || (ia < a.length && a[ia]! <= b[ib]!) ? a[ia++]! : b[ib++]!);
  let i = 0;
  let j = 0;
  let sum = 0;
  let x = take();
  for (let k = 0; k < n - 1; k++) {
    const next = take();
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    sum += Math.abs(i / a.length - j / b.length) * (next - x);
    x = next;
  }
  return sum;
}

const PSI_FLOOR = 1e-6;

/** psiQuantile(expected, actual, bins).psi of two non-empty sorted samples without NaN. */
export function psiQuantileSorted(expected: Float64Array, actual: Float64Array, bins = 10): number {
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(expected, k / bins);
    if (cuts.length === 0 || q !== cuts[cuts.length - 1]) cuts.push(q);
  }
  const countInto = (sorted: Float64Array) => {
    const counts = new Float64Array(cuts.length + 1);
    let bin = 0;
    for (const x of sorted) {
      while (bin < cuts.length && x >= cuts[bin]!) bin++;
      counts[bin]! += 1;
    }
    return counts;
  };
  const ec = countInto(expected);
  const ac = countInto(actual);
  let psi = 0;
  for (let k = 0; k < ec.length; k++) {
    const e = ec[k]! / expected.length || PSI_FLOOR;
    const p = ac[k]! / actual.length || PSI_FLOOR;
    psi += (p - e) * Math.log(p / e);
  }
  return psi;
}
