/**
 * Summary statistics on typed arrays, with pandas' conventions: NaN is missing and skipped, the standard deviation
 * uses ddof 1, quantiles interpolate linearly between order statistics (numpy's default "linear" method).
 */
export interface NumericSummary {
  count: number;
  missing: number;
  mean: number;
  std: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
}

/** The non-missing values, sorted ascending (a copy). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[j++] = v;
  }
  return out.sort();
}

/** Quantile p ∈ [0,1] of already-sorted values, linear interpolation (numpy/pandas default). NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return frac === 0 ? a : a + (b - a) * frac;
}

/** Median of the non-missing values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedFinite(values), 0.5);
}

/** Mean of the non-missing values. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/**
 * Sample standard deviation (ddof 1 by default) of the non-missing values, two-pass for accuracy. Pass the mean when
 * it is already known (it must be mean(values)) to save the first pass.
 */
export function standardDeviation(values: ArrayLike<number>, ddof = 1, knownMean?: number): number {
  const m = knownMean ?? mean(values);
  let ss = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      ss += (v - m) * (v - m);
      n++;
    }
  }
  return n - ddof <= 0 ? NaN : Math.sqrt(ss / (n - ddof));
}

/** pandas `describe()` for one numeric column, plus the missing count. */
export function describeNumeric(values: ArrayLike<number>): NumericSummary {
  const sorted = sortedFinite(values);
  return describeSorted(sorted, values.length - sorted.length);
}

/** `describe()` of values already sorted with the missing ones removed (`missing` says how many there were). */
export function describeSorted(sorted: ArrayLike<number>, missing: number): NumericSummary {
  const m = mean(sorted);
  return {
    count: sorted.length,
    missing,
    mean: m,
    std: standardDeviation(sorted, 1, m),
    min: sorted.length ? sorted[0]! : NaN,
    q25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q75: quantileSorted(sorted, 0.75),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** Pearson correlation over the rows where both values are present (pandas `corr()` pairwise). */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length)
    throw new RangeError(`pearsonCorrelation: lengths differ (${x.length} vs ${y.length})`);
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++;
    sx += a;
    sy += b;
  }
  if (n < 2) return NaN;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) * (a - mx);
    syy += (b - my) * (b - my);
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/**
 * Pearson's r for every pair of columns (the upper triangle, row-major: (0,1), (0,2), …, (1,2), …), each equal to
 * pearsonCorrelation of that pair, bit for bit. Each column's mean and sum of squares are computed once, so a pair
 * takes one pass instead of two, with no copy of the data (a million-row table has 8 MB per column); a pair
 * involving a column with NaN falls back to pearsonCorrelation's pairwise deletion.
 */
/**
 * Σ (x − xm)(y − ym). A function of its own, called once per pair: V8 optimises it after the first calls, so the
 * later pairs run without boxing every double (one long loop inside a single call stays in the interpreter longer).
 */
function centredDot(x: ArrayLike<number>, y: ArrayLike<number>, xm: number, ym: number): number {
  let sxy = 0;
  for (let i = 0; i < x.length; i++) sxy += (x[i]! - xm) * (y[i]! - ym);
  return sxy;
}

export function pearsonCorrelationPairs(columns: readonly ArrayLike<number>[]): number[] {
  const moments = columns.map((x) => {
    const n = x.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i]!;
    if (Number.isNaN(sum) || n < 2) return undefined;
    const m = sum / n;
    return { m, ss: centredDot(x, x, m, m) };
  });
  const out: number[] = [];
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      const x = columns[a]!;
      const y = columns[b]!;
      const mx = moments[a];
      const my = moments[b];
      if (!mx || !my || x.length !== y.length) {
        out.push(pearsonCorrelation(x, y));
        continue;
      }
      const xm = mx.m;
      const ym = my.m;
      const sxy = centredDot(x, y, xm, ym);
      out.push(mx.ss === 0 || my.ss === 0 ? NaN : sxy / Math.sqrt(mx.ss * my.ss));
    }
  }
  return out;
}
