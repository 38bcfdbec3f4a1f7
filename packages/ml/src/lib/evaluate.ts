/**
 * The evaluation report of a model on its training and held-out rows: the predecessor's evaluation_metrics.json
 * keys (same names and meaning) plus ours (macro and per-class scores, ROC-AUC, log loss, balanced accuracy).
 * Train and evaluate both build it with this function from the same rows, so their numbers agree exactly.
 * Past `sample.maxRows` rows a split is scored on a stratified sample of that many (seeded, so train and evaluate
 * draw the same rows): metrics of 50,000 rows are precise to about ±0.005 (a binomial's 2σ), and scoring every row
 * of a million-row split would cost more than fitting for the brute-force k-NN.
 */
import { SeededRng } from '@mlops/core';
import type { RawBatch } from '@mlops/model';
import { selectRows } from '@mlops/model';
import { fitStatus, splitMetrics, type SplitMetrics } from './metrics.js';
import { stratifiedSample } from './split.js';

export interface Scorer {
  predictBatch(batch: RawBatch): Float64Array;
}

export interface EvaluationReport {
  // the predecessor's keys
  readonly model_name: string;
  readonly test_accuracy: number;
  readonly test_precision: number;
  readonly test_recall: number;
  readonly test_f1: number;
  readonly train_accuracy: number;
  readonly train_precision: number;
  readonly train_recall: number;
  readonly train_f1: number;
  readonly train_test_gap: number;
  readonly overfitting_status: string;
  readonly confusion_matrix: number[][];
  readonly target_names: string[];
  readonly test_set_size: number;
  readonly train_set_size: number;
  // ours
  /** The rows the metrics were computed on: all of each split, or a stratified sample of evaluation_max_rows. */
  readonly test_rows_evaluated: number;
  readonly train_rows_evaluated: number;
  readonly evaluation_max_rows: number | null;
  readonly algorithm: string;
  readonly labels: readonly string[];
  readonly test: SplitMetrics;
  readonly train: SplitMetrics;
}

export function evaluationReport(
  scorer: Scorer,
  modelName: string,
  algorithm: string,
  labels: readonly string[],
  batch: RawBatch,
  y: Int32Array,
  trainRows: Int32Array,
  testRows: Int32Array,
  sample?: { readonly maxRows: number; readonly seed: number },
): EvaluationReport {
  const nClasses = labels.length;
  const sampled = (rows: Int32Array) =>
    sample ? stratifiedSample(y, rows, nClasses, sample.maxRows, new SeededRng(sample.seed)) : rows;
  const testScored = sampled(testRows);
  const trainScored = sampled(trainRows);
  const metricsOf = (rows: Int32Array) =>
    splitMetrics(
      Int32Array.from(rows, (r) => y[r]!),
      scorer.predictBatch(selectRows(batch, rows)),
      labels,
    );
  const test = metricsOf(testScored);
  const train = metricsOf(trainScored);
  const gap = train.accuracy - test.accuracy;
  return {
    model_name: modelName,
    test_accuracy: test.accuracy,
    test_precision: test.precision_weighted,
    test_recall: test.recall_weighted,
    test_f1: test.f1_weighted,
    train_accuracy: train.accuracy,
    train_precision: train.precision_weighted,
    train_recall: train.recall_weighted,
    train_f1: train.f1_weighted,
    train_test_gap: gap,
    overfitting_status: fitStatus(gap),
    confusion_matrix: test.confusion_matrix,
    target_names: labels.map((l, i) => `${i}-${l}`),
    test_set_size: testRows.length,
    train_set_size: trainRows.length,
    test_rows_evaluated: testScored.length,
    train_rows_evaluated: trainScored.length,
    evaluation_max_rows: sample ? sample.maxRows : null,
    algorithm,
    labels,
    test,
    train,
  };
}

/** The rows not in `test` (ascending), out of `rows`. */
export function complementRows(rows: number, test: ArrayLike<number>): Int32Array {
  const isTest = new Uint8Array(rows);
  for (let i = 0; i < test.length; i++) isTest[test[i]!] = 1;
  const out = new Int32Array(rows - test.length);
  let n = 0;
  for (let i = 0; i < rows; i++) if (!isTest[i]) out[n++] = i;
  return out;
}
