/**
 * Gradient-boosted trees (kind "gradient_boosting") on the shared histogram tree learner, following XGBoost's
 * multi:softprob: each round computes softmax probabilities p from the current margins, then grows one tree per
 * class k on g = w(p_k − [y = k]) and h = w·max(2p_k(1 − p_k), 1e-16) (XGBoost's hessian), with L2 λ, γ,
 * min_child_weight, row subsampling per tree (each row kept with probability `subsample`) and
 * ⌊colsample_bytree · F⌋ features per tree. The base margin is the same for every class, so it is 0 (softmax is
 * shift-invariant). Early stopping (on when early_stopping_rounds > 0 and validation_fraction > 0) holds out a
 * stratified slice of the fit data, tracks its multiclass log loss after every round and keeps the best round.
 */
import { InputError, type Params, type SeededRng } from '@mlops/core';
import type { ModelJson } from '@mlops/model';
import type { FitContext, FitData, Learner } from '../learner.js';
import { smote, smotePlan, type SmotePlan } from './smote.js';
import { binFeatures } from './trees/binning.js';
import { BoostTreeGrower } from './trees/boost-grower.js';
import { EnsembleBuilder } from './trees/ensemble.js';
import { checkFitData, checkNumber } from './trees/fit-data.js';

export type GradientBoostingParams = Params['models']['xgboost'];

/** Deeper trees than this are never useful on ≤ 255 bins per feature, and growth recurses once per level. */
const MAX_DEPTH = 64;
const WHO = 'xgboost';
/** The predecessor's XGBoost_SMOTE used SMOTE with k_neighbors 1 (its search space held only that value). */
export const SMOTE_K_NEIGHBORS = 1;
/** XGBoost's floor on the softmax hessian. */
const MIN_HESSIAN = 1e-16;

/** What a fit reports besides the model: rounds kept and the validation loss per round (early stopping only). */
export interface BoostingFitInfo {
  readonly rounds: number;
  readonly bestRound: number;
  readonly validationLoss: number[];
}

/** Settings that are not hyper-parameters of the predecessor (benchmarks and tests only). */
export interface GradientBoostingOptions {
  /** Bins per feature, 2..255 (default 255, as XGBoost's max_bin 256). */
  readonly maxBins?: number;
  /** SMOTE's k_neighbors when params.smote is on (default 1, the predecessor's only value). */
  readonly smoteKNeighbors?: number;
}

