import { InputError, SeededRng } from '@mlops/core';
import { svmPredictor, type ModelJson } from '@mlops/model';
import { describe, expect, it } from 'vitest';
import { svmLearner, fitPlattSigmoid, type SvmParams } from '../src/lib/learners/svm.js';
import {
  accuracy,
  HAS_REAL_DATA,
  loadRealSplit,
  matrix,
  separableBlobs,
  SKIP_MESSAGE,
  xor,
} from './helpers/data.js';

const LINEAR: SvmParams = {
  kernel: 'linear',
  C: 1,
  gamma: 'scale',
  calibration_folds: 5,
  tol: 0.1,
  max_iter: 1000,
};
const RBF: SvmParams = { ...LINEAR, kernel: 'rbf', C: 10, tol: 0.01 };

function fit(
  params: SvmParams,
  x: ReturnType<typeof matrix>,
  y: Int32Array,
  nClasses: number,
  seed = 1,
): ModelJson {
  return svmLearner(params).fit({ x, y, nClasses }, { rng: new SeededRng(seed) });
}

function rowSums(proba: Float64Array, nClasses: number): number[] {
  const sums: number[] = [];
  for (let i = 0; i < proba.length / nClasses; i++) {
    let s = 0;
    for (let c = 0; c < nClasses; c++) s += proba[i * nClasses + c]!;
    sums.push(s);
  }
  return sums;
}

describe('svm learner', () => {
  it('separates linearly separable blobs (4 classes), probabilities sum to 1 and favour the true class', () => {
    const train = separableBlobs(4, 40, 7);
    const test = separableBlobs(4, 25, 8);
    const json = fit(LINEAR, train.x, train.y, 4);
    const proba = svmPredictor(json).predictProba(test.x);
    expect(accuracy(proba, test.y, 4)).toBe(1);
    for (const s of rowSums(proba, 4)) expect(s).toBeCloseTo(1, 12);
    // confident on clean blobs: the true class gets most of the mass
    let mean = 0;
    test.y.forEach((c, i) => (mean += proba[i * 4 + c]! / test.y.length));
    expect(mean).toBeGreaterThan(0.8);
  });

  it('linear cannot learn XOR, rbf can', () => {
    const train = xor(40, 3);
    const test = xor(25, 4);
    const linear = accuracy(svmPredictor(fit(LINEAR, train.x, train.y, 2)).predictProba(test.x), test.y, 2);
    const rbf = accuracy(svmPredictor(fit(RBF, train.x, train.y, 2)).predictProba(test.x), test.y, 2);
    expect(linear).toBeLessThan(0.8);
    expect(rbf).toBeGreaterThanOrEqual(0.97);
  });

  it('round-trips through JSON text with identical predictions, and the same seed gives the same bytes', () => {
    const train = separableBlobs(3, 30, 11);
    for (const params of [LINEAR, RBF]) {
      const json = fit(params, train.x, train.y, 3, 5);
      const text = JSON.stringify(json);
      expect(JSON.stringify(fit(params, train.x, train.y, 3, 5))).toBe(text);
      const direct = svmPredictor(json).predictProba(train.x);
      const reloaded = svmPredictor(JSON.parse(text) as ModelJson).predictProba(train.x);
      expect(Array.from(reloaded)).toEqual(Array.from(direct));
    }
  });

  it('gives probability 0 to a class absent from the training rows', () => {
    const blobs = separableBlobs(3, 20, 2);
    const y = blobs.y.map((c) => (c === 1 ? 3 : c)); // classes 0, 2, 3 of 4
    const json = fit(LINEAR, blobs.x, Int32Array.from(y), 4);
    expect(json['classes']).toEqual([0, 2, 3]);
    const proba = svmPredictor(json).predictProba(blobs.x);
    for (let i = 0; i < blobs.y.length; i++) expect(proba[i * 4 + 1]).toBe(0);
    for (const s of rowSums(proba, 4)) expect(s).toBeCloseTo(1, 12);
  });

  it('honours sample weights: a heavy class wins the overlap', () => {
    // two overlapping 1-D classes; weighting class 1 moves the boundary toward class 0
    const rng = new SeededRng(4);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const c = i % 2;
      rows.push([rng.normal(c === 0 ? -0.5 : 0.5, 1)]);
      y.push(c);
    }
    const x = matrix(rows);
    const labels = Int32Array.from(y);
    const atZero = matrix([[0]]);
    const plain = svmPredictor(fit(LINEAR, x, labels, 2)).predictProba(atZero);
    const weight = Float64Array.from(y, (c) => (c === 1 ? 10 : 1));
    const heavy = svmPredictor(
      svmLearner(LINEAR).fit({ x, y: labels, nClasses: 2, sampleWeight: weight }, { rng: new SeededRng(1) }),
    ).predictProba(atZero);
    expect(heavy[1]!).toBeGreaterThan(plain[1]!);
  });

  it('fits the Platt sigmoid of a known logistic relation', () => {
    // labels drawn from P(+1 | f) = 1 / (1 + exp(-2 f + 0.5)): the fit recovers A ≈ -2, B ≈ 0.5
    const rng = new SeededRng(9);
    const n = 20000;
    const f = new Float64Array(n);
    const label = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      f[i] = rng.uniformRange(-3, 3);
      label[i] = rng.uniform() < 1 / (1 + Math.exp(-2 * f[i]! + 0.5)) ? 1 : -1;
    }
    const [a, b] = fitPlattSigmoid(f, label);
    expect(a).toBeCloseTo(-2, 1);
    expect(b).toBeCloseTo(0.5, 1);
  });

  it('rejects bad input with a one-line error naming it', () => {
    const x = matrix([[0], [1], [2]]);
    expect(() => fit(LINEAR, x, Int32Array.from([0, 0, 0]), 2)).toThrow(InputError);
    expect(() => fit(LINEAR, x, Int32Array.from([0, 0, 0]), 2)).toThrow(
      'svm: the training rows hold 1 class',
    );
    expect(() => fit(LINEAR, x, Int32Array.from([0, 1]), 2)).toThrow('svm: 2 labels for 3 rows');
    expect(() => fit(LINEAR, x, Int32Array.from([0, 1, 5]), 2)).toThrow(
      'svm: row 2: class index 5 outside 0..1',
    );
    expect(() => fit(LINEAR, matrix([[0], [NaN], [2]]), Int32Array.from([0, 1, 1]), 2)).toThrow(
      'svm: row 1, column 0: value is not a finite number',
    );
  });
});

describe.skipIf(!HAS_REAL_DATA)('svm on the real clean data', () => {
  it('reaches the predecessor SVM test accuracy (0.921) on a stratified 80/20 split', () => {
    const split = loadRealSplit();
    const k = split.classes.length;
    for (const params of [LINEAR, { ...RBF, C: 1, tol: 0.1 }]) {
      const started = performance.now();
      const json = svmLearner(params).fit({ ...split.train, nClasses: k }, { rng: new SeededRng(42) });
      const seconds = (performance.now() - started) / 1000;
      const proba = svmPredictor(json).predictProba(split.test.x);
      const acc = accuracy(proba, split.test.y, k);
      console.log(
        `svm ${params.kernel} C=${params.C}: test accuracy ${acc.toFixed(4)}, fit ${seconds.toFixed(2)} s`,
      );
      for (const s of rowSums(proba, k)) expect(s).toBeCloseTo(1, 9);
      if (params.kernel === 'linear') expect(acc).toBeGreaterThanOrEqual(0.9);
    }
  }, 300_000);
});
if (!HAS_REAL_DATA) console.warn(SKIP_MESSAGE);
