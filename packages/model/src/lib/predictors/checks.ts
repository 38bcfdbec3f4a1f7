/** JSON field checks shared by the tree and k-NN predictors: every failure names the model kind and the field. */
import { InputError } from '@mlops/core';
import type { Matrix, ModelJson } from '../types.js';

export function fail(kind: string, message: string): never {
  throw new InputError(`${kind} model: ${message}`);
}

export function intField(json: ModelJson, field: string, min: number): number {
  const v = json[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    fail(json.kind, `${field} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A numeric array field as a typed array; integer arrays are checked element by element against [min, max]. */
export function floatArray(json: ModelJson, field: string): Float64Array {
  const v = json[field];
  if (!Array.isArray(v)) fail(json.kind, `${field} must be an array of numbers`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isFinite(e))
      fail(json.kind, `${field}[${i}] must be a finite number`);
    out[i] = e;
  }
  return out;
}

export function intArray(json: ModelJson, field: string, min: number, max: number): Int32Array {
  const v = json[field];
  if (!Array.isArray(v)) fail(json.kind, `${field} must be an array of integers`);
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isInteger(e) || e < min || e > max) {
      fail(json.kind, `${field}[${i}] must be an integer in ${min}..${max}, got ${JSON.stringify(e)}`);
    }
    out[i] = e;
  }
  return out;
}

/** Checks a predictProba call's input and output buffer; returns the output buffer to write. */
export function checkPredictInput(
  kind: string,
  nFeatures: number,
  nClasses: number,
  x: Matrix,
  out: Float64Array | undefined,
): Float64Array {
  if (x.cols !== nFeatures) fail(kind, `input has ${x.cols} columns, the model expects ${nFeatures}`);
  if (!Number.isInteger(x.rows) || x.rows < 0 || x.data.length < x.rows * x.cols) {
    fail(kind, `input matrix holds ${x.data.length} values, fewer than ${x.rows} rows × ${x.cols} columns`);
  }
  const need = x.rows * nClasses;
  if (out !== undefined && out.length < need) {
    fail(
      kind,
      `output buffer holds ${out.length} values, ${need} needed (${x.rows} rows × ${nClasses} classes)`,
    );
  }
  return out ?? new Float64Array(need);
}

/** Throws naming the row and column of the first non-finite value of row r. */
export function checkRowFinite(
  kind: string,
  data: Float64Array,
  base: number,
  cols: number,
  r: number,
): void {
  for (let f = 0; f < cols; f++) {
    const v = data[base + f]!;
    if (v - v !== 0) fail(kind, `input row ${r}, column ${f}: value ${v} is not finite`);
  }
}
