/**
 * Distances between two distributions, for drift and comparison reports:
 * - `jensenShannonDistance(p, q)`: scipy.spatial.distance.jensenshannon (normalises both, natural log by default);
 * - `wassersteinDistance(u, v)`: scipy.stats.wasserstein_distance (first Wasserstein distance of two samples);
 * - `psiEqualWidth(expected, actual)`: the predecessor's PSI: 10 equal-width bins over the combined
 *   range (last bin closed, numpy.histogram's binning), proportions of 0 replaced by 1e-6;
 * - `psiQuantile(expected, actual)`: PSI over bins cut at the expected sample's deciles (numpy linear quantiles,
 *   duplicates merged; bin i is [edge_i, edge_{i+1}), open-ended at both ends), same 1e-6 floor. It sees drift on
 *   discrete columns that equal-width bins miss (a column of a few integer levels);
 * - `twoProportionZTest`: pooled two-sample z-test for proportions, two-sided.
 * NaN values are missing and skipped throughout.
 */
import { quantileSorted, sortedFinite } from './describe.js';
import { normalSf } from './special.js';

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** Jensen–Shannon distance between two discrete distributions (counts or probabilities; normalised here). */
export function jensenShannonDistance(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: { base?: number } = {},
): number {
  if (p.length !== q.length)
    throw new RangeError(`jensenShannonDistance: lengths differ (${p.length} vs ${q.length})`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    js += relEntr(pi, m) + relEntr(qi, m);
  }
  js /= 2;
  if (options.base !== undefined) js /= Math.log(options.base);
  return Math.sqrt(js);
}

/** First Wasserstein (earth mover's) distance between two samples. */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = sortedFinite(u);
  const b = sortedFinite(v);
  if (a.length === 0 || b.length === 0)
    throw new RangeError('wassersteinDistance: each sample needs at least one non-missing value');
  return wassersteinSorted(a, b);
}

/**
 * wassersteinDistance of two non-empty samples already sorted ascending and free of NaN: the pooled sorted sample is
 * walked as a merge of the two, so nothing is sorted again.
 */
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

export interface PsiResult {
  psi: number;
  /** Bin edges used (for equal-width: bins+1 edges; for quantile: the interior cut points). */
  edges: number[];
  expectedProportions: number[];
  actualProportions: number[];
}

const PSI_FLOOR = 1e-6;

function psiFromCounts(ec: Float64Array, ac: Float64Array, ne: number, na: number): Omit<PsiResult, 'edges'> {
  let psi = 0;
  const ep: number[] = [];
  const ap: number[] = [];
  for (let k = 0; k < ec.length; k++) {
    let e = ec[k]! / ne;
    let a = ac[k]! / na;
    if (e === 0) e = PSI_FLOOR;
    if (a === 0) a = PSI_FLOOR;
    ep.push(e);
    ap.push(a);
    psi += (a - e) * Math.log(a / e);
  }
  return { psi, expectedProportions: ep, actualProportions: ap };
}

/** numpy.histogram's bin index for uniform bins over [lo, hi] (last bin closed), or -1 outside. */
function histogramCounts(sorted: Float64Array, edges: Float64Array, bins: number): Float64Array {
  const lo = edges[0]!;
  const hi = edges[bins]!;
  const norm = bins / (hi - lo);
  const counts = new Float64Array(bins);
  for (const x of sorted) {
    if (x < lo || x > hi) continue;
    let idx = Math.floor((x - lo) * norm);
    if (idx === bins) idx = bins - 1;
    if (x < edges[idx]!) idx--;
    else if (x >= edges[idx + 1]! && idx !== bins - 1) idx++;
    counts[idx]! += 1;
  }
  return counts;
}

/** The predecessor's PSI: equal-width bins over the combined range. NaN when a side has no values. */
export function psiEqualWidth(expected: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): PsiResult {
  const e = sortedFinite(expected);
  const a = sortedFinite(actual);
  if (e.length === 0 || a.length === 0)
    return { psi: NaN, edges: [], expectedProportions: [], actualProportions: [] };
  const lo = Math.min(e[0]!, a[0]!);
  const hi = Math.max(e[e.length - 1]!, a[a.length - 1]!);
  if (lo === hi) return { psi: 0, edges: [lo, hi], expectedProportions: [], actualProportions: [] };
  // numpy.linspace: start + i·step, the last edge exactly hi.
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = lo + i * step;
  edges[bins] = hi;
  const result = psiFromCounts(
    histogramCounts(e, edges, bins),
    histogramCounts(a, edges, bins),
    e.length,
    a.length,
  );
  return { ...result, edges: [...edges] };
}

/** PSI over bins cut at the expected sample's quantiles (deciles by default). NaN when a side has no values. */
export function psiQuantile(expected: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): PsiResult {
  const e = sortedFinite(expected);
  const a = sortedFinite(actual);
  if (e.length === 0 || a.length === 0)
    return { psi: NaN, edges: [], expectedProportions: [], actualProportions: [] };
  return psiQuantileSorted(e, a, bins);
}

/** psiQuantile of two non-empty samples already sorted ascending and free of NaN. */
export function psiQuantileSorted(e: Float64Array, a: Float64Array, bins = 10): PsiResult {
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(e, k / bins);
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
  return { ...psiFromCounts(countInto(e), countInto(a), e.length, a.length), edges: cuts };
}

export interface TwoProportionResult {
  z: number;
  pvalue: number;
  proportion1: number;
  proportion2: number;
}

/** Two-sided pooled z-test that two proportions count1/n1 and count2/n2 are equal. */
export function twoProportionZTest(
  count1: number,
  n1: number,
  count2: number,
  n2: number,
): TwoProportionResult {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('twoProportionZTest: both sample sizes must be positive');
  if (count1 < 0 || count2 < 0 || count1 > n1 || count2 > n2)
    throw new RangeError('twoProportionZTest: counts must lie between 0 and the sample size');
  const p1 = count1 / n1;
  const p2 = count2 / n2;
  const p = (count1 + count2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pvalue: 1, proportion1: p1, proportion2: p2 };
  const z = (p1 - p2) / se;
  return { z, pvalue: Math.min(1, 2 * normalSf(Math.abs(z))), proportion1: p1, proportion2: p2 };
}
