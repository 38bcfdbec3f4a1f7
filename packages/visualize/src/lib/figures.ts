/**
 * Which figures the stage draws, with their file names: 01–06 from the data, 07–09 from the ml stage's metrics
 * (skipped, with a reason, when those are absent). Pure.
 */
import type { VegaLiteSpec } from '@mlops/charts';
import { TARGET_COLUMN } from '@mlops/core';
import {
  boxplotsSpec,
  categoricalDistributionsSpec,
  correlationSpec,
  datasetOverviewSpec,
  numericDistributionsSpec,
  targetDistributionSpec,
} from './figures-data.js';
import { confusionMatrixSpec, metricsComparisonSpec, modelScores, overfittingSpec } from './figures-model.js';
import type { CvResults, EvaluationMetrics, ModelComparisonRow } from './metrics.js';
import type { TableSummary } from './summaries.js';

export const FIGURE_NAMES = {
  overview: '01_dataset_overview',
  distributions: '02_numeric_distributions',
  boxplots: '03_numeric_boxplots',
  categorical: '04_categorical_distributions',
  target: '05_target_distribution',
  correlation: '06_correlation_matrix',
  metrics: '07_metrics_comparison',
  confusion: '08_confusion_matrices',
  overfitting: '09_overfitting_analysis',
} as const;

export interface FigurePlan {
  name: string;
  title: string;
  spec: VegaLiteSpec;
}

export interface SkippedFigure {
  name: string;
  reason: string;
}

export interface ModelInputs {
  evaluation?: EvaluationMetrics;
  comparison?: ModelComparisonRow[];
  cv?: CvResults;
  /** Why the metrics are absent, for the skip messages (e.g. "reports/metrics/evaluation_metrics.json not found"). */
  absentReason?: string;
}

export function planFigures(
  summary: TableSummary,
  source: string,
  model: ModelInputs,
  targetColumn = TARGET_COLUMN,
): { figures: FigurePlan[]; skipped: SkippedFigure[] } {
  const figures: FigurePlan[] = [];
  const skipped: SkippedFigure[] = [];
  const add = (name: string, title: string, spec: VegaLiteSpec | undefined, reason: string) => {
    if (spec) figures.push({ name, title, spec });
    else skipped.push({ name, reason });
  };
  const target = summary.text.find((t) => t.name === targetColumn);
  add(FIGURE_NAMES.overview, 'Dataset overview', datasetOverviewSpec(summary, source), '');
  add(
    FIGURE_NAMES.distributions,
    'Numeric distributions',
    numericDistributionsSpec(summary.numeric),
    'the input has no numeric column with a value',
  );
  add(
    FIGURE_NAMES.boxplots,
    'Box plots',
    boxplotsSpec(summary.numeric),
    'the input has no numeric column with a value',
  );
  add(
    FIGURE_NAMES.categorical,
    'Categorical distributions',
    summary.text.length ? categoricalDistributionsSpec(summary.text) : undefined,
    'the input has no text column',
  );
  add(
    FIGURE_NAMES.target,
    'Target distribution',
    target ? targetDistributionSpec(target) : undefined,
    `the input has no text column "${targetColumn}"`,
  );
  add(
    FIGURE_NAMES.correlation,
    'Correlation matrix',
    summary.numeric.length >= 2 ? correlationSpec(summary) : undefined,
    'the input has fewer than 2 numeric columns',
  );
  const models = modelScores(model.comparison, model.evaluation);
  const noMetrics = model.absentReason ?? 'no usable model metrics';
  add(
    FIGURE_NAMES.metrics,
    'Metrics by model',
    models.length ? metricsComparisonSpec(models) : undefined,
    noMetrics,
  );
  add(
    FIGURE_NAMES.confusion,
    'Confusion matrix',
    models.length ? confusionMatrixSpec(models, model.evaluation) : undefined,
    models.length ? 'the metrics hold no confusion matrix' : noMetrics,
  );
  add(
    FIGURE_NAMES.overfitting,
    'Overfitting analysis',
    models.length ? overfittingSpec(models) : undefined,
    models.length ? 'the metrics hold no train accuracy' : noMetrics,
  );
  return { figures, skipped };
}
