/**
 * Stratified splits, seeded, so the same seed and data give the same rows on every machine.
 *
 * Train/test: scikit-learn's train_test_split with stratify, row for row (see stratifiedTrainTestSplit).
 * K-fold: each class's rows are shuffled and dealt round-robin over the folds, continuing across classes, so every
 * fold holds each class within one row of n_c / k and the fold sizes differ by at most one.
 */
import { InputError, NumpyRandomState, SeededRng } from '@mlops/core';

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

/**
 * scikit-learn's `_approximate_mode`: `draws` spread over the classes in proportion to `counts`, floored, then the
 * rows still missing go to the classes with the largest remainders; classes tied on a remainder are picked by
 * `rng.choice(…, replace=False)` (a permutation), as scikit-learn breaks ties.
 */
export function approximateMode(counts: Int32Array, draws: number, rng: NumpyRandomState): Int32Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = Array.from(counts, (c) => (c / total) * draws);
  const floored = Int32Array.from(continuous, Math.floor);
  let needToAdd = draws - floored.reduce((a, b) => a + b, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((x, y) => y - x);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, needToAdd);
      const picked = rng.permutation(inds.length).subarray(0, addNow);
      for (const p of picked) floored[inds[p]!]!++;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * The stratified train/test split of scikit-learn's `train_test_split(…, test_size, stratify=y, random_state=seed)`
 * (StratifiedShuffleSplit, numpy's legacy RandomState), row for row: n_test = ceil(test_size · n); the per-class
 * train and test counts by `approximateMode`; each class's rows (in row order) permuted, the first n_i to train and
 * the next t_i to test. So the same data and seed give the predecessor's split, and results compare with its own.
 */
export function stratifiedTrainTestSplit(
  y: Int32Array,
  nClasses: number,
  testSize: number,
  seed: number,
): TrainTestSplit {
  const n = y.length;
  const nTest = Math.ceil(testSize * n);
  const nTrain = n - nTest;
  if (nTest < nClasses || nTrain < nClasses)
    throw new InputError(
      `data.test_size ${testSize}: ${n} rows give ${nTest} test and ${nTrain} training rows, too few for ${nClasses} classes`,
    );
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new InputError(`data.random_state ${seed}: must be an integer in [0, 2^32 - 1]`);
  const rng = new NumpyRandomState(seed);
  const counts = classCounts(y, nClasses);
  // scikit-learn sizes the classes present in y (np.unique): absent classes take no rows and no draws
  const present = Array.from(counts.keys()).filter((c) => counts[c]! > 0);
  const presentCounts = Int32Array.from(present, (c) => counts[c]!);
  const trainCounts = approximateMode(presentCounts, nTrain, rng);
  const testCounts = approximateMode(
    presentCounts.map((c, i) => c - trainCounts[i]!),
    nTest,
    rng,
  );
  const byClass = rowsByClass(y, nClasses);
  const isTest = new Uint8Array(n);
  present.forEach((c, i) => {
    const rows = byClass[c]!;
    const order = rng.permutation(rows.length);
    for (let k = trainCounts[i]!; k < trainCounts[i]! + testCounts[i]!; k++) isTest[rows[order[k]!]!] = 1;
  });
  const test = new Int32Array(nTest);
  const train = new Int32Array(nTrain);
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

/**
 * A stratified random sample of at most `maxRows` of `rows` (indices into `y`), ascending: each class keeps its
 * share of the sample (floored, the rows still missing to the classes with the largest remainders, ties to the
 * lower class; `minPerClass` raises a rare class to that many), drawn without replacement by `rng`. At or under the cap the rows come back unchanged (same array)
 * and the rng is not touched, so an uncapped run is exactly the run without sampling.
 */
export function stratifiedSample(
  y: ArrayLike<number>,
  rows: Int32Array,
  nClasses: number,
  maxRows: number,
  rng: SeededRng,
  minPerClass = 0,
): Int32Array {
  if (rows.length <= maxRows) return rows;
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < rows.length; i++) byClass[y[rows[i]!]!]!.push(rows[i]!);
  const exact = byClass.map((r) => (r.length * maxRows) / rows.length);
  // a rare class keeps at least min(its rows, minPerClass) rows (so CV folds still hold it), at the others' cost
  const take = exact.map((e, c) => Math.max(Math.floor(e), Math.min(byClass[c]!.length, minPerClass)));
  let missing = maxRows - take.reduce((a, b) => a + b, 0);
  const floor = (c: number) => Math.min(byClass[c]!.length, minPerClass);
  while (missing < 0) {
    // over the cap through the minimum: one row back from the class furthest above its floor
    let from = -1;
    for (let c = 0; c < nClasses; c++)
      if (take[c]! > floor(c) && (from < 0 || take[c]! - floor(c) > take[from]! - floor(from))) from = c;
    if (from < 0) break;
    take[from]!--;
    missing++;
  }
  const order = exact.map((e, c) => ({ c, rem: e - take[c]! })).sort((a, b) => b.rem - a.rem || a.c - b.c);
  for (const { c } of order) {
    if (missing === 0) break;
    if (take[c]! < byClass[c]!.length) {
      take[c]!++;
      missing--;
    }
  }
  const out = new Int32Array(take.reduce((a, b) => a + b, 0));
  let n = 0;
  byClass.forEach((members, c) => {
    // partial Fisher–Yates: the first take[c] positions become a uniform sample of the class
    for (let i = 0; i < take[c]!; i++) {
      const j = i + rng.int(members.length - i);
      const tmp = members[i]!;
      members[i] = members[j]!;
      members[j] = tmp;
      out[n++] = members[i]!;
    }
  });
  return out.sort();
}
