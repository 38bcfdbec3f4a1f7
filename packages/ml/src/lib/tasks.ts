/**
 * The units of training work, run in worker threads or in process by the same function: a CV fit (fit on the
 * other folds, score the held-out fold), a refit on the whole training split, and permutation importances on a
 * held-out fold. Each fit builds its own preprocessing from its own training rows (no leakage from the held-out
 * rows) and every score goes through the predictor @mlops/model builds from the fitted ModelJson.
 */
import { SeededRng } from '@mlops/core';
import {
  Preprocessor,
  fitPreprocessing,
  predictorFromJson,
  selectRows,
  type FeatureSpec,
  type ModelJson,
  type PreprocessingJson,
  type RawBatch,
} from '@mlops/model';
import { SOFT_VOTING, learnerFor, type HyperParams } from './learners/index.js';
import { argmaxRows, score, type Scoring } from './metrics.js';
import { foldRows } from './split.js';

/** What every task reads: the training split, its labels and its fold assignment. */
export interface SharedData {
  readonly spec: FeatureSpec;
  readonly batch: RawBatch;
  readonly y: Int32Array;
  readonly nClasses: number;
  /** Fold of each training row. */
  readonly folds: Int32Array;
  readonly seed: number;
  /** params preprocessing.scale_features: standard-scale the numerics (else only impute them). */
  readonly scale: boolean;
}

/** A member of the soft-voting ensemble: a model key and its hyper-parameters. */
export interface EnsembleMember {
  readonly key: string;
  readonly hyper: HyperParams;
}

/**
 * A fold model and the preprocessing fitted with it (the same rows), as a CV task returns it on request. The model
 * travels and waits as its JSON text: a third of the memory of the parsed arrays, and one copy per thread hop.
 */
export interface FittedFold {
  readonly modelText: string;
  /** The model's input width (after preprocessing: one-hot columns included). */
  readonly nFeatures: number;
  readonly preprocessing: PreprocessingJson;
}

export type Task = (
  | {
      readonly kind: 'cv';
      readonly key: string;
      readonly hyper: HyperParams;
      readonly fold: number;
      /** Return the fold model too (for the permutation importances, which then need no second fit). */
      readonly keepModel?: boolean;
    }
  | { readonly kind: 'refit'; readonly key: string; readonly hyper: HyperParams }
  | {
      readonly kind: 'importance';
      readonly key: string;
      readonly hyper: HyperParams;
      readonly fold: number;
      readonly repeats: number;
      readonly scoring: Scoring;
      /** The fold's model from cross-validation: the same fit this task would make (same rows and seed). */
      readonly fitted?: FittedFold;
    }
) & {
  /** The ensemble's members when key is SoftVoting: each is fitted as its own task would fit it. */
  readonly members?: readonly EnsembleMember[];
};

export interface CvResult {
  readonly kind: 'cv';
  /** Probabilities of the held-out rows (in row order), rows × nClasses. */
  readonly proba: Float64Array;
  readonly fitSeconds: number;
  /** With keepModel: the fold model and its preprocessing. */
  readonly fitted?: FittedFold;
}

export interface RefitResult {
  readonly kind: 'refit';
  readonly model: ModelJson;
  readonly preprocessing: PreprocessingJson;
  readonly fitSeconds: number;
}

export interface ImportanceResult {
  readonly kind: 'importance';
  /** Score drop per feature (numeric inputs, derived, categoricals) and repeat. */
  readonly drops: number[][];
  readonly baseline: number;
}

export type TaskResult = CvResult | RefitResult | ImportanceResult;

/** The seed of a fit: the model's own random_state when it has one, else training's, mixed with the fold. */
export function fitSeed(shared: SharedData, hyper: HyperParams, fold: number): number {
  const base = typeof hyper['random_state'] === 'number' ? hyper['random_state'] : shared.seed;
  return (base + Math.imul(fold + 1, 0x9e3779b1)) | 0;
}

function fitOn(
  shared: SharedData,
  rows: Int32Array,
  task: Task,
  fold: number,
  onProgress?: (fraction: number) => void,
) {
  const sub = selectRows(shared.batch, rows);
  const preprocessing = fitPreprocessing(sub, shared.spec, { scale: shared.scale });
  const pre = new Preprocessor(preprocessing);
  const x = pre.transform(sub);
  const y = Int32Array.from(rows, (r) => shared.y[r]!);
  const members = task.key === SOFT_VOTING ? (task.members ?? []).length : 1;
  let fitted = 0;
  const fit = (key: string, hyper: HyperParams) => {
    const base = fitted++;
    return learnerFor(key, hyper).fit(
      { x, y, nClasses: shared.nClasses },
      {
        rng: new SeededRng(fitSeed(shared, hyper, fold)),
        ...(onProgress ? { onProgress: (f: number) => onProgress((base + f) / members) } : {}),
      },
    );
  };
  const start = process.hrtime.bigint();
  let model: ModelJson;
  if (task.key === SOFT_VOTING) {
    // every member with the seed its own task uses: the same fold models as the members' CV
    const members = task.members ?? [];
    if (members.length === 0) throw new Error(`${SOFT_VOTING}: a task without members`);
    model = {
      kind: 'soft_voting',
      nFeatures: x.cols,
      nClasses: shared.nClasses,
      weights: members.map(() => 1),
      members: members.map((m) => fit(m.key, m.hyper)),
    };
  } else {
    model = fit(task.key, task.hyper);
  }
  const fitSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { model, preprocessing, pre, fitSeconds };
}

