/**
 * Feature binning for the histogram tree learner: each feature is cut once per fit into at most 255 quantile bins,
 * and every row becomes one byte per feature. Split search then works on per-bin sums instead of sorted values.
 *
 * Bin b of feature f holds the values v with cuts[b-1] < v <= cuts[b] (the last bin is unbounded above), so the split
 * "bin <= b" is exactly the real-valued test "v <= cuts[b]": a tree stores that threshold and inference needs no bin
 * table. Cuts are midpoints between consecutive distinct training values (as scikit-learn places its thresholds).
 */
import type { Matrix } from '@mlops/model';
import { syntheticValue, type SmotePlan } from '../smote.js';

/** The most bins a feature can get: bin indices must fit a byte. */
export const MAX_BINS = 255;
/** Cuts are computed from at most this many rows (evenly strided); binning itself covers every row. */
const CUT_SAMPLE_ROWS = 200_000;

export interface BinnedFeatures {
  /** Bin index of row i, feature f at [f * rows + i] (column-major: a node's scan of one feature stays in one column). */
  readonly bins: Uint8Array;
  readonly rows: number;
  readonly cols: number;
  /** Number of bins per feature (1 for a constant feature). */
  readonly nBins: Int32Array;
  /** Upper edges per feature: cuts[f][b] is the threshold of the split "bin <= b" (length nBins[f] - 1). */
  readonly cuts: readonly Float64Array[];
}

/**
 * Cut points of one feature from its values (any order; must be finite). With at most `maxBins` distinct values
 * every distinct value gets its own bin; otherwise bins hold roughly equal numbers of rows.
 */
export function featureCuts(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  // distinct values and their counts
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]!++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let d = 0; d + 1 < distinct.length; d++) cuts.push(midpoint(distinct[d]!, distinct[d + 1]!));
  } else {
    // A cut after distinct value d when the running count reaches the next multiple of n / maxBins; a heavy value
    // can skip several multiples, so there may be fewer than maxBins bins.
    const perBin = n / maxBins;
    let seen = 0;
    let next = perBin;
    for (let d = 0; d + 1 < distinct.length && cuts.length < maxBins - 1; d++) {
      seen += counts[d]!;
      if (seen >= next) {
        cuts.push(midpoint(distinct[d]!, distinct[d + 1]!));
        while (next <= seen) next += perBin;
      }
    }
  }
  return Float64Array.from(cuts);
}

/**
 * A threshold t with a <= t < b: the shortest decimal within 1/64 of the gap from the midpoint, so a model's JSON
 * stays small (thresholds are stored as written) while the split sits where scikit-learn puts it, half-way between
 * the training values (a round number anywhere in a wide gap would generalise worse).
 */
export function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  const tolerance = (b - a) / 64;
  for (let digits = 1; digits <= 17; digits++) {
    const t = Number(m.toPrecision(digits));
    if (t >= a && t < b && Math.abs(t - m) <= tolerance) return t;
  }
  return m >= b || m < a ? a : m;
}

/** Bin index of v: the first b with v <= cuts[b], or cuts.length. */
export function binOf(cuts: Float64Array, v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bin every row of `x`, with cuts computed from the rows listed in `cutRows` (default: all rows). Rows outside
 * `cutRows` (an internal validation slice) are binned with the same cuts. With `synthetic` (SMOTE's recipe), its
 * rows follow x's, computed as they are read: the oversampled matrix is never materialised.
 */
export function binFeatures(
  x: Matrix,
  cutRows?: Int32Array,
  maxBins = MAX_BINS,
  synthetic?: SmotePlan,
): BinnedFeatures {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) {
    throw new RangeError(`maxBins must be an integer in 2..${MAX_BINS}, got ${maxBins}`);
  }
  const { cols, data } = x;
  const n = x.rows;
  const rows = n + (synthetic?.base.length ?? 0);
  const value = (i: number, f: number): number =>
    i < n ? data[i * cols + f]! : syntheticValue(x, synthetic!, i - n, f);
  const source = cutRows ?? identity(rows);
  const stride = Math.max(1, Math.ceil(source.length / CUT_SAMPLE_ROWS));
  const sampleSize = Math.ceil(source.length / stride);
  const column = new Float64Array(sampleSize);
  const bins = new Uint8Array(rows * cols);
  const nBins = new Int32Array(cols);
  const cuts: Float64Array[] = [];
  for (let f = 0; f < cols; f++) {
    for (let s = 0, i = 0; i < source.length; i += stride, s++) column[s] = value(source[i]!, f);
    const c = featureCuts(column, maxBins);
    cuts.push(c);
    nBins[f] = c.length + 1;
    const base = f * rows;
    for (let i = 0; i < n; i++) bins[base + i] = binOf(c, data[i * cols + f]!);
    for (let i = n; i < rows; i++) bins[base + i] = binOf(c, value(i, f));
  }
  return { bins, rows, cols, nBins, cuts };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
