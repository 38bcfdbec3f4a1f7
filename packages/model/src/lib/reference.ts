/**
 * Reference statistics of the training rows, stored in the bundle so drift can be checked at serving time without
 * the training data: for each numeric feature (inputs and BMI) quantile bin edges and the training counts per bin,
 * and for each categorical feature the training frequency of every category. Quantile bins (not equal-width bins
 * over the combined range) keep PSI meaningful on skewed and discrete features.
 */
import { MISSING, UNKNOWN, type RawBatch } from './batch.js';
import type { FeatureSpec } from './spec.js';

export interface NumericReference {
  readonly name: string;
  readonly kind: 'numeric';
  /** Non-missing training values. */
  readonly count: number;
  readonly missing: number;
  readonly mean: number;
  /** Population std. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /**
   * Strictly increasing bin edges (the distinct training deciles, min and max included). Bin i holds
   * edges[i] ≤ v < edges[i+1]; the last bin is closed on the right; values beyond the ends fall in the end bins
   * (see `binIndex`). A constant feature has one edge and one bin.
   */
  readonly edges: readonly number[];
  /** Training rows per bin (length max(1, edges.length - 1)). */
  readonly counts: readonly number[];
}

export interface CategoricalReference {
  readonly name: string;
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  /** Training rows per category, in `categories` order. */
  readonly counts: readonly number[];
  readonly missing: number;
  readonly unknown: number;
}

export type FeatureReference = NumericReference | CategoricalReference;

/** The numpy-default (linear) quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The bin of `value` for `edges` (see NumericReference.edges). */
export function binIndex(edges: readonly number[] | Float64Array, value: number): number {
  const bins = Math.max(1, edges.length - 1);
  // binary search for the last edge ≤ value, among edges[0..bins-1]
  let lo = 0;
  let hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Reference statistics of every feature of `batch` (numeric inputs, derived, then categoricals). */
export function referenceStatistics(batch: RawBatch, spec: FeatureSpec, bins = 10): FeatureReference[] {
  const out: FeatureReference[] = [];
  const names = [...spec.numeric.map((f) => f.name), ...spec.derived.map((f) => f.name)];
  const nw = batch.numericWidth;
  names.forEach((name, j) => {
    const values: number[] = [];
    for (let r = 0; r < batch.rows; r++) {
      const v = batch.numeric[r * nw + j]!;
      if (v === v) values.push(v);
    }
    const sorted = Float64Array.from(values).sort();
    const n = sorted.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i]!;
    const mean = n ? sum / n : NaN;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (sorted[i]! - mean) ** 2;
    const edges: number[] = [];
    for (let b = 0; b <= bins; b++) {
      const e = quantileSorted(sorted, b / bins);
      if (n && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
    }
    const counts = new Array<number>(Math.max(1, edges.length - 1)).fill(0);
    for (let i = 0; i < n; i++) counts[binIndex(edges, sorted[i]!)]!++;
    out.push({
      name,
      kind: 'numeric',
      count: n,
      missing: batch.rows - n,
      mean: n ? mean : 0,
      std: n ? Math.sqrt(ss / n) : 0,
      min: n ? sorted[0]! : 0,
      max: n ? sorted[n - 1]! : 0,
      edges,
      counts: n ? counts : [],
    });
  });
  const cw = batch.categoricalWidth;
  spec.categorical.forEach((f, j) => {
    const counts = new Array<number>(f.categories.length).fill(0);
    let missing = 0;
    let unknown = 0;
    for (let r = 0; r < batch.rows; r++) {
      const c = batch.categorical[r * cw + j]!;
      if (c >= 0) counts[c]!++;
      else if (c === MISSING) missing++;
      else if (c === UNKNOWN) unknown++;
    }
    out.push({ name: f.name, kind: 'categorical', categories: [...f.categories], counts, missing, unknown });
  });
  return out;
}
