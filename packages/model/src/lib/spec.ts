/**
 * The feature spec: what a model of this product reads. Built from core's dataset schema (the 16 input columns of
 * the clean CSV with their kinds, valid ranges and categories, the target and its classes) plus the derived BMI.
 * It is stored in every bundle, so serving validates rows against the spec the model was trained with, not
 * against whatever the code says today.
 */
import { COLUMNS, TARGET_COLUMN } from '@mlops/core';

export interface NumericFeature {
  readonly name: string;
  /** Inclusive valid range; a value outside it is an invalid row. */
  readonly range: readonly [number, number];
  readonly unit?: string;
}

export interface CategoricalFeature {
  readonly name: string;
  /** The known categories, in the order of their one-hot columns. */
  readonly categories: readonly string[];
}

export interface FeatureSpec {
  /** The 8 numeric inputs, in file order. */
  readonly numeric: readonly NumericFeature[];
  /** The 8 categorical (and binary) inputs, in file order. */
  readonly categorical: readonly CategoricalFeature[];
  /** Derived numeric features, computed from the inputs by the preprocessing (today: BMI). */
  readonly derived: readonly { readonly name: string; readonly formula: string; readonly unit: string }[];
  /** The target column and the classes it may hold (lower snake case). */
  readonly target: { readonly name: string; readonly classes: readonly string[] };
}

export const BMI_FEATURE = 'BMI';

/** The spec of the obesity dataset, from core's schema; `bmi: false` leaves the derived BMI out. */
export function obesityFeatureSpec(options: { bmi?: boolean } = {}): FeatureSpec {
  const numeric: NumericFeature[] = [];
  const categorical: CategoricalFeature[] = [];
  for (const column of COLUMNS) {
    if (column.kind === 'numeric') {
      numeric.push({
        name: column.name,
        range: [column.range![0], column.range![1]],
        ...(column.unit ? { unit: column.unit } : {}),
      });
    } else if (column.kind === 'categorical' || column.kind === 'binary') {
      categorical.push({ name: column.name, categories: [...column.categories!] });
    }
  }
  const target = COLUMNS.find((c) => c.name === TARGET_COLUMN)!;
  return {
    numeric,
    categorical,
    derived:
      options.bmi === false ? [] : [{ name: BMI_FEATURE, formula: 'Weight / Height^2', unit: 'kg/m^2' }],
    target: { name: TARGET_COLUMN, classes: [...target.categories!] },
  };
}

/** The input fields of a row, in file order: what a caller sends (16 for the obesity spec). */
export function inputFields(spec: FeatureSpec): string[] {
  return [...spec.numeric.map((f) => f.name), ...spec.categorical.map((f) => f.name)];
}

/**
 * The feature names importances and drift statistics speak of: the numeric inputs, then the derived ones, then the
 * categorical inputs (17 for the obesity spec: 16 inputs + BMI).
 */
export function featureNames(spec: FeatureSpec): string[] {
  return [
    ...spec.numeric.map((f) => f.name),
    ...spec.derived.map((f) => f.name),
    ...spec.categorical.map((f) => f.name),
  ];
}

/** Lower snake case: what a class name must look like (the label map's spelling). */
export const LOWER_SNAKE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/**
 * The label map of a training target: the distinct classes, sorted alphabetically (the predecessor's encoding
 * order). Fixed at training and stored in the bundle; scoring never re-derives it.
 */
export function labelMapOf(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Checks a spec read from a bundle; throws an Error naming the first bad field. */
export function checkFeatureSpec(value: unknown, where: string): FeatureSpec {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!isObject(value)) fail('is not an object');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v['numeric'])) fail('numeric: not a list');
  if (!Array.isArray(v['categorical'])) fail('categorical: not a list');
  if (!Array.isArray(v['derived'])) fail('derived: not a list');
  (v['numeric'] as unknown[]).forEach((f, i) => {
    if (!isObject(f) || typeof f['name'] !== 'string') fail(`numeric[${i}].name: not a string`);
    const range = (f as Record<string, unknown>)['range'];
    if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number'))
      fail(`numeric[${i}].range: not [min, max]`);
  });
  (v['categorical'] as unknown[]).forEach((f, i) => {
    if (!isObject(f) || typeof f['name'] !== 'string') fail(`categorical[${i}].name: not a string`);
    const cats = (f as Record<string, unknown>)['categories'];
    if (!Array.isArray(cats) || cats.length === 0 || !cats.every((x) => typeof x === 'string'))
      fail(`categorical[${i}].categories: not a list of strings`);
  });
  const target = v['target'];
  if (!isObject(target) || typeof target['name'] !== 'string' || !Array.isArray(target['classes']))
    fail('target: needs name and classes');
  return value as FeatureSpec;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
