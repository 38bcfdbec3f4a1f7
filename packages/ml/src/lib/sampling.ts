/**
 * What a training run computed on samples rather than on every row, in one record that the CV table, the model
 * comparison, the bundle and the log all carry: large data is handled by bounding the work that grows faster than
 * the rows (search, k-NN reference sets, SVM passes, SMOTE's neighbour search, metrics), never silently.
 */
import type { Params } from '@mlops/core';
import type { CandidateSpec } from './learners/index.js';
import { SMOTE_NEIGHBOUR_POOL } from './learners/smote.js';

export interface SamplingInfo {
  /** Rows of the training split; every refit uses all of them (except the per-model caps below). */
  readonly training_rows: number;
  readonly test_rows: number;
  /** training.search_max_rows, and the rows CV, random search and permutation importances ran on. */
  readonly search_max_rows: number;
  readonly search_rows: number;
  /** training.evaluation_max_rows, and the rows each model's train and test metrics were computed on. */
  readonly evaluation_max_rows: number;
  readonly train_rows_evaluated: number;
  readonly test_rows_evaluated: number;
  /** Training rows each model's refit (the one its test metrics come from) used: the chosen model every row; the
   * others, refit only for the comparison, the search sample. */
  readonly refit_rows: Readonly<Record<string, number>>;
  /** Per-model caps of the selected models: the rows a refit uses at most (k-NN: its reference set). */
  readonly model_caps: Readonly<Record<string, { readonly key: string; readonly max_rows: number }>>;
  /** True when any of the above may be below the rows available. */
  readonly sampled: boolean;
}

export function samplingInfo(
  params: Params,
  candidates: readonly CandidateSpec[],
  sizes: {
    readonly trainingRows: number;
    readonly searchRows: number;
    readonly testRows: number;
    readonly winner: string;
  },
): SamplingInfo {
  const t = params.training;
  const caps: Record<string, { key: string; max_rows: number }> = {};
  for (const c of candidates) {
    if (c.key === 'KNN')
      caps[c.key] = { key: 'models.knn.max_reference_rows', max_rows: params.models.knn.max_reference_rows };
    if (c.key === 'SVM_Linear')
      caps[c.key] = { key: 'models.svm.max_rows', max_rows: params.models.svm.max_rows };
    // SMOTE searches a class's neighbours among at most this many of its rows (a constant of the learner)
    if (c.key === 'XGBoost_SMOTE')
      caps[c.key] = { key: 'smote neighbour pool', max_rows: SMOTE_NEIGHBOUR_POOL };
  }
  const trainEvaluated = Math.min(sizes.trainingRows, t.evaluation_max_rows);
  const testEvaluated = Math.min(sizes.testRows, t.evaluation_max_rows);
  return {
    training_rows: sizes.trainingRows,
    test_rows: sizes.testRows,
    search_max_rows: t.search_max_rows,
    search_rows: sizes.searchRows,
    evaluation_max_rows: t.evaluation_max_rows,
    train_rows_evaluated: trainEvaluated,
    test_rows_evaluated: testEvaluated,
    refit_rows: Object.fromEntries(
      candidates.map((c) => [c.key, c.key === sizes.winner ? sizes.trainingRows : sizes.searchRows]),
    ),
    model_caps: caps,
    sampled:
      sizes.searchRows < sizes.trainingRows ||
      trainEvaluated < sizes.trainingRows ||
      testEvaluated < sizes.testRows ||
      Object.values(caps).some((cap) => cap.max_rows < sizes.trainingRows),
  };
}

/** One log line per part a run may have sampled, empty when nothing was. */
export function samplingLines(s: SamplingInfo): string[] {
  const lines: string[] = [];
  if (s.search_rows < s.training_rows)
    lines.push(
      `CV, search and importances ran on a stratified sample of ${s.search_rows} of the ${s.training_rows} training rows (training.search_max_rows); the chosen model was refit on every training row, the others (scored for the comparison only) on the sample`,
    );
  if (s.train_rows_evaluated < s.training_rows || s.test_rows_evaluated < s.test_rows)
    lines.push(
      `train/test metrics on stratified samples of ${s.train_rows_evaluated} of ${s.training_rows} train and ${s.test_rows_evaluated} of ${s.test_rows} test rows (training.evaluation_max_rows)`,
    );
  for (const [model, cap] of Object.entries(s.model_caps)) {
    if (cap.max_rows >= s.training_rows) continue;
    lines.push(
      model === 'XGBoost_SMOTE'
        ? `${model}: SMOTE looks for neighbours among at most ${cap.max_rows} rows of a class (${cap.key})`
        : `${model}: a fit uses a stratified sample of at most ${cap.max_rows} rows (${cap.key})`,
    );
  }
  return lines;
}
