/** Field checks for predictor factories: a malformed ModelJson is an Error naming the kind and the field. */
import type { ModelJson } from '../types.js';

/** `json[field]` as a list of finite numbers, of exactly `length` items when given. */
export function numberArray(json: ModelJson, field: string, length?: number): readonly number[] {
  const value = json[field];
  if (!Array.isArray(value)) throw new Error(`${json.kind}: field "${field}" is not a list`);
  if (length !== undefined && value.length !== length)
    throw new Error(`${json.kind}: field "${field}" has ${value.length} values, expected ${length}`);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'number' || !Number.isFinite(value[i]))
      throw new Error(`${json.kind}: field "${field}"[${i}] is not a finite number`);
  }
  return value as number[];
}

/** `json[field]` as a finite number. */
export function numberField(json: ModelJson, field: string): number {
  const value = json[field];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${json.kind}: field "${field}" is not a finite number`);
  return value;
}
