/** Checks shared by the tree, k-NN and SMOTE code: the fit data must be consistent before any typed-array indexing. */
import { InputError } from '@mlops/core';
import type { FitData } from '../../learner.js';

/** Throws an InputError naming the learner and the offending field, row or column. */
export function checkFitData(data: FitData, who: string): void {
  const { x, y, nClasses, sampleWeight } = data;
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new InputError(`${who}: nClasses must be an integer >= 2, got ${nClasses}`);
  }
  if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 1 || x.cols < 1) {
    throw new InputError(`${who}: the training matrix is empty (${x.rows} rows × ${x.cols} columns)`);
  }
  if (x.data.length !== x.rows * x.cols) {
    throw new InputError(
      `${who}: the training matrix holds ${x.data.length} values, not ${x.rows} × ${x.cols}`,
    );
  }
  if (y.length !== x.rows) throw new InputError(`${who}: ${y.length} labels for ${x.rows} rows`);
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c < 0 || c >= nClasses)
      throw new InputError(`${who}: row ${i}: label ${c} is outside 0..${nClasses - 1}`);
  }
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      const row = Math.floor(i / x.cols);
      throw new InputError(`${who}: row ${row}, column ${i - row * x.cols}: value ${d[i]} is not finite`);
    }
  }
  if (sampleWeight !== undefined) {
    if (sampleWeight.length !== x.rows) {
      throw new InputError(`${who}: ${sampleWeight.length} sample weights for ${x.rows} rows`);
    }
    for (let i = 0; i < sampleWeight.length; i++) {
      const w = sampleWeight[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new InputError(`${who}: row ${i}: sample weight ${w} must be finite and >= 0`);
      }
    }
  }
}

/** Rows per class. */
export function classCounts(y: Int32Array, nClasses: number): Int32Array {
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  return counts;
}

/** Throws an InputError naming `field` unless `value` is a number satisfying `ok`. */
export function checkNumber(
  who: string,
  field: string,
  value: unknown,
  ok: (v: number) => boolean,
  rule: string,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new InputError(`${who}: ${field} must be ${rule}, got ${JSON.stringify(value)}`);
  }
  return value;
}
