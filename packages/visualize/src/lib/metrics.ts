/**
 * The ml stage's metrics, read defensively: each parser takes parsed JSON and returns what it could read plus a
 * warning per field it could not (naming the file and the field), so a format that drifts from this one costs a
 * figure, not the stage. Pure.
 */

export interface EvaluationMetrics {
  model_name: string;
  test: { accuracy: number; precision: number; recall: number; f1: number };
  train?: { accuracy: number; precision: number; recall: number; f1: number };
  train_test_gap?: number;
  overfitting_status?: string;
  confusion_matrix?: number[][];
  target_names?: string[];
  test_set_size?: number;
  train_set_size?: number;
}

export interface CvFold {
  model: string;
  fold: number;
  score: number;
  fit_seconds?: number;
}

export interface CvModelSummary {
  model: string;
  mean: number;
  std: number;
  folds: number;
}

export interface CvResults {
  scoring?: string;
  folds: CvFold[];
  /** Per model, from the file when it gives them, otherwise computed from the folds (std with ddof 0, as sklearn). */
  summary: CvModelSummary[];
}

export interface ModelComparisonRow {
  model: string;
  accuracy: number;
  precision_weighted?: number;
  recall_weighted?: number;
  f1_weighted?: number;
  train_accuracy?: number;
  gap?: number;
  status?: string;
  confusion_matrix?: number[][];
}

export interface Parsed<T> {
  value?: T;
  warnings: string[];
}

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

function matrix(x: unknown): number[][] | undefined {
  if (!Array.isArray(x) || x.length === 0) return undefined;
  const rows = x.map((row) =>
    Array.isArray(row) && row.every((v) => num(v) !== undefined) ? (row as number[]) : undefined,
  );
  if (rows.some((r) => r === undefined || r.length !== x.length)) return undefined;
  return rows as number[][];
}

/** "0-insufficient_weight" → "insufficient_weight": the predecessor's target names carry their code. */
export function className(name: string): string {
  return name.replace(/^\d+-/, '');
}

export function parseEvaluation(json: unknown, file: string): Parsed<EvaluationMetrics> {
  if (!isObject(json)) return { warnings: [`${file}: expected a JSON object`] };
  const warnings: string[] = [];
  const model = str(json['model_name']);
  const test = {
    accuracy: num(json['test_accuracy']),
    precision: num(json['test_precision']),
    recall: num(json['test_recall']),
    f1: num(json['test_f1']),
  };
  const missing = Object.entries(test)
    .filter(([, v]) => v === undefined)
    .map(([k]) => `test_${k}`);
  if (!model) missing.unshift('model_name');
  if (missing.length > 0)
    return { warnings: [`${file}: missing or not a number/name: ${missing.join(', ')}`] };
  const trainValues = {
    accuracy: num(json['train_accuracy']),
    precision: num(json['train_precision']),
    recall: num(json['train_recall']),
    f1: num(json['train_f1']),
  };
  const hasTrain = Object.values(trainValues).every((v) => v !== undefined);
  let confusion = matrix(json['confusion_matrix']);
  if (json['confusion_matrix'] !== undefined && !confusion)
    warnings.push(`${file}: confusion_matrix is not a square matrix of numbers`);
  const names =
    Array.isArray(json['target_names']) && json['target_names'].every((n) => typeof n === 'string')
      ? (json['target_names'] as string[])
      : undefined;
  if (confusion && names && names.length !== confusion.length) {
    warnings.push(
      `${file}: target_names has ${names.length} names for a ${confusion.length}×${confusion.length} confusion_matrix`,
    );
    confusion = undefined;
  }
  return {
    value: {
      model_name: model!,
      test: test as EvaluationMetrics['test'],
      train: hasTrain ? (trainValues as EvaluationMetrics['test']) : undefined,
      train_test_gap: num(json['train_test_gap']),
      overfitting_status: str(json['overfitting_status']),
      confusion_matrix: confusion,
      target_names: names,
      test_set_size: num(json['test_set_size']),
      train_set_size: num(json['train_set_size']),
    },
    warnings,
  };
}

