/**
 * Histograms as numpy builds them, for the drift measures that bin a numeric sample:
 * - `histogramBinEdges(values, bins)`: numpy.histogram_bin_edges with a bin count or the 'sturges' rule
 *   (width = range / (log2(n) + 1), bins = ceil(range / width), edges by numpy.linspace: lo + i·step, the last
 *   edge exactly hi; a constant sample gets [x − 0.5, x + 0.5] as numpy does);
 * - `histogramCounts(values, edges)`: numpy.histogram with explicit edges: bin i holds edge_i ≤ x < edge_{i+1},
 *   the last bin is closed on the right, values outside the edges are not counted.
 * NaN values are missing and skipped; infinite values make the range infinite, which numpy rejects: a RangeError.
 */

export type BinRule = number | 'sturges';

function finiteRange(values: ArrayLike<number>): { lo: number; hi: number; n: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v))
      throw new RangeError('histogramBinEdges: the values hold an infinity (the range must be finite)');
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi, n };
}

/** numpy.linspace(lo, hi, count): lo + i·step, the last point exactly hi. */
function linspace(lo: number, hi: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const div = count - 1;
  const step = (hi - lo) / div;
  for (let i = 0; i < count; i++) out[i] = step === 0 ? (i / div) * (hi - lo) + lo : i * step + lo;
  out[count - 1] = hi;
  return out;
}

/** Bin edges of numpy.histogram_bin_edges(values, bins) for a bin count or the Sturges rule. */
export function histogramBinEdges(values: ArrayLike<number>, bins: BinRule = 10): Float64Array {
  const range = finiteRange(values);
  let { lo, hi } = range;
  const n = range.n;
  if (n === 0) throw new RangeError('histogramBinEdges: no non-missing values');
  const dataRange = hi - lo;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  let count: number;
  if (bins === 'sturges') {
    // numpy computes the width from the data's own range (its peak-to-peak), before any ±0.5 widening.
    const width = dataRange / (Math.log2(n) + 1);
    count = width > 0 ? Math.ceil((hi - lo) / width) : 1;
  } else {
    if (!Number.isInteger(bins) || bins < 1)
      throw new RangeError(`histogramBinEdges: bins must be a positive integer, got ${bins}`);
    count = bins;
  }
  return linspace(lo, hi, count + 1);
}

/** Counts per bin of numpy.histogram(values, edges): [e_i, e_{i+1}), the last bin closed; outside: dropped. */
export function histogramCounts(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const bins = edges.length - 1;
  if (bins < 1) throw new RangeError('histogramCounts: at least two edges are needed');
  for (let k = 0; k < bins; k++) {
    if (!(edges[k]! <= edges[k + 1]!))
      throw new RangeError('histogramCounts: edges must increase monotonically');
  }
  const counts = new Float64Array(bins);
  const first = edges[0]!;
  const last = edges[bins]!;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= first && x <= last)) continue; // NaN and values outside
    // Binary search: the last edge index k with edges[k] <= x (numpy's searchsorted 'right' minus one).
    let lo = 0;
    let hi = bins;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (edges[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    counts[lo === bins ? bins - 1 : lo]! += 1;
  }
  return counts;
}
