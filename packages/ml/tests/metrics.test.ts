import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  argmaxRows,
  binaryRocAuc,
  classificationReport,
  fitStatus,
  logLoss,
  rocAucOvr,
  score,
  splitMetrics,
} from '../src/lib/metrics.js';

interface GoldenCase {
  name: string;
  k: number;
  y_true: number[];
  proba: number[][];
  y_pred: number[];
  [metric: string]: unknown;
}

const golden = JSON.parse(
  readFileSync(new URL('./fixtures/metrics_golden.json', import.meta.url), 'utf8'),
) as {
  cases: GoldenCase[];
};

describe('metrics against scikit-learn golden values', () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      const y = Int32Array.from(c.y_true);
      const proba = Float64Array.from(c.proba.flat());
      const pred = argmaxRows(proba, c.k);
      expect([...pred]).toEqual(c.y_pred);
      const report = classificationReport(y, pred, c.k);
      expect(report.accuracy).toBeCloseTo(c['accuracy'] as number, 12);
      expect(report.balancedAccuracy).toBeCloseTo(c['balanced_accuracy'] as number, 12);
      expect(report.confusion).toEqual(c['confusion_matrix']);
      report.perClass.forEach((m, i) => {
        expect(m.precision).toBeCloseTo((c['precision_per_class'] as number[])[i]!, 12);
        expect(m.recall).toBeCloseTo((c['recall_per_class'] as number[])[i]!, 12);
        expect(m.f1).toBeCloseTo((c['f1_per_class'] as number[])[i]!, 12);
        expect(m.support).toBe((c['support'] as number[])[i]);
      });
      for (const avg of ['macro', 'weighted'] as const) {
        expect(report[avg].precision).toBeCloseTo(c[`precision_${avg}`] as number, 12);
        expect(report[avg].recall).toBeCloseTo(c[`recall_${avg}`] as number, 12);
        expect(report[avg].f1).toBeCloseTo(c[`f1_${avg}`] as number, 12);
        expect(score(`f1_${avg}`, y, pred, c.k)).toBeCloseTo(c[`f1_${avg}_f1score`] as number, 12);
      }
      const auc = rocAucOvr(y, proba, c.k);
      expect(auc.macro).toBeCloseTo(c['roc_auc_ovr_macro'] as number, 12);
      expect(auc.weighted).toBeCloseTo(c['roc_auc_ovr_weighted'] as number, 12);
      expect(logLoss(y, proba, c.k)).toBeCloseTo(c['log_loss'] as number, 10);
      expect(score('accuracy', y, pred, c.k)).toBe(report.accuracy);
      expect(score('balanced_accuracy', y, pred, c.k)).toBe(report.balancedAccuracy);
    });
  }
});

describe('metric edge cases', () => {
  it('binary AUC: perfect, reversed, ties, one class', () => {
    expect(binaryRocAuc(Uint8Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.2, 0.3, 0.4))).toBe(1);
    expect(binaryRocAuc(Uint8Array.of(1, 1, 0, 0), Float64Array.of(0.1, 0.2, 0.3, 0.4))).toBe(0);
    expect(binaryRocAuc(Uint8Array.of(0, 1), Float64Array.of(0.5, 0.5))).toBe(0.5);
    expect(binaryRocAuc(Uint8Array.of(1, 1), Float64Array.of(0.5, 0.7))).toBeNaN();
  });

  it('splitMetrics names classes and keeps JSON-safe values', () => {
    const m = splitMetrics(Int32Array.of(0, 0, 0), Float64Array.of(0.9, 0.1, 0.8, 0.2, 0.3, 0.7), ['a', 'b']);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.roc_auc_ovr_macro).toBeNull();
    expect(m.per_class['b']!.support).toBe(0);
    expect(m.confusion_matrix).toEqual([
      [2, 1],
      [0, 0],
    ]);
  });

  it('fit status uses the predecessor thresholds', () => {
    expect(fitStatus(0.03)).toBe('Good fit');
    expect(fitStatus(0.11)).toBe('Overfitting detected');
    expect(fitStatus(-0.06)).toBe('Underfitting detected');
  });
});
