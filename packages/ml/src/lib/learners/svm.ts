/**
 * The predecessor's support vector machine (scikit-learn SVC: one-vs-one, hinge loss, kernel linear, C 1.0), with
 * the probability estimates it lacked, on typed arrays and with no training library.
 *
 * - Each pair of classes gets a binary C-SVM solved in the dual by coordinate descent (Hsieh et al. 2008, the
 *   liblinear solver; for the rbf kernel the same updates over a precomputed kernel matrix). The bias is learned as
 *   the weight of a constant feature 1 (kernel + 1), which regularises it slightly: no equality constraint, so the
 *   one-variable updates are exact.
 * - Probabilities as libsvm makes them: each pair's Platt sigmoid is fitted on decision values of rows held out by an
 *   internal stratified k-fold CV (never on the rows a model saw, which would make it over-confident), then the
 *   pairwise probabilities are coupled into one distribution at prediction time (see @mlops/model's svm predictor).
 * - Randomness (row order of each pass, calibration folds) comes only from the FitContext rng: same seed, same model.
 * - Bounded work: past `max_rows` training rows the fit uses a stratified random sample of that many (drawn from
 *   the rng before anything else), as large-data SVM practice does (the dual solver needs more passes as rows grow,
 *   so its time grows faster than the rows; scikit-learn's SVC docs advise sampling or a linear model past ~10k
 *   rows). Up to the cap (the real data) every row is used and the rng sequence is the one without the cap.
 *
 * Why not libsvm-js 0.2.1 (libsvm 3.22 built to wasm in 2018; it installs from the registry and runs offline): on the
 * real clean data and the same stratified 80/20 split both reach test accuracy 0.93 with probabilities (libsvm-js
 * 0.9302, this solver 0.9279: one row) in comparable fit time (side by side on a loaded 2-core machine: 0.64-1.32 s
 * here, 0.92-1.53 s there), but libsvm-js only loads asynchronously (Learner.fit is synchronous), draws its
 * calibration folds from C's rand() rather than our seeded rng, and its model would have to be decoded from libsvm's
 * text format for inference without it.
 */
import { InputError, type Params, type SeededRng } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { stratifiedSample } from '../split.js';

/** params models.svm; max_rows may be absent (hyper-parameters written before it existed: no cap). */
export type SvmParams = Omit<Params['models']['svm'], 'max_rows'> & { readonly max_rows?: number };

/** The rbf kernel keeps an n × n matrix per pair of classes; past this many rows in a pair it would not fit. */
const MAX_KERNEL_ROWS = 20_000;

interface BinaryProblem {
  /** Row indices (into the design matrix) of the pair's rows. */
  readonly rows: Int32Array;
  /** +1 for the pair's first class, -1 for the second. */
  readonly label: Float64Array;
  /** Per-row upper bound of the dual variable: C × sample weight. */
  readonly upper: Float64Array;
}

interface SolverOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly rng: SeededRng;
}

/** Fisher–Yates shuffle of order[0..size) from the rng (the solvers shuffle only their active prefix). */
function shufflePrefix(order: Int32Array, size: number, rng: SeededRng): void {
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
}

/**
 * Linear dual coordinate descent on the positions `active` of `problem` (all of them when fitting, the training
 * folds during calibration), with liblinear's shrinking: a variable stuck at a bound whose gradient points outward
 * past the previous pass's extreme projected gradients leaves the active set, and the full set is checked once more
 * before stopping. Returns the weights, the bias last (nFeatures + 1 values).
 */