export function runTask(
  shared: SharedData,
  task: Task,
  onProgress?: (fraction: number) => void,
): TaskResult {
  if (task.kind === 'refit') {
    // every row in order: selectRows hands back the shared batch itself, no copy
    const all = Int32Array.from({ length: shared.batch.rows }, (_, i) => i);
    const { model, preprocessing, fitSeconds } = fitOn(shared, all, task, -1, onProgress);
    return { kind: 'refit', model, preprocessing, fitSeconds };
  }
  const { train, valid } = foldRows(shared.folds, task.fold);
  const given = task.kind === 'importance' ? task.fitted : undefined;
  const { model, preprocessing, pre, fitSeconds } = given
    ? {
        model: JSON.parse(given.modelText) as ModelJson,
        preprocessing: given.preprocessing,
        pre: new Preprocessor(given.preprocessing),
        fitSeconds: 0,
      }
    : fitOn(shared, train, task, task.fold, onProgress);
  const predictor = predictorFromJson(model);
  const validBatch = selectRows(shared.batch, valid);
  if (task.kind === 'cv') {
    const proba = predictor.predictProba(pre.transform(validBatch));
    const fitted = task.keepModel
      ? { modelText: JSON.stringify(model), nFeatures: model.nFeatures, preprocessing }
      : undefined;
    return { kind: 'cv', proba, fitSeconds, ...(fitted ? { fitted } : {}) };
  }
  // permutation importance: shuffle one feature's values among the held-out rows, re-score, record the drop
  const k = shared.nClasses;
  const yValid = Int32Array.from(valid, (r) => shared.y[r]!);
  const baseProba = predictor.predictProba(pre.transform(validBatch));
  const baseline = score(task.scoring, yValid, argmaxRows(baseProba, k), k);
  // Every predictor scores rows independently, so only the rows a shuffle changed are predicted again (a
  // shuffled category often lands on the same value): the same probabilities as predicting every row.
  const proba = new Float64Array(baseProba.length);
  const changed = new Int32Array(validBatch.rows);
  const scoreOf = (b: RawBatch, nChanged: number) => {
    proba.set(baseProba);
    if (nChanged > 0) {
      const rows = changed.subarray(0, nChanged);
      const p = predictor.predictProba(pre.transform(selectRows(b, rows)));
      for (let i = 0; i < nChanged; i++) proba.set(p.subarray(i * k, i * k + k), rows[i]! * k);
    }
    return score(task.scoring, yValid, argmaxRows(proba, k), k);
  };
  const rng = new SeededRng(fitSeed(shared, task.hyper, task.fold) ^ 0x5bd1e995);
  const drops: number[][] = [];
  const shuffled: RawBatch = {
    ...validBatch,
    numeric: validBatch.numeric.slice(),
    categorical: validBatch.categorical.slice(),
  };
  const n = validBatch.rows;
  const columns: { values: Float64Array | Int32Array; stride: number; at: number }[] = [
    ...Array.from({ length: validBatch.numericWidth }, (_, j) => ({
      values: shuffled.numeric,
      stride: validBatch.numericWidth,
      at: j,
    })),
    ...Array.from({ length: validBatch.categoricalWidth }, (_, j) => ({
      values: shuffled.categorical,
      stride: validBatch.categoricalWidth,
      at: j,
    })),
  ];
  const original = (c: (typeof columns)[number]) =>
    c.values === shuffled.numeric ? validBatch.numeric : validBatch.categorical;
  for (const column of columns) {
    const row: number[] = [];
    const source = original(column);
    for (let rep = 0; rep < task.repeats; rep++) {
      const perm = rng.permutation(n);
      let nChanged = 0;
      for (let i = 0; i < n; i++) {
        const v = source[perm[i]! * column.stride + column.at]!;
        column.values[i * column.stride + column.at] = v;
        if (!Object.is(v, source[i * column.stride + column.at]!)) changed[nChanged++] = i;
      }
      row.push(baseline - scoreOf(shuffled, nChanged));
    }
    // restore the column before the next feature
    for (let i = 0; i < n; i++)
      column.values[i * column.stride + column.at] = source[i * column.stride + column.at]!;
    drops.push(row);
  }
  return { kind: 'importance', drops, baseline };
}
