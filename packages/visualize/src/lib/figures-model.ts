/**
 * Figures 07–09 (the models), from the ml stage's metrics: pure functions to Vega-Lite specs. When only
 * evaluation_metrics.json is there (no per-model table), they show the selected model alone.
 */
import type { VegaLiteSpec } from '@mlops/charts';
import { className, type EvaluationMetrics, type ModelComparisonRow } from './metrics.js';

/** The predecessor's fit thresholds on train − test accuracy: over 0.1 is overfitting, under −0.05 underfitting. */
export const OVERFITTING_GAP = 0.1;
export const UNDERFITTING_GAP = -0.05;

export interface ModelScores {
  model: string;
  accuracy: number;
  precision?: number;
  recall?: number;
  f1?: number;
  train_accuracy?: number;
  gap?: number;
  status?: string;
  confusion_matrix?: number[][];
}

/** One row per model: the comparison table when present, else the evaluated (selected) model. */
export function modelScores(
  comparison: readonly ModelComparisonRow[] | undefined,
  evaluation: EvaluationMetrics | undefined,
): ModelScores[] {
  if (comparison && comparison.length > 0) {
    return comparison.map((r) => ({
      model: r.model,
      accuracy: r.accuracy,
      precision: r.precision_weighted,
      recall: r.recall_weighted,
      f1: r.f1_weighted,
      train_accuracy: r.train_accuracy,
      gap: r.gap,
      status: r.status,
      confusion_matrix:
        r.confusion_matrix ??
        (evaluation && r.model === evaluation.model_name ? evaluation.confusion_matrix : undefined),
    }));
  }
  if (!evaluation) return [];
  return [
    {
      model: evaluation.model_name,
      accuracy: evaluation.test.accuracy,
      precision: evaluation.test.precision,
      recall: evaluation.test.recall,
      f1: evaluation.test.f1,
      train_accuracy: evaluation.train?.accuracy,
      gap:
        evaluation.train_test_gap ??
        (evaluation.train ? evaluation.train.accuracy - evaluation.test.accuracy : undefined),
      status: evaluation.overfitting_status,
      confusion_matrix: evaluation.confusion_matrix,
    },
  ];
}

const METRICS = [
  ['Accuracy', 'accuracy'],
  ['Precision', 'precision'],
  ['Recall', 'recall'],
  ['F1-score', 'f1'],
] as const;

/** 07: grouped bars of accuracy and weighted precision, recall and F1 per model (viridis, y 0–1). */
export function metricsComparisonSpec(models: readonly ModelScores[]): VegaLiteSpec {
  const rows = models.flatMap((m) =>
    METRICS.filter(([, key]) => m[key] !== undefined).map(([metric, key]) => ({
      model: m.model,
      metric,
      value: m[key]!,
    })),
  );
  return {
    title: {
      text: 'Performance metrics by model',
      subtitle: 'test set; precision, recall and F1 weighted by class support',
      fontSize: 18,
    },
    width: Math.max(320, 130 * models.length),
    height: 300,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'model', type: 'nominal', sort: null, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'metric', type: 'nominal', sort: METRICS.map(([m]) => m) },
      y: { field: 'value', type: 'quantitative', title: 'score', scale: { domain: [0, 1] } },
      color: {
        field: 'metric',
        type: 'nominal',
        sort: METRICS.map(([m]) => m),
        scale: { scheme: 'viridis' },
        title: 'metric',
      },
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'metric', type: 'nominal' },
        { field: 'value', type: 'quantitative', format: '.4f' },
      ],
    },
  };
}

const CONFUSION_SCHEMES = ['blues', 'greens', 'reds', 'purples', 'oranges'];

/**
 * 08: an annotated confusion-matrix heatmap per model that has one (rows true class, columns predicted); when no
 * per-model matrix is given, the evaluated model's.
 */
