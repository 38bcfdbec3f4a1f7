/**
 * Classification metrics on class indices and probabilities, following scikit-learn's definitions (checked against
 * golden values from scikit-learn in tests/fixtures): a precision or recall with a zero denominator is 0 (its
 * `zero_division` default), weighted averages weigh by true-class support, ROC-AUC is one-vs-rest with average
 * ranks for ties, log loss clips probabilities to [eps, 1 − eps] and renormalises each row.
 */

export type Scoring = 'f1_weighted' | 'accuracy' | 'f1_macro' | 'balanced_accuracy';

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]!]![yPred[i]!]!++;
  return m;
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface Averages {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface ClassificationReport {
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly perClass: ClassMetrics[];
  readonly macro: Averages;
  readonly weighted: Averages;
  readonly confusion: number[][];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, k);
  const n = yTrue.length;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    correct += confusion[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j]![c]!;
      support += confusion[c]![j]!;
    }
    const tp = confusion[c]![c]!;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const average = (weights: (m: ClassMetrics) => number): Averages => {
    let w = 0;
    let p = 0;
    let r = 0;
    let f = 0;
    for (const m of perClass) {
      const wi = weights(m);
      w += wi;
      p += wi * m.precision;
      r += wi * m.recall;
      f += wi * m.f1;
    }
    return { precision: ratio(p, w), recall: ratio(r, w), f1: ratio(f, w) };
  };
  // balanced accuracy: mean recall over the classes present in y_true (scikit-learn ignores absent classes)
  const present = perClass.filter((m) => m.support > 0);
  return {
    accuracy: ratio(correct, n),
    balancedAccuracy: ratio(
      present.reduce((s, m) => s + m.recall, 0),
      present.length,
    ),
    perClass,
    macro: average(() => 1),
    weighted: average((m) => m.support),
    confusion,
  };
}

/** One score by name, from class indices (the CV scoring of `training.scoring`). */
export function score(
  scoring: Scoring,
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
): number {
  const report = classificationReport(yTrue, yPred, k);
  switch (scoring) {
    case 'accuracy':
      return report.accuracy;
    case 'f1_weighted':
      return report.weighted.f1;
    case 'f1_macro':
      return report.macro.f1;
    case 'balanced_accuracy':
      return report.balancedAccuracy;
  }
}

/** The most probable class of each row of a rows × k probability matrix (ties: the first). */
export function argmaxRows(proba: Float64Array, k: number): Int32Array {
  const rows = proba.length / k;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[r * k + c]! > proba[r * k + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Binary ROC-AUC of `scores` for `positive` labels (Mann–Whitney with average ranks); NaN with one class only. */
export function binaryRocAuc(positive: Uint8Array, scores: Float64Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += positive[i]!;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (positive[order[t]!]) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface RocAuc {
  readonly macro: number;
  readonly weighted: number;
  /** Per class (NaN for a class absent from y_true, left out of the averages). */
  readonly perClass: number[];
}

export function rocAucOvr(yTrue: ArrayLike<number>, proba: Float64Array, k: number): RocAuc {
  const n = yTrue.length;
  const perClass: number[] = [];
  const scores = new Float64Array(n);
  const positive = new Uint8Array(n);
  let macro = 0;
  let defined = 0;
  let weighted = 0;
  let weightSum = 0;
  for (let c = 0; c < k; c++) {
    let support = 0;
    for (let i = 0; i < n; i++) {
      scores[i] = proba[i * k + c]!;
      positive[i] = yTrue[i] === c ? 1 : 0;
      support += positive[i]!;
    }
    const auc = binaryRocAuc(positive, scores);
    perClass.push(auc);
    if (!Number.isNaN(auc)) {
      macro += auc;
      defined++;
      weighted += support * auc;
      weightSum += support;
    }
  }
  return {
    macro: defined ? macro / defined : NaN,
    weighted: weightSum ? weighted / weightSum : NaN,
    perClass,
  };
}

/** Multiclass log loss (natural log), probabilities clipped to [eps, 1 − eps] and renormalised per row. */
export function logLoss(
  yTrue: ArrayLike<number>,
  proba: Float64Array,
  k: number,
  eps = 2.220446049250313e-16,
): number {
  const n = yTrue.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.min(Math.max(proba[i * k + c]!, eps), 1 - eps);
    const p = Math.min(Math.max(proba[i * k + yTrue[i]!]!, eps), 1 - eps) / sum;
    total -= Math.log(p);
  }
  return total / n;
}

/** Every metric of one scored split, as JSON-ready numbers. */
export interface SplitMetrics {
  readonly accuracy: number;
  readonly balanced_accuracy: number;
  readonly precision_weighted: number;
  readonly recall_weighted: number;
  readonly f1_weighted: number;
  readonly precision_macro: number;
  readonly recall_macro: number;
  readonly f1_macro: number;
  readonly roc_auc_ovr_macro: number | null;
  readonly roc_auc_ovr_weighted: number | null;
  readonly log_loss: number;
  readonly per_class: Record<string, ClassMetrics & { roc_auc_ovr: number | null }>;
  readonly confusion_matrix: number[][];
  readonly n: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function splitMetrics(
  yTrue: Int32Array,
  proba: Float64Array,
  labels: readonly string[],
): SplitMetrics {
  const k = labels.length;
  const report = classificationReport(yTrue, argmaxRows(proba, k), k);
  const auc = rocAucOvr(yTrue, proba, k);
  const perClass: SplitMetrics['per_class'] = {};
  labels.forEach((label, c) => {
    perClass[label] = { ...report.perClass[c]!, roc_auc_ovr: finiteOrNull(auc.perClass[c]!) };
  });
  return {
    accuracy: report.accuracy,
    balanced_accuracy: report.balancedAccuracy,
    precision_weighted: report.weighted.precision,
    recall_weighted: report.weighted.recall,
    f1_weighted: report.weighted.f1,
    precision_macro: report.macro.precision,
    recall_macro: report.macro.recall,
    f1_macro: report.macro.f1,
    roc_auc_ovr_macro: finiteOrNull(auc.macro),
    roc_auc_ovr_weighted: finiteOrNull(auc.weighted),
    log_loss: logLoss(yTrue, proba, k),
    per_class: perClass,
    confusion_matrix: report.confusion,
    n: yTrue.length,
  };
}

/** The predecessor's fit status from the train − test accuracy gap (overfitting above 0.1, underfitting below −0.05). */
export function fitStatus(gap: number): 'Overfitting detected' | 'Underfitting detected' | 'Good fit' {
  if (gap > 0.1) return 'Overfitting detected';
  if (gap < -0.05) return 'Underfitting detected';
  return 'Good fit';
}
