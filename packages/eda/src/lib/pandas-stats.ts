/**
 * The two statistics the cleaner fits, with pandas' exact arithmetic: `Series.median()` (numpy's median: the
 * middle value, or `(a + b) / 2` of the two middle values) and `Series.mode()[0]` (the most frequent value, ties
 * to the first in sorted order).
 */
import { compareCodePoints } from './python-text.js';

/** One sort buffer reused by every median and summary, so a million-row column is copied into the same memory. */
let scratch = new Float64Array(0);

/**
 * The values of `values` that are not NaN and, when given, whose row is kept and that pass `include`, sorted
 * ascending, in a shared buffer: valid until the next call.
 */
export function sortedSelection(
  values: Float64Array,
  keep?: Uint8Array,
  include?: (value: number) => boolean,
): Float64Array {
  if (scratch.length < values.length) scratch = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v) || (keep && keep[i] === 0) || (include && !include(v))) continue;
    scratch[n++] = v;
  }
  return scratch.subarray(0, n).sort();
}

/** numpy's median of sorted values: the middle one, or `(a + b) / 2`. NaN when empty. */
export function medianOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median of the values of `values` that are not NaN and, when `keep` is given, whose row is kept and that pass
 * `include`. NaN when none.
 */
export function pandasMedian(
  values: Float64Array,
  keep?: Uint8Array,
  include?: (value: number) => boolean,
): number {
  return medianOfSorted(sortedSelection(values, keep, include));
}

/**
 * The mode of a coded column: the level with the highest count among kept rows (code -1 = missing is skipped);
 * ties go to the level that sorts first (Python string order). Undefined when every value is missing.
 */
export function modeOfCodes(
  codes: Int32Array,
  levels: readonly string[],
  keep?: Uint8Array,
): number | undefined {
  const counts = new Float64Array(levels.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0 && (!keep || keep[i] === 1)) counts[c]!++;
  }
  let best: number | undefined;
  for (let c = 0; c < levels.length; c++) {
    if (counts[c] === 0) continue;
    if (
      best === undefined ||
      counts[c]! > counts[best]! ||
      (counts[c] === counts[best] && compareCodePoints(levels[c]!, levels[best]!) < 0)
    ) {
      best = c;
    }
  }
  return best;
}