export function confusionMatrixSpec(
  models: readonly ModelScores[],
  evaluation: EvaluationMetrics | undefined,
): VegaLiteSpec | undefined {
  const targetNames = evaluation?.target_names;
  let withMatrix = models.filter((m) => m.confusion_matrix);
  if (withMatrix.length === 0 && evaluation?.confusion_matrix)
    withMatrix = [
      {
        model: evaluation.model_name,
        accuracy: evaluation.test.accuracy,
        confusion_matrix: evaluation.confusion_matrix,
      },
    ];
  if (withMatrix.length === 0) return undefined;
  const panels = withMatrix.map((m, index): VegaLiteSpec => {
    const cm = m.confusion_matrix!;
    const names = cm.map((_, i) => (targetNames?.[i] ? className(targetNames[i]!) : String(i)));
    const cells = cm.flatMap((row, i) =>
      row.map((count, j) => ({ true_class: names[i]!, predicted: names[j]!, count, correct: i === j })),
    );
    const max = Math.max(1, ...cells.map((c) => c.count));
    const total = cells.reduce((n, c) => n + c.count, 0);
    const errors = cells.filter((c) => !c.correct).reduce((n, c) => n + c.count, 0);
    return {
      title: {
        text: `Confusion matrix - ${m.model}`,
        subtitle: `${total} test rows, ${errors} misclassified`,
      },
      width: { step: 46 },
      height: { step: 34 },
      data: { values: cells },
      encoding: {
        x: {
          field: 'predicted',
          type: 'nominal',
          sort: names,
          title: 'Predicted class',
          axis: { labelAngle: -35 },
        },
        y: { field: 'true_class', type: 'nominal', sort: names, title: 'True class' },
        tooltip: [
          { field: 'true_class', type: 'nominal', title: 'true' },
          { field: 'predicted', type: 'nominal' },
          { field: 'count', type: 'quantitative' },
        ],
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white' },
          encoding: {
            color: {
              field: 'count',
              type: 'quantitative',
              title: 'rows',
              scale: { scheme: CONFUSION_SCHEMES[index % CONFUSION_SCHEMES.length]!, domain: [0, max] },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    };
  });
  if (panels.length === 1) return panels[0]!;
  return {
    title: { text: 'Confusion matrices', fontSize: 18 },
    vconcat: panels,
    resolve: { scale: { color: 'independent' } },
  };
}

export function fitStatus(gap: number): 'Overfitting' | 'Underfitting' | 'Good fit' {
  return gap > OVERFITTING_GAP ? 'Overfitting' : gap < UNDERFITTING_GAP ? 'Underfitting' : 'Good fit';
}

/** 09: train vs test accuracy per model (left) and the gap train − test with the fit thresholds (right). */
export function overfittingSpec(models: readonly ModelScores[]): VegaLiteSpec | undefined {
  const usable = models.filter((m) => m.train_accuracy !== undefined);
  if (usable.length === 0) return undefined;
  const scores = usable.flatMap((m) => [
    { model: m.model, split: 'Train', value: m.train_accuracy! },
    { model: m.model, split: 'Test', value: m.accuracy },
  ]);
  const gaps = usable.map((m) => {
    const gap = m.gap ?? m.train_accuracy! - m.accuracy;
    return { model: m.model, gap, fit: fitStatus(gap), status: m.status ?? fitStatus(gap) };
  });
  const lo = Math.min(UNDERFITTING_GAP * 1.6, ...gaps.map((g) => g.gap));
  const hi = Math.max(OVERFITTING_GAP * 1.3, ...gaps.map((g) => g.gap));
  return {
    title: {
      text: 'Overfitting analysis',
      subtitle: `gap = train − test accuracy; over ${OVERFITTING_GAP} overfitting, under ${UNDERFITTING_GAP} underfitting`,
      fontSize: 18,
    },
    hconcat: [
      {
        title: 'Train vs test accuracy',
        width: Math.max(240, 90 * usable.length),
        height: 260,
        data: { values: scores },
        mark: 'bar',
        encoding: {
          x: { field: 'model', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
          xOffset: { field: 'split', type: 'nominal', sort: ['Train', 'Test'] },
          y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
          color: {
            field: 'split',
            type: 'nominal',
            sort: ['Train', 'Test'],
            scale: { domain: ['Train', 'Test'], range: ['#4c78a8', '#f58518'] },
            title: null,
          },
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'split', type: 'nominal' },
            { field: 'value', type: 'quantitative', format: '.4f' },
          ],
        },
      },
      {
        title: 'Gap (train − test)',
        width: 300,
        height: { step: 30 },
        layer: [
          {
            data: { values: gaps },
            mark: 'bar',
            encoding: {
              y: { field: 'model', type: 'nominal', sort: null, title: null },
              x: {
                field: 'gap',
                type: 'quantitative',
                title: 'gap',
                scale: { domain: [lo, hi], nice: true },
              },
              color: {
                field: 'fit',
                type: 'nominal',
                title: 'fit',
                scale: {
                  domain: ['Good fit', 'Overfitting', 'Underfitting'],
                  range: ['#2ca02c', '#d62728', '#ff7f0e'],
                },
              },
              tooltip: [
                { field: 'model', type: 'nominal' },
                { field: 'gap', type: 'quantitative', format: '.4f' },
                { field: 'status', type: 'nominal' },
              ],
            },
          },
          {
            data: {
              values: [
                { x: 0, line: 'zero' },
                { x: OVERFITTING_GAP, line: 'overfitting threshold' },
                { x: UNDERFITTING_GAP, line: 'underfitting threshold' },
              ],
            },
            mark: { type: 'rule', strokeDash: [5, 4], color: '#555555' },
            encoding: {
              x: { field: 'x', type: 'quantitative' },
              tooltip: [
                { field: 'line', type: 'nominal' },
                { field: 'x', type: 'quantitative' },
              ],
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
