/**
 * Inference for kind "svm": a one-vs-one support vector machine (the predecessor's scikit-learn SVC is one-vs-one
 * too) with probability estimates as libsvm makes them: each pair's decision value goes through that pair's Platt
 * sigmoid, and the pairwise probabilities are coupled into one distribution (Wu, Lin and Weng 2004, libsvm's
 * `multiclass_probability`). Plain TypeScript, no training library: the ml stage fits, this file only reads JSON.
 *
 * JSON fields (besides kind, nFeatures, nClasses):
 *   kernel          "linear" | "rbf"
 *   gamma           RBF width, exp(-gamma · |x - sv|²) (ignored for linear; stored as 0)
 *   classes         the class indices that had training rows (ascending); the others get probability 0
 *   pairs[]         one per pair of present classes a < b: { a, b, probA, probB, bias, weights? | sv?, coef? }
 *                   decision f(x) = w·x + bias (linear) or Σ coef_i · K(sv_i, x) + bias (rbf); f > 0 favours a;
 *                   P(a | a or b) = 1 / (1 + exp(probA · f + probB))
 *   supportVectors  rbf only: the support vectors, row-major, nFeatures values each; pairs index into them
 */
import type { Matrix, ModelJson, Predictor, PredictorFactory } from '../types.js';

export interface SvmPairJson {
  readonly a: number;
  readonly b: number;
  readonly probA: number;
  readonly probB: number;
  readonly bias: number;
  /** Linear kernel: the weight vector, nFeatures values. */
  readonly weights?: readonly number[];
  /** RBF kernel: indices into supportVectors. */
  readonly sv?: readonly number[];
  /** RBF kernel: the dual coefficient (alpha · label) of each support vector in `sv`. */
  readonly coef?: readonly number[];
}

export interface SvmModelJson extends ModelJson {
  readonly kind: 'svm';
  readonly kernel: 'linear' | 'rbf';
  readonly gamma: number;
  readonly classes: readonly number[];
  readonly pairs: readonly SvmPairJson[];
  readonly supportVectors: readonly number[];
}

/** Pairwise probabilities are clamped away from 0 and 1, as libsvm does, so the coupling stays well posed. */
const MIN_PROB = 1e-7;

/** P(positive | f) of a Platt sigmoid, written to avoid overflow for large |A·f + B| (libsvm's form). */
export function plattProbability(decision: number, probA: number, probB: number): number {
  const fApB = decision * probA + probB;
  return fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
}

/**
 * Couples pairwise probabilities r[i·k + j] = P(i | i or j) (k classes, r[j·k + i] = 1 - r[i·k + j]) into p, a
 * distribution over the k classes (libsvm's `multiclass_probability`). `q` and `qp` are scratch space (k·k and k).
 */
export function coupleProbabilities(
  k: number,
  r: Float64Array,
  p: Float64Array,
  q: Float64Array,
  qp: Float64Array,
): void {
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    let diag = 0;
    for (let j = 0; j < k; j++) {
      if (j === t) continue;
      diag += r[j * k + t]! * r[j * k + t]!;
      q[t * k + j] = -r[j * k + t]! * r[t * k + j]!;
    }
    q[t * k + t] = diag;
  }
  const maxIter = Math.max(100, k);
  const eps = 0.005 / k;
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += q[t * k + j]! * p[j]!;
      qp[t] = s;
      pQp += p[t]! * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(qp[t]! - pQp));
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const qtt = q[t * k + t]!;
      const diff = (-qp[t]! + pQp) / qtt;
      p[t] = p[t]! + diff;
      pQp = (pQp + diff * (diff * qtt + 2 * qp[t]!)) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        qp[j] = (qp[j]! + diff * q[t * k + j]!) / (1 + diff);
        p[j] = p[j]! / (1 + diff);
      }
    }
  }
}

function fail(field: string, what: string): never {
  throw new Error(`svm model: field "${field}" ${what}`);
}

function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'must be a finite number');
  return value;
}

function intIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function numberArray(value: unknown, field: string, length?: number): Float64Array {
  if (!Array.isArray(value)) fail(field, 'must be an array of numbers');
  if (length !== undefined && value.length !== length)
    fail(field, `must hold ${length} numbers, found ${value.length}`);
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = finiteNumber(value[i], `${field}[${i}]`);
  return out;
}

interface Pair {
  a: number; // position of class a in `classes`
  b: number;
  probA: number;
  probB: number;
  bias: number;
  weights: Float64Array; // linear
  sv: Int32Array; // rbf
  coef: Float64Array; // rbf
}