function solveLinear(
  x: Float64Array,
  p: number,
  problem: BinaryProblem,
  active: Int32Array,
  options: SolverOptions,
): Float64Array {
  const n = active.length;
  const w = new Float64Array(p + 1);
  const alpha = new Float64Array(n);
  const qii = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const o = problem.rows[active[t]!]! * p;
    let s = 1; // the constant bias feature
    for (let j = 0; j < p; j++) s += x[o + j]! * x[o + j]!;
    qii[t] = s;
  }
  const order = new Int32Array(n);
  for (let t = 0; t < n; t++) order[t] = t;
  let activeSize = n;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  for (let iter = 0; iter < options.maxIter; iter++) {
    shufflePrefix(order, activeSize, options.rng);
    let maxPg = -Infinity;
    let minPg = Infinity;
    for (let k = 0; k < activeSize; k++) {
      const t = order[k]!;
      const pos = active[t]!;
      const o = problem.rows[pos]! * p;
      const yi = problem.label[pos]!;
      const c = problem.upper[pos]!;
      let f = w[p]!;
      for (let j = 0; j < p; j++) f += w[j]! * x[o + j]!;
      const g = yi * f - 1;
      const a = alpha[t]!;
      let pg = 0;
      if (a === 0) {
        if (g > pgMaxOld) {
          activeSize--;
          order[k] = order[activeSize]!;
          order[activeSize] = t;
          k--;
          continue;
        }
        if (g < 0) pg = g;
      } else if (a >= c) {
        if (g < pgMinOld) {
          activeSize--;
          order[k] = order[activeSize]!;
          order[activeSize] = t;
          k--;
          continue;
        }
        if (g > 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > maxPg) maxPg = pg;
      if (pg < minPg) minPg = pg;
      if (Math.abs(pg) > 1e-12) {
        const next = Math.min(Math.max(a - g / qii[t]!, 0), c);
        const step = (next - a) * yi;
        alpha[t] = next;
        if (step !== 0) {
          for (let j = 0; j < p; j++) w[j] = w[j]! + step * x[o + j]!;
          w[p] = w[p]! + step;
        }
      }
    }
    if (maxPg - minPg <= options.tol) {
      if (activeSize === n) break;
      // Converged on the active set: check every variable once more before stopping.
      activeSize = n;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = maxPg <= 0 ? Infinity : maxPg;
    pgMinOld = minPg >= 0 ? -Infinity : minPg;
  }
  return w;
}

/**
 * Kernel dual coordinate descent on the positions `active`, over the pair's kernel matrix `kernel` (m × m, already
 * + 1 for the bias). Returns alpha over `active`.
 */
function solveKernel(
  kernel: Float64Array,
  m: number,
  problem: BinaryProblem,
  active: Int32Array,
  options: SolverOptions,
): Float64Array {
  const n = active.length;
  const alpha = new Float64Array(n);
  const grad = new Float64Array(n).fill(-1); // y_i (Q alpha)_i - 1 with alpha = 0
  const order = new Int32Array(n);
  for (let t = 0; t < n; t++) order[t] = t;
  for (let iter = 0; iter < options.maxIter; iter++) {
    shufflePrefix(order, n, options.rng);
    let maxPg = -Infinity;
    let minPg = Infinity;
    for (let k = 0; k < n; k++) {
      const t = order[k]!;
      const pos = active[t]!;
      const yi = problem.label[pos]!;
      const c = problem.upper[pos]!;
      const g = grad[t]!;
      const a = alpha[t]!;
      let pg = g;
      if (a === 0) pg = Math.min(g, 0);
      else if (a >= c) pg = Math.max(g, 0);
      if (pg > maxPg) maxPg = pg;
      if (pg < minPg) minPg = pg;
      if (pg === 0) continue;
      const next = Math.min(Math.max(a - g / kernel[pos * m + pos]!, 0), c);
      const delta = next - a;
      if (delta === 0) continue;
      alpha[t] = next;
      const row = pos * m;
      for (let s = 0; s < n; s++) {
        const other = active[s]!;
        grad[s] = grad[s]! + delta * yi * problem.label[other]! * kernel[row + other]!;
      }
    }
    if (maxPg - minPg < options.tol) break;
  }
  return alpha;
}

/**
 * Platt's sigmoid P(+1 | f) = 1 / (1 + exp(A f + B)) by Newton's method with backtracking, on smoothed targets
 * (Lin, Lin and Weng 2007; libsvm's `sigmoid_train`). Rows count with their sample weight (as scikit-learn's
 * calibration does), so class balancing shapes the probabilities as it shapes the decision. Returns [A, B].
 */
export function fitPlattSigmoid(
  decision: Float64Array,
  label: Float64Array,
  weight?: Float64Array,
): [number, number] {
  const n = decision.length;
  const wt = (i: number): number => (weight ? weight[i]! : 1);
  let prior1 = 0;
  let prior0 = 0;
  for (let i = 0; i < n; i++) {
    if (label[i]! > 0) prior1 += wt(i);
    else prior0 += wt(i);
  }
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) target[i] = label[i]! > 0 ? hiTarget : loTarget;
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const fApB = decision[i]! * a + b;
      f +=
        wt(i) *
        (fApB >= 0
          ? target[i]! * fApB + Math.log1p(Math.exp(-fApB))
          : (target[i]! - 1) * fApB + Math.log1p(Math.exp(fApB)));
    }
    return f;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let fval = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const fApB = decision[i]! * a + b;
      let p: number;
      let q: number;
      if (fApB >= 0) {
        const e = Math.exp(-fApB);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(fApB);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = wt(i) * p * q;
      const di = decision[i]!;
      h11 += di * di * d2;
      h22 += d2;
      h21 += di * d2;
      const d1 = wt(i) * (target[i]! - p);
      g1 += di * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= 1e-10) {
      const na = a + step * dA;
      const nb = b + step * dB;
      const nf = objective(na, nb);
      if (nf < fval + 0.0001 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10) break;
  }
  return [a, b];
}

