/**
 * Test data for the learners: small known problems, and the real clean data turned into a design matrix by a
 * minimal preprocessing (the product's preprocessing lives in @mlops/model; this one only feeds learner tests):
 * BMI = Weight / Height², numerics standard-scaled on the training rows, the 8 categoricals one-hot encoded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '@mlops/core';
import type { Matrix } from '@mlops/model';

export const REAL_DATA = fileURLToPath(
  new URL('../../../../../shared/data/obesity/dataset_limpio.csv', import.meta.url),
);
export const HAS_REAL_DATA = existsSync(REAL_DATA);
export const SKIP_MESSAGE = `real data absent (${REAL_DATA}): real-data learner tests skipped`;

export function matrix(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]!.length;
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols };
}

export function accuracy(proba: Float64Array, y: Int32Array, nClasses: number): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < nClasses; c++) if (proba[i * nClasses + c]! > proba[i * nClasses + best]!) best = c;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

/** Two Gaussian blobs per class around separated centres, `perClass` rows each: linearly separable. */
export function separableBlobs(
  nClasses: number,
  perClass: number,
  seed: number,
): { x: Matrix; y: Int32Array } {
  const rng = new SeededRng(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < nClasses; c++) {
    const angle = (2 * Math.PI * c) / nClasses;
    for (let i = 0; i < perClass; i++) {
      rows.push([
        6 * Math.cos(angle) + rng.normal(0, 0.5),
        6 * Math.sin(angle) + rng.normal(0, 0.5),
        rng.normal(0, 1),
      ]);
      y.push(c);
    }
  }
  return { x: matrix(rows), y: Int32Array.from(y) };
}

/** XOR: class 1 when exactly one coordinate is positive; not linearly separable. */
export function xor(perQuadrant: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = new SeededRng(seed);
  const rows: number[][] = [];
  const y: number[] = [];
  for (const [sx, sy] of [
    [1, 1],
    [-1, -1],
    [1, -1],
    [-1, 1],
  ] as const) {
    for (let i = 0; i < perQuadrant; i++) {
      rows.push([sx * rng.uniformRange(0.2, 1), sy * rng.uniformRange(0.2, 1)]);
      y.push(sx * sy < 0 ? 1 : 0);
    }
  }
  return { x: matrix(rows), y: Int32Array.from(y) };
}

const NUMERIC = ['Age', 'Height', 'Weight', 'FCVC', 'NCP', 'CH2O', 'FAF', 'TUE'];
const CATEGORICAL = [
  'Gender',
  'family_history_with_overweight',
  'FAVC',
  'CAEC',
  'SMOKE',
  'SCC',
  'CALC',
  'MTRANS',
];
const TARGET = 'NObeyesdad';

export interface Split {
  readonly train: { x: Matrix; y: Int32Array };
  readonly test: { x: Matrix; y: Int32Array };
  readonly classes: readonly string[];
}

/** The real clean data, stratified 80/20 split (seed 42), preprocessed with statistics of the training rows. */
export function loadRealSplit(): Split {
  const lines = readFileSync(REAL_DATA, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((line) => line.split(','));
  const col = (name: string) => header.indexOf(name);
  const classes = [...new Set(rows.map((r) => r[col(TARGET)]!))].sort();
  const label = Int32Array.from(rows, (r) => classes.indexOf(r[col(TARGET)]!));
  const rng = new SeededRng(42);
  const isTest = new Uint8Array(rows.length);
  for (let c = 0; c < classes.length; c++) {
    const members: number[] = [];
    label.forEach((v, i) => v === c && members.push(i));
    rng.shuffle<number, number[]>(members);
    for (let k = 0; k < Math.round(members.length * 0.2); k++) isTest[members[k]!] = 1;
  }
  const numeric = rows.map((r) => {
    const v = NUMERIC.map((n) => Number(r[col(n)]));
    return [...v, v[2]! / (v[1]! * v[1]!)]; // BMI in kg/m²
  });
  const trainIdx = rows.map((_, i) => i).filter((i) => !isTest[i]);
  const testIdx = rows.map((_, i) => i).filter((i) => isTest[i]);
  const width = NUMERIC.length + 1;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (const i of trainIdx) numeric[i]!.forEach((v, j) => (mean[j] = mean[j]! + v / trainIdx.length));
  for (const i of trainIdx)
    numeric[i]!.forEach((v, j) => (sd[j] = sd[j]! + (v - mean[j]!) ** 2 / trainIdx.length));
  const levels = CATEGORICAL.map((c) => [...new Set(trainIdx.map((i) => rows[i]![col(c)]!))].sort());
  const features = (i: number): number[] => [
    ...numeric[i]!.map((v, j) => (v - mean[j]!) / Math.sqrt(sd[j]!)),
    ...CATEGORICAL.flatMap((c, k) => levels[k]!.map((level) => (rows[i]![col(c)] === level ? 1 : 0))),
  ];
  const part = (idx: number[]) => ({
    x: matrix(idx.map(features)),
    y: Int32Array.from(idx, (i) => label[i]!),
  });
  return { train: part(trainIdx), test: part(testIdx), classes };
}