export const svmPredictor: PredictorFactory = (json: ModelJson): Predictor => {
  if (json.kind !== 'svm') fail('kind', `must be "svm", found ${JSON.stringify(json.kind)}`);
  const nFeatures = intIn(json.nFeatures, 'nFeatures', 1, 2 ** 31);
  const nClasses = intIn(json.nClasses, 'nClasses', 2, 2 ** 16);
  const kernel = json['kernel'];
  if (kernel !== 'linear' && kernel !== 'rbf') fail('kernel', 'must be "linear" or "rbf"');
  const gamma = finiteNumber(json['gamma'], 'gamma');
  if (kernel === 'rbf' && !(gamma > 0)) fail('gamma', 'must be positive for the rbf kernel');
  const classesRaw = json['classes'];
  if (!Array.isArray(classesRaw) || classesRaw.length < 2)
    fail('classes', 'must list at least 2 class indices');
  const classes = Int32Array.from(classesRaw, (c, i) => intIn(c, `classes[${i}]`, 0, nClasses - 1));
  for (let i = 1; i < classes.length; i++)
    if (classes[i]! <= classes[i - 1]!) fail('classes', 'must be ascending');
  const k = classes.length;
  const position = new Map<number, number>();
  classes.forEach((c, i) => position.set(c, i));

  const supportVectors =
    kernel === 'rbf' ? numberArray(json['supportVectors'], 'supportVectors') : new Float64Array();
  if (supportVectors.length % nFeatures !== 0)
    fail('supportVectors', `length must be a multiple of ${nFeatures}`);
  const nSv = supportVectors.length / nFeatures;

  const pairsRaw = json['pairs'];
  if (!Array.isArray(pairsRaw) || pairsRaw.length !== (k * (k - 1)) / 2) {
    fail('pairs', `must hold ${(k * (k - 1)) / 2} pairs for ${k} classes`);
  }
  const pairs: Pair[] = pairsRaw.map((raw: unknown, i: number): Pair => {
    const field = `pairs[${i}]`;
    if (raw === null || typeof raw !== 'object') fail(field, 'must be an object');
    const p = raw as Record<string, unknown>;
    const a = position.get(intIn(p['a'], `${field}.a`, 0, nClasses - 1));
    const b = position.get(intIn(p['b'], `${field}.b`, 0, nClasses - 1));
    if (a === undefined || b === undefined || a >= b) fail(field, 'must name two listed classes, a < b');
    const pair: Pair = {
      a,
      b,
      probA: finiteNumber(p['probA'], `${field}.probA`),
      probB: finiteNumber(p['probB'], `${field}.probB`),
      bias: finiteNumber(p['bias'], `${field}.bias`),
      weights: new Float64Array(),
      sv: new Int32Array(),
      coef: new Float64Array(),
    };
    if (kernel === 'linear') {
      pair.weights = numberArray(p['weights'], `${field}.weights`, nFeatures);
    } else {
      const sv = p['sv'];
      if (!Array.isArray(sv)) fail(`${field}.sv`, 'must be an array of support vector indices');
      pair.sv = Int32Array.from(sv, (s, j) => intIn(s, `${field}.sv[${j}]`, 0, nSv - 1));
      pair.coef = numberArray(p['coef'], `${field}.coef`, sv.length);
    }
    return pair;
  });
  // Each pair of present classes exactly once, so the coupling sees a complete pairwise matrix.
  const seen = new Set(pairs.map((p) => p.a * k + p.b));
  if (seen.size !== pairs.length) fail('pairs', 'must hold each pair of classes once');

  // Scratch space reused for every row: prediction allocates nothing per row.
  const kernelValues = new Float64Array(nSv);
  const r = new Float64Array(k * k);
  const p = new Float64Array(k);
  const q = new Float64Array(k * k);
  const qp = new Float64Array(k);

  return {
    kind: 'svm',
    nFeatures,
    nClasses,
    predictProba(x: Matrix, out?: Float64Array): Float64Array {
      if (x.cols !== nFeatures)
        throw new Error(`svm: input has ${x.cols} columns, the model expects ${nFeatures}`);
      const result = out ?? new Float64Array(x.rows * nClasses);
      const data = x.data;
      for (let row = 0; row < x.rows; row++) {
        const offset = row * nFeatures;
        if (kernel === 'rbf') {
          for (let s = 0; s < nSv; s++) {
            let d2 = 0;
            const so = s * nFeatures;
            for (let j = 0; j < nFeatures; j++) {
              const diff = data[offset + j]! - supportVectors[so + j]!;
              d2 += diff * diff;
            }
            kernelValues[s] = Math.exp(-gamma * d2);
          }
        }
        for (const pair of pairs) {
          let f = pair.bias;
          if (kernel === 'linear') {
            const w = pair.weights;
            for (let j = 0; j < nFeatures; j++) f += w[j]! * data[offset + j]!;
          } else {
            const sv = pair.sv;
            const coef = pair.coef;
            for (let s = 0; s < sv.length; s++) f += coef[s]! * kernelValues[sv[s]!]!;
          }
          const pa = Math.min(Math.max(plattProbability(f, pair.probA, pair.probB), MIN_PROB), 1 - MIN_PROB);
          r[pair.a * k + pair.b] = pa;
          r[pair.b * k + pair.a] = 1 - pa;
        }
        coupleProbabilities(k, r, p, q, qp);
        const base = row * nClasses;
        for (let c = 0; c < nClasses; c++) result[base + c] = 0;
        let total = 0;
        for (let t = 0; t < k; t++) total += Math.max(p[t]!, 0);
        for (let t = 0; t < k; t++) result[base + classes[t]!] = Math.max(p[t]!, 0) / total;
      }
      return result;
    },
  };
};