/** scikit-learn's gamma "scale": 1 / (features × variance of every value of the matrix); 1 for a constant matrix. */
function scaleGamma(x: Float64Array, features: number): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  let variance = 0;
  for (let i = 0; i < x.length; i++) variance += (x[i]! - mean) ** 2;
  variance /= x.length;
  return variance > 0 ? 1 / (features * variance) : 1;
}

/** Stratified fold number (0..folds-1) of every position of a binary problem, shuffled by the rng. */
function stratifiedFolds(label: Float64Array, folds: number, rng: SeededRng): Int32Array {
  const fold = new Int32Array(label.length);
  for (const sign of [1, -1]) {
    const positions: number[] = [];
    for (let i = 0; i < label.length; i++) if (label[i] === sign) positions.push(i);
    rng.shuffle<number, number[]>(positions);
    positions.forEach((pos, k) => (fold[pos] = k % folds));
  }
  return fold;
}

function validate(data: FitData, params: SvmParams): void {
  const { x, y, nClasses } = data;
  if (x.data.length !== x.rows * x.cols)
    throw new InputError(`svm: the matrix holds ${x.data.length} values, not ${x.rows} × ${x.cols}`);
  if (y.length !== x.rows) throw new InputError(`svm: ${y.length} labels for ${x.rows} rows`);
  if (data.sampleWeight && data.sampleWeight.length !== x.rows) {
    throw new InputError(`svm: ${data.sampleWeight.length} sample weights for ${x.rows} rows`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!(y[i]! >= 0 && y[i]! < nClasses))
      throw new InputError(`svm: row ${i}: class index ${y[i]} outside 0..${nClasses - 1}`);
  }
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i]!)) {
      throw new InputError(
        `svm: row ${Math.floor(i / x.cols)}, column ${i % x.cols}: value is not a finite number`,
      );
    }
  }
  if (!(params.C > 0)) throw new InputError(`svm: models.svm.C must be positive, got ${params.C}`);
}

/** The rows of `data` a fit uses: all of them up to `maxRows` (hyper-parameters without the key: all), else a
 * stratified sample of `maxRows`, in row order. */
