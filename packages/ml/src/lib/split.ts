/**
 * Stratified splits, seeded by core's SeededRng so the same seed and data give the same rows on every machine.
 *
 * Train/test: as scikit-learn's StratifiedShuffleSplit sizes it, n_test = ceil(test_size · n), and each class gets
 * floor(n_test · n_c / n) test rows plus one more for the classes with the largest remainders (ties: lower class
 * index), so class proportions are kept within one row; the rows of a class are drawn by a seeded shuffle.
 * K-fold: each class's rows are shuffled and dealt round-robin over the folds, continuing across classes, so every
 * fold holds each class within one row of n_c / k and the fold sizes differ by at most one.
 */
import { InputError, SeededRng } from '@mlops/core';

export interface TrainTestSplit {
  /** Row indices, ascending. */
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export function classCounts(y: Int32Array, nClasses: number): Int32Array {
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  return counts;
}

/** Rows of each class, in row order. */
function rowsByClass(y: Int32Array, nClasses: number): Int32Array[] {
  const counts = classCounts(y, nClasses);
  const rows = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) rows[y[i]!]![fill[y[i]!]!++] = i;
  return rows;
}

/** Test rows per class: proportional allocation with largest remainders. */
export function testAllocation(counts: Int32Array, nTest: number): Int32Array {
  const n = counts.reduce((a, b) => a + b, 0);
  const alloc = new Int32Array(counts.length);
  const remainders: { c: number; r: number }[] = [];
  let given = 0;
  counts.forEach((count, c) => {
    const exact = (nTest * count) / n;
    alloc[c] = Math.floor(exact);
    given += alloc[c]!;
    remainders.push({ c, r: exact - alloc[c]! });
  });
  remainders.sort((a, b) => b.r - a.r || a.c - b.c);
  for (let i = 0; given < nTest && i < remainders.length; i++) {
    const { c } = remainders[i]!;
    if (alloc[c]! < counts[c]!) {
      alloc[c]!++;
      given++;
    }
  }
  return alloc;
}

export function stratifiedTrainTestSplit(
  y: Int32Array,
  nClasses: number,
  testSize: number,
  seed: number,
): TrainTestSplit {
  const n = y.length;
  const nTest = Math.ceil(testSize * n);
  if (nTest < nClasses || n - nTest < nClasses)
    throw new InputError(
      `data.test_size ${testSize}: ${n} rows give ${nTest} test and ${n - nTest} training rows, too few for ${nClasses} classes`,
    );
  const rng = new SeededRng(seed);
  const byClass = rowsByClass(y, nClasses);
  const alloc = testAllocation(classCounts(y, nClasses), nTest);
  const isTest = new Uint8Array(n);
  byClass.forEach((rows, c) => {
    const order = rng.shuffle<number, Int32Array>(rows.slice());
    for (let i = 0; i < alloc[c]!; i++) isTest[order[i]!] = 1;
  });
  const test = new Int32Array(nTest);
  const train = new Int32Array(n - nTest);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isTest[i]) test[a++] = i;
    else train[b++] = i;
  }
  return { train, test };
}

/** Fold number (0..k-1) of each row of `y`. */
export function stratifiedKFold(y: Int32Array, nClasses: number, k: number, seed: number): Int32Array {
  const rng = new SeededRng(seed);
  const fold = new Int32Array(y.length);
  let next = 0;
  for (const rows of rowsByClass(y, nClasses)) {
    const order = rng.shuffle<number, Int32Array>(rows.slice());
    for (let i = 0; i < order.length; i++) {
      fold[order[i]!] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** The train and validation rows of fold `f`. */
export function foldRows(fold: Int32Array, f: number): { train: Int32Array; valid: Int32Array } {
  let nValid = 0;
  for (let i = 0; i < fold.length; i++) if (fold[i] === f) nValid++;
  const valid = new Int32Array(nValid);
  const train = new Int32Array(fold.length - nValid);
  let a = 0;
  let b = 0;
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] === f) valid[a++] = i;
    else train[b++] = i;
  }
  return { train, valid };
}