function foldOf(x: unknown): CvFold | undefined {
  if (!isObject(x)) return undefined;
  const model = str(x['model']);
  const fold = num(x['fold']);
  const score = num(x['score']);
  if (!model || fold === undefined || score === undefined) return undefined;
  const fit = num(x['fit_seconds']);
  return fit === undefined ? { model, fold, score } : { model, fold, score, fit_seconds: fit };
}

function summaryOf(x: unknown, model?: string): Omit<CvModelSummary, 'folds'> | undefined {
  if (!isObject(x)) return undefined;
  const name = str(x['model']) ?? model;
  const mean = num(x['mean']) ?? num(x['mean_score']);
  const std = num(x['std']) ?? num(x['std_score']);
  if (!name || mean === undefined || std === undefined) return undefined;
  return { model: name, mean, std };
}

/**
 * The CV table: a list of {model, fold, score, fit_seconds}, either the file itself or the first list of such
 * entries among its keys; per-model mean/std from a list of {model, mean, std} or a map model → {mean, std} among
 * its keys when present.
 */
export function parseCvResults(json: unknown, file: string): Parsed<CvResults> {
  const warnings: string[] = [];
  let folds: CvFold[] | undefined;
  let given: Omit<CvModelSummary, 'folds'>[] = [];
  let scoring: string | undefined;
  const asFolds = (x: unknown) => {
    if (!Array.isArray(x) || x.length === 0) return undefined;
    const parsed = x.map(foldOf);
    return parsed.every((f) => f !== undefined) ? (parsed as CvFold[]) : undefined;
  };
  if (Array.isArray(json)) folds = asFolds(json);
  else if (isObject(json)) {
    scoring = str(json['scoring']);
    for (const value of Object.values(json)) {
      folds ??= asFolds(value);
      if (given.length === 0 && Array.isArray(value)) {
        const s = value.map((v) => summaryOf(v));
        if (s.length > 0 && s.every((v) => v !== undefined)) given = s as typeof given;
      }
      if (given.length === 0 && isObject(value)) {
        const s = Object.entries(value).map(([k, v]) => summaryOf(v, k));
        if (s.length > 0 && s.every((v) => v !== undefined)) given = s as typeof given;
      }
    }
  }
  if (!folds) return { warnings: [`${file}: no list of {model, fold, score} entries found`] };
  const byModel = new Map<string, number[]>();
  for (const f of folds) {
    const list = byModel.get(f.model) ?? [];
    list.push(f.score);
    byModel.set(f.model, list);
  }
  const summary = [...byModel].map(([model, scores]) => {
    const stated = given.find((g) => g.model === model);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    return stated ? { ...stated, folds: scores.length } : { model, mean, std, folds: scores.length };
  });
  return { value: { scoring, folds, summary }, warnings };
}

/** Per-model test metrics: {models: [...]} or a bare list. */
export function parseModelComparison(json: unknown, file: string): Parsed<ModelComparisonRow[]> {
  const list = Array.isArray(json)
    ? json
    : isObject(json) && Array.isArray(json['models'])
      ? json['models']
      : undefined;
  if (!list) return { warnings: [`${file}: expected {models: [...]}`] };
  const warnings: string[] = [];
  const rows: ModelComparisonRow[] = [];
  list.forEach((entry, i) => {
    if (!isObject(entry) || !str(entry['model']) || num(entry['accuracy']) === undefined) {
      warnings.push(`${file}: models[${i}] has no model name or accuracy; skipped`);
      return;
    }
    const row: ModelComparisonRow = { model: str(entry['model'])!, accuracy: num(entry['accuracy'])! };
    for (const key of [
      'precision_weighted',
      'recall_weighted',
      'f1_weighted',
      'train_accuracy',
      'gap',
    ] as const) {
      const v = num(entry[key]);
      if (v !== undefined) row[key] = v;
    }
    if (row.gap === undefined && row.train_accuracy !== undefined)
      row.gap = row.train_accuracy - row.accuracy;
    const status = str(entry['status']);
    if (status) row.status = status;
    const cm = matrix(entry['confusion_matrix']);
    if (cm) row.confusion_matrix = cm;
    rows.push(row);
  });
  if (rows.length === 0) return { warnings: [...warnings, `${file}: no usable model entries`] };
  return { value: rows, warnings };
}