export function gradientBoostingLearner(
  params: GradientBoostingParams,
  options: GradientBoostingOptions = {},
): Learner & { lastFit?: BoostingFitInfo } {
  const isInt1 = (v: number) => Number.isInteger(v) && v >= 1;
  const nEstimators = checkNumber(WHO, 'n_estimators', params.n_estimators, isInt1, 'an integer >= 1');
  const maxDepth = checkNumber(
    WHO,
    'max_depth',
    params.max_depth,
    (v) => Number.isInteger(v) && v >= 1 && v <= MAX_DEPTH,
    `an integer in 1..${MAX_DEPTH}`,
  );
  const learningRate = checkNumber(WHO, 'learning_rate', params.learning_rate, (v) => v > 0, 'a number > 0');
  const subsample = checkNumber(WHO, 'subsample', params.subsample, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const colsample = checkNumber(
    WHO,
    'colsample_bytree',
    params.colsample_bytree,
    (v) => v > 0 && v <= 1,
    'in (0, 1]',
  );
  const minChildWeight = checkNumber(
    WHO,
    'min_child_weight',
    params.min_child_weight,
    (v) => v >= 0,
    'a number >= 0',
  );
  const lambda = checkNumber(WHO, 'reg_lambda', params.reg_lambda, (v) => v >= 0, 'a number >= 0');
  const gamma = checkNumber(WHO, 'gamma', params.gamma, (v) => v >= 0, 'a number >= 0');
  const esRounds = checkNumber(
    WHO,
    'early_stopping_rounds',
    params.early_stopping_rounds,
    (v) => Number.isInteger(v) && v >= 0,
    'an integer >= 0',
  );
  const validationFraction = checkNumber(
    WHO,
    'validation_fraction',
    params.validation_fraction,
    (v) => v >= 0 && v < 1,
    'in [0, 1)',
  );
  if (typeof params.smote !== 'boolean') throw new InputError(`${WHO}: smote must be true or false`);
  const useSmote = params.smote;
  const smoteK = options.smoteKNeighbors ?? SMOTE_K_NEIGHBORS;
  const earlyStopping = esRounds > 0 && validationFraction > 0;

  const learner: Learner & { lastFit?: BoostingFitInfo } = {
    name: useSmote ? 'XGBoost_SMOTE' : 'XGBoost_Simple',
    fit(input: FitData, context: FitContext): ModelJson {
      checkFitData(input, WHO);
      const { rng } = context;
      // The validation slice is held out before SMOTE, so no synthetic row is grown from a validation row.
      const { data, synthetic, train, validation } = prepareRows(
        input,
        earlyStopping ? validationFraction : 0,
        useSmote,
        rng,
        smoteK,
      );
      const { x, nClasses: K } = data;
      // SMOTE's synthetic rows (when not materialised) follow x's rows
      const y = synthetic?.y ?? data.y;
      const n = y.length;
      const F = x.cols;
      const weight = (synthetic ? synthetic.sampleWeight : data.sampleWeight) ?? new Float64Array(n).fill(1);

      const binned = binFeatures(x, train, options.maxBins, synthetic);
      const grower = new BoostTreeGrower(binned, { maxDepth, lambda, minChildWeight, gamma, learningRate });
      const out = new EnsembleBuilder(1);
      const margin = new Float64Array(n * K);
      const prob = new Float64Array(n * K);
      const grad = new Float64Array(n);
      const hess = new Float64Array(n);
      const rows = new Int32Array(train.length);
      const inSample = new Uint8Array(n);
      const featurePerm = range(F);
      const features = range(F);
      const nColumns = Math.max(1, Math.floor(colsample * F));
      // rng.bernoulli(p) is uint32 / 2^32 < p, i.e. uint32 < p · 2^32 (both scalings are exact): the same draws
      const keepBelow = subsample * 4294967296;
      const validationLoss: number[] = [];
      let bestLoss = Infinity;
      let bestRound = -1;
      let round = 0;

      for (; round < nEstimators; round++) {
        for (let t = 0; t < train.length; t++) softmaxRow(margin, prob, train[t]!, K);
        for (let k = 0; k < K; k++) {
          let count = 0;
          for (let t = 0; t < train.length; t++) {
            const r = train[t]!;
            const p = prob[r * K + k]!;
            const w = weight[r]!;
            grad[r] = w * (p - (y[r] === k ? 1 : 0));
            hess[r] = w * Math.max(2 * p * (1 - p), MIN_HESSIAN);
            const keep = w > 0 && (subsample >= 1 || rng.nextUint32() < keepBelow);
            inSample[r] = keep ? 1 : 0;
            if (keep) rows[count++] = r;
          }
          const nFeatures = colsample >= 1 ? F : sampleColumns(featurePerm, features, nColumns, rng);
          const root = out.nodeCount;
          grower.grow(rows, count, grad, hess, features, nFeatures, out);
          // margins: rows in the sample from their leaf's row range, every other row by walking the tree
          const { leafStart, leafEnd, leafWeight } = grower;
          for (let l = 0; l < leafStart.length; l++) {
            const w = leafWeight[l]!;
            for (let i = leafStart[l]!, end = leafEnd[l]!; i < end; i++) margin[rows[i]! * K + k] += w;
          }
          if (count < train.length) {
            for (let t = 0; t < train.length; t++) {
              const r = train[t]!;
              if (inSample[r] === 0) margin[r * K + k] += leafWeightOf(out, root, binned.bins, n, r);
            }
          }
          for (let v = 0; v < validation.length; v++) {
            const r = validation[v]!;
            margin[r * K + k] += leafWeightOf(out, root, binned.bins, n, r);
          }
        }
        context.onProgress?.((round + 1) / nEstimators);
        if (earlyStopping) {
          const loss = logLoss(margin, prob, validation, y, weight, K);
          validationLoss.push(loss);
          if (loss < bestLoss) {
            bestLoss = loss;
            bestRound = round;
          } else if (round - bestRound >= esRounds) {
            round++;
            break;
          }
        }
      }
      const rounds = earlyStopping ? bestRound + 1 : round;
      out.truncate(rounds * K);
      learner.lastFit = { rounds, bestRound: rounds - 1, validationLoss };
      context.onProgress?.(1);
      return {
        kind: 'gradient_boosting',
        nFeatures: F,
        nClasses: K,
        nTrees: rounds * K,
        baseScore: new Array<number>(K).fill(0),
        ...out.toJson(),
      };
    },
  };
  return learner;
}

/**
 * The rows a fit uses: with a validation fraction, a stratified hold-out; with SMOTE, the training rows oversampled.
 * Returns the (possibly new) data with the indices of its training and validation rows.
 */
function prepareRows(
  input: FitData,
  validationFraction: number,
  useSmote: boolean,
  rng: SeededRng,
  smoteK: number,
): { data: FitData; synthetic?: SmotePlan; train: Int32Array; validation: Int32Array } {
  if (validationFraction <= 0) {
    // SMOTE's rows stay a recipe that binning reads: no oversampled copy of the matrix
    const plan = useSmote ? smotePlan(input, { kNeighbors: smoteK, rng }) : undefined;
    const synthetic = plan && plan.base.length > 0 ? plan : undefined;
    const rows = input.x.rows + (synthetic?.base.length ?? 0);
    return {
      data: input,
      ...(synthetic ? { synthetic } : {}),
      train: range(rows),
      validation: new Int32Array(0),
    };
  }
  const split = stratifiedHoldout(input.y, input.nClasses, validationFraction, rng);
  if (!useSmote) return { data: input, ...split };
  const F = input.x.cols;
  const subset = (rows: Int32Array): FitData => {
    const data = new Float64Array(rows.length * F);
    rows.forEach((r, i) => data.set(input.x.data.subarray(r * F, r * F + F), i * F));
    return {
      x: { data, rows: rows.length, cols: F },
      y: Int32Array.from(rows, (r) => input.y[r]!),
      nClasses: input.nClasses,
      ...(input.sampleWeight
        ? { sampleWeight: Float64Array.from(rows, (r) => input.sampleWeight![r]!) }
        : {}),
    };
  };
  const oversampled = smote(subset(split.train), { kNeighbors: smoteK, rng });
  const held = subset(split.validation);
  const nTrain = oversampled.x.rows;
  const total = nTrain + held.x.rows;
  const x = new Float64Array(total * F);
  x.set(oversampled.x.data);
  x.set(held.x.data, nTrain * F);
  const y = new Int32Array(total);
  y.set(oversampled.y);
  y.set(held.y, nTrain);
  let sampleWeight: Float64Array | undefined;
  if (input.sampleWeight) {
    sampleWeight = new Float64Array(total);
    sampleWeight.set(oversampled.sampleWeight!);
    sampleWeight.set(held.sampleWeight!, nTrain);
  }
  const validation = new Int32Array(held.x.rows);
  for (let i = 0; i < validation.length; i++) validation[i] = nTrain + i;
  return {
    data: {
      x: { data: x, rows: total, cols: F },
      y,
      nClasses: input.nClasses,
      ...(sampleWeight ? { sampleWeight } : {}),
    },
    train: range(nTrain),
    validation,
  };
}

function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function leafWeightOf(out: EnsembleBuilder, root: number, bins: Uint8Array, n: number, row: number): number {
  return out.value[out.left[out.leafOfBinned(root, bins, n, row)]!]!;
}

/** Draws `count` features without replacement into features[0..count), in increasing order. */
function sampleColumns(perm: Int32Array, features: Int32Array, count: number, rng: SeededRng): number {
  const F = perm.length;
  for (let j = 0; j < count; j++) {
    const pick = j + rng.int(F - j);
    const f = perm[pick]!;
    perm[pick] = perm[j]!;
    perm[j] = f;
    features[j] = f;
  }
  // insertion sort (no allocation per tree): splits are then searched in feature order, ties to the lower index
  for (let a = 1; a < count; a++) {
    const v = features[a]!;
    let b = a - 1;
    while (b >= 0 && features[b]! > v) {
      features[b + 1] = features[b]!;
      b--;
    }
    features[b + 1] = v;
  }
  return count;
}

function softmaxRow(margin: Float64Array, prob: Float64Array, r: number, K: number): void {
  const base = r * K;
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (margin[base + k]! > max) max = margin[base + k]!;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(margin[base + k]! - max);
    prob[base + k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) prob[base + k]! /= sum;
}

/** Weighted multiclass log loss of `rows` (probabilities clipped at 1e-15, as scikit-learn and XGBoost do). */
function logLoss(
  margin: Float64Array,
  prob: Float64Array,
  rows: Int32Array,
  y: Int32Array,
  weight: Float64Array,
  K: number,
): number {
  let loss = 0;
  let total = 0;
  for (let v = 0; v < rows.length; v++) {
    const r = rows[v]!;
    softmaxRow(margin, prob, r, K);
    const p = Math.min(1 - 1e-15, Math.max(1e-15, prob[r * K + y[r]!]!));
    loss -= weight[r]! * Math.log(p);
    total += weight[r]!;
  }
  return total > 0 ? loss / total : 0;
}

/**
 * Stratified hold-out: from each class, ⌊fraction · n_k⌋ random rows (leaving at least one in training) form the
 * validation slice. Row order inside both slices is increasing, so the fit does not depend on the draw order.
 */
export function stratifiedHoldout(
  y: Int32Array,
  K: number,
  fraction: number,
  rng: SeededRng,
): { train: Int32Array; validation: Int32Array } {
  const isValidation = new Uint8Array(y.length);
  const byClass: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  let nValidation = 0;
  for (const members of byClass) {
    const take = Math.min(Math.floor(fraction * members.length), Math.max(0, members.length - 1));
    rng.shuffle<number, number[]>(members);
    for (let j = 0; j < take; j++) isValidation[members[j]!] = 1;
    nValidation += take;
  }
  if (nValidation === 0) {
    throw new InputError(
      `${WHO}: validation_fraction ${fraction} leaves no validation rows for early stopping on ${y.length} rows`,
    );
  }
  const train = new Int32Array(y.length - nValidation);
  const validation = new Int32Array(nValidation);
  for (let i = 0, t = 0, v = 0; i < y.length; i++) {
    if (isValidation[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