function capRows(data: FitData, maxRows: number | undefined, rng: SeededRng): FitData {
  if (maxRows === undefined || data.x.rows <= maxRows) return data;
  if (!Number.isInteger(maxRows) || maxRows < 2)
    throw new InputError(`svm: max_rows must be an integer >= 2, got ${maxRows}`);
  const { cols } = data.x;
  const all = Int32Array.from({ length: data.x.rows }, (_, i) => i);
  const keep = stratifiedSample(data.y, all, data.nClasses, maxRows, rng);
  const x = new Float64Array(keep.length * cols);
  keep.forEach((r, i) => x.set(data.x.data.subarray(r * cols, r * cols + cols), i * cols));
  const w = data.sampleWeight;
  return {
    x: { data: x, rows: keep.length, cols },
    y: Int32Array.from(keep, (r) => data.y[r]!),
    nClasses: data.nClasses,
    ...(w ? { sampleWeight: Float64Array.from(keep, (r) => w[r]!) } : {}),
  };
}

export function svmLearner(params: SvmParams): Learner {
  return {
    name: params.kernel === 'linear' ? 'SVM_Linear' : 'SVM_RBF',
    fit(input: FitData, context: FitContext): ModelJson {
      validate(input, params);
      const data = capRows(input, params.max_rows, context.rng);
      const { x, y, nClasses } = data;
      const p = x.cols;
      const counts = new Int32Array(nClasses);
      for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
      const classes: number[] = [];
      for (let c = 0; c < nClasses; c++) if (counts[c]! > 0) classes.push(c);
      if (classes.length < 2)
        throw new InputError(`svm: the training rows hold ${classes.length} class; 2 or more are needed`);
      const gamma =
        params.kernel === 'rbf' ? (params.gamma === 'scale' ? scaleGamma(x.data, p) : params.gamma) : 0;
      const options: SolverOptions = { tol: params.tol, maxIter: params.max_iter, rng: context.rng };

      const pairs: Record<string, unknown>[] = [];
      const svPool = new Map<number, number>(); // design-matrix row → position in the pool (rbf)
      const rbfPairs: { rows: Int32Array; coef: Float64Array }[] = [];
      const totalPairs = (classes.length * (classes.length - 1)) / 2;
      for (let ia = 0; ia < classes.length; ia++) {
        for (let ib = ia + 1; ib < classes.length; ib++) {
          const a = classes[ia]!;
          const b = classes[ib]!;
          const m = counts[a]! + counts[b]!;
          if (params.kernel === 'rbf' && m > MAX_KERNEL_ROWS) {
            throw new InputError(
              `svm: kernel rbf keeps a ${m} × ${m} matrix for classes ${a} and ${b}; use kernel linear past ${MAX_KERNEL_ROWS} rows a pair`,
            );
          }
          const rows = new Int32Array(m);
          const label = new Float64Array(m);
          const upper = new Float64Array(m);
          let k = 0;
          for (let i = 0; i < y.length; i++) {
            if (y[i] !== a && y[i] !== b) continue;
            rows[k] = i;
            label[k] = y[i] === a ? 1 : -1;
            upper[k] = params.C * (data.sampleWeight ? data.sampleWeight[i]! : 1);
            k++;
          }
          const problem: BinaryProblem = { rows, label, upper };
          let kernel: Float64Array | undefined;
          if (params.kernel === 'rbf') {
            kernel = new Float64Array(m * m);
            for (let s = 0; s < m; s++) {
              const os = rows[s]! * p;
              kernel[s * m + s] = 2;
              for (let t = s + 1; t < m; t++) {
                const ot = rows[t]! * p;
                let d2 = 0;
                for (let j = 0; j < p; j++) {
                  const diff = x.data[os + j]! - x.data[ot + j]!;
                  d2 += diff * diff;
                }
                const value = Math.exp(-gamma * d2) + 1;
                kernel[s * m + t] = value;
                kernel[t * m + s] = value;
              }
            }
          }
          // Decision value of position `pos` under a model fitted on `active` (weights or alpha).
          const fitOn = (active: Int32Array): ((pos: number) => number) => {
            if (kernel === undefined) {
              const w = solveLinear(x.data, p, problem, active, options);
              return (pos) => {
                const o = rows[pos]! * p;
                let f = w[p]!;
                for (let j = 0; j < p; j++) f += w[j]! * x.data[o + j]!;
                return f;
              };
            }
            const alpha = solveKernel(kernel, m, problem, active, options);
            return (pos) => {
              let f = 0;
              for (let t = 0; t < active.length; t++) {
                if (alpha[t] !== 0) f += alpha[t]! * label[active[t]!]! * kernel[pos * m + active[t]!]!;
              }
              return f;
            };
          };

          // Calibration: held-out decision values from an internal stratified CV. With fewer rows of a class than
          // two folds need, the sigmoid is fitted on the full model's own decision values (the best left).
          const folds = Math.min(params.calibration_folds, counts[a]!, counts[b]!);
          const decision = new Float64Array(m);
          if (folds >= 2) {
            const fold = stratifiedFolds(label, folds, context.rng);
            for (let f = 0; f < folds; f++) {
              const train: number[] = [];
              const held: number[] = [];
              for (let pos = 0; pos < m; pos++) (fold[pos] === f ? held : train).push(pos);
              const decide = fitOn(Int32Array.from(train));
              for (const pos of held) decision[pos] = decide(pos);
            }
          }
          const all = new Int32Array(m);
          for (let pos = 0; pos < m; pos++) all[pos] = pos;
          let pair: Record<string, unknown>;
          if (kernel === undefined) {
            const w = solveLinear(x.data, p, problem, all, options);
            if (folds < 2) {
              for (let pos = 0; pos < m; pos++) {
                const o = rows[pos]! * p;
                let f = w[p]!;
                for (let j = 0; j < p; j++) f += w[j]! * x.data[o + j]!;
                decision[pos] = f;
              }
            }
            pair = { a, b, bias: w[p]!, weights: Array.from(w.subarray(0, p)) };
          } else {
            const alpha = solveKernel(kernel, m, problem, all, options);
            if (folds < 2) {
              for (let pos = 0; pos < m; pos++) {
                let f = 0;
                for (let t = 0; t < m; t++) f += alpha[t]! * label[t]! * kernel[pos * m + t]!;
                decision[pos] = f;
              }
            }
            const svRows: number[] = [];
            const coef: number[] = [];
            let bias = 0;
            for (let t = 0; t < m; t++) {
              if (alpha[t] === 0) continue;
              svRows.push(rows[t]!);
              coef.push(alpha[t]! * label[t]!);
              bias += alpha[t]! * label[t]!; // the "+ 1" part of the kernel
              if (!svPool.has(rows[t]!)) svPool.set(rows[t]!, -1);
            }
            rbfPairs.push({ rows: Int32Array.from(svRows), coef: Float64Array.from(coef) });
            pair = { a, b, bias };
          }
          const [probA, probB] = fitPlattSigmoid(
            decision,
            label,
            data.sampleWeight ? Float64Array.from(rows, (row) => data.sampleWeight![row]!) : undefined,
          );
          pairs.push({ ...pair, probA, probB });
          context.onProgress?.(pairs.length / totalPairs);
        }
      }

      const supportVectors: number[] = [];
      if (params.kernel === 'rbf') {
        // Pool positions in row order, so the same fit always writes the same JSON.
        const poolRows = [...svPool.keys()].sort((r1, r2) => r1 - r2);
        poolRows.forEach((row, k) => {
          svPool.set(row, k);
          for (let j = 0; j < p; j++) supportVectors.push(x.data[row * p + j]!);
        });
        pairs.forEach((pair, k) => {
          const { rows, coef } = rbfPairs[k]!;
          pair['sv'] = Array.from(rows, (row) => svPool.get(row)!);
          pair['coef'] = Array.from(coef);
        });
      }
      return {
        kind: 'svm',
        nFeatures: p,
        nClasses,
        kernel: params.kernel,
        gamma,
        C: params.C,
        classes,
        pairs,
        supportVectors,
      };
    },
  };
}
