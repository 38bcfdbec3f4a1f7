/**
 * The stage's report files, as text: evaluation_metrics.json (the predecessor's keys, indent 4, plus ours),
 * evaluation_summary.csv (`Metric,Train,Test`), the CV table of every model, draw and fold with fit times (JSON and
 * CSV), and the MLmodel description of a bundle for tracking.
 */
import { formatCsvRow, formatPythonFloat, type Params } from '@mlops/core';
import { BUNDLE_FILE, BUNDLE_FORMAT, BUNDLE_SCHEMA_VERSION, type BundleContent } from '@mlops/model';
import type { EvaluationReport } from './evaluate.js';
import type { TrainOutcome } from './train.js';

export const EVALUATION_JSON = 'evaluation_metrics.json';
export const EVALUATION_CSV = 'evaluation_summary.csv';
export const CV_JSON = 'cv_results.json';
export const CV_CSV = 'cv_results.csv';
export const COMPARISON_JSON = 'model_comparison.json';

export function evaluationJson(report: EvaluationReport, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...report, ...extra }, null, 4) + '\n';
}

type EvaluationMetric = Params['evaluation']['metrics'][number];

/** The summary rows of `evaluation.metrics`, in the predecessor's order (ROC-AUC is ours: one-vs-rest, weighted). */
export function evaluationSummaryCsv(report: EvaluationReport, metrics: readonly EvaluationMetric[]): string {
  const rows: [EvaluationMetric, string, number | null, number | null][] = [
    ['accuracy', 'Accuracy', report.train_accuracy, report.test_accuracy],
    ['precision', 'Precision', report.train_precision, report.test_precision],
    ['recall', 'Recall', report.train_recall, report.test_recall],
    ['f1', 'F1-Score', report.train_f1, report.test_f1],
    ['roc_auc', 'ROC-AUC', report.train.roc_auc_ovr_weighted, report.test.roc_auc_ovr_weighted],
  ];
  const cell = (v: number | null) => (v === null ? '' : formatPythonFloat(v));
  return (
    formatCsvRow(['Metric', 'Train', 'Test']) +
    rows
      .filter(([key]) => metrics.includes(key))
      .map(([, name, train, test]) => formatCsvRow([name, cell(train), cell(test)]))
      .join('')
  );
}

export function cvTableJson(outcome: TrainOutcome): string {
  return (
    JSON.stringify(
      {
        scoring: outcome.scoring,
        folds: outcome.folds,
        winner: outcome.candidates[outcome.winner]!.spec.key,
        sampling: outcome.sampling,
        models: outcome.candidates.map((c) => ({
          model: c.spec.key,
          algorithm: c.spec.algorithm,
          run_name: c.spec.runName,
          selected_draw: c.best,
          cv_mean: c.draws[c.best]!.mean,
          cv_std: c.draws[c.best]!.std,
          refit_seconds: c.refit.fitSeconds,
          test_accuracy: c.report.test_accuracy,
          draws: c.draws.map((d) => ({
            hyper_parameters: d.hyper,
            folds: d.folds,
            fold_scores: d.foldScores,
            fit_seconds: d.fitSeconds,
            mean: d.mean,
            std: d.std,
          })),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

export function cvTableCsv(outcome: TrainOutcome): string {
  let text = formatCsvRow([
    'model',
    'algorithm',
    'draw',
    'selected',
    'fold',
    outcome.scoring,
    'fit_seconds',
    'hyper_parameters',
  ]);
  for (const c of outcome.candidates) {
    c.draws.forEach((d, i) => {
      d.foldScores.forEach((s, f) => {
        text += formatCsvRow([
          c.spec.key,
          c.spec.algorithm,
          String(i),
          i === c.best ? 'true' : 'false',
          String(d.folds[f]),
          formatPythonFloat(s),
          d.fitSeconds[f]!.toFixed(4),
          JSON.stringify(d.hyper),
        ]);
      });
    });
  }
  return text;
}

/** The flattened input signature of the bundle, in MLflow's column-spec JSON. */
function signatureInputs(bundle: BundleContent): string {
  const spec = bundle.feature_spec;
  return JSON.stringify([
    ...spec.numeric.map((f) => ({ type: 'double', name: f.name, required: true })),
    ...spec.categorical.map((f) => ({ type: 'string', name: f.name, required: true })),
  ]);
}

const yamlQuote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * An MLmodel file (MLflow's model description, keys sorted as MLflow writes them) for a bundle logged as a run
 * artifact: a custom flavor naming the bundle file and how to load it, the input/output signature, the run.
 */
export function mlmodelText(bundle: BundleContent, runId: string, created: Date, checksum: string): string {
  const time = created.toISOString().replace('T', ' ').replace('Z', '000');
  return [
    'artifact_path: model',
    'flavors:',
    '  mlops_bundle:',
    `    bundle: ${BUNDLE_FILE}`,
    `    format: ${BUNDLE_FORMAT}`,
    '    loader: "@mlops/model loadBundle(dir)"',
    `    model_kind: ${bundle.model.kind}`,
    `    model_name: ${bundle.model_name}`,
    `    schema_version: ${BUNDLE_SCHEMA_VERSION}`,
    `model_uuid: ${checksum.slice(0, 32)}`,
    `run_id: ${runId}`,
    'signature:',
    `  inputs: ${yamlQuote(signatureInputs(bundle))}`,
    `  outputs: ${yamlQuote(JSON.stringify([{ type: 'string', name: 'prediction', required: true }]))}`,
    '  params: null',
    `utc_time_created: ${yamlQuote(time)}`,
    '',
  ].join('\n');
}

/**
 * Every model's scores on the held-out test rows, side by side (the predecessor's metrics table and overfitting
 * table, one row per model: accuracy, weighted precision/recall/F1, train accuracy, gap and fit status, confusion
 * matrix). Only the winner was chosen by CV; the others are scored once here for comparison.
 */
export function modelComparisonJson(outcome: TrainOutcome): string {
  return (
    JSON.stringify(
      {
        scoring: outcome.scoring,
        winner: outcome.candidates[outcome.winner]!.spec.key,
        sampling: outcome.sampling,
        models: outcome.candidates.map((c) => ({
          model: c.spec.key,
          cv_mean: c.draws[c.best]!.mean,
          accuracy: c.report.test_accuracy,
          precision_weighted: c.report.test_precision,
          recall_weighted: c.report.test_recall,
          f1_weighted: c.report.test_f1,
          train_accuracy: c.report.train_accuracy,
          gap: c.report.train_test_gap,
          status: c.report.overfitting_status,
          confusion_matrix: c.report.confusion_matrix,
        })),
      },
      null,
      2,
    ) + '\n'
  );
}
