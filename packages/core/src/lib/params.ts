/**
 * params.yaml: one typed schema. Every key of the predecessor's params file is accepted with its value as the
 * default, so a predecessor user can bring theirs; our own keys are optional with defaults. An unknown key, a
 * wrong type or bad YAML is an InputError naming the file and the key path (exit code 2).
 */
import { readFile, stat } from 'node:fs/promises';
// zod/mini: the functional, tree-shakeable build of the same package. `zod` (classic) puts ~800 KB into every bundled
// CLI (2/3 of a stage's bundle) and ~50-80 ms of compile + init into every start; this schema needs ~40 KB of it.
// Keep the namespace import and the named locale import: `import { z } from 'zod/mini'` or `z.locales.en()` make the
// bundler keep the whole namespace (every schema kind and all ~50 locales) and undo the saving.
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { InputError, isErrnoException } from './errors.js';
import { formatKeyPath, parseYamlData } from './yaml.js';

export const DEFAULT_PARAMS_PATH = 'config/params.yaml';
/** The largest params file read (the predecessor's is ~3 KB). */
const MAX_PARAMS_BYTES = 4 * 1024 * 1024;

// Each helper is the classic chain it replaces, check for check (`.gt(0)` is `z.gt(0)`, `.positive()` is
// `z.positive()`, `.int()` adds the same safe-integer format check `z.int()`, `.min(n)` on a string or array is
// `z.minLength(n)`), so the same values pass and fail with the same issues.
const int = z.number().check(z.int());
const probability = z.number().check(z.gt(0), z.lt(1));
const positive = z.number().check(z.positive());
const positiveInt = z.number().check(z.int(), z.positive());
const path = z.string().check(z.minLength(1));
const nonEmpty = z.string().check(z.minLength(1));

const dataSchema = z.strictObject({
  raw_path: z._default(path, 'data/raw/obesity_estimation_modified.csv'),
  interim_path: z._default(path, 'data/interim/dataset_limpio_refactored.csv'),
  processed_path: z._default(path, 'data/processed/dataset_final.csv'),
  test_size: z._default(probability, 0.2),
  random_state: z._default(int, 42),
  // ours: the rest of the dataset catalog
  drifted_path: z._default(path, 'data/interim/dataset_with_drift.csv'),
  profile_dir: z._default(path, 'reports/eda'),
  reference_path: z._default(path, 'data/raw/obesity_clean_reference.csv'),
  compare_dir: z._default(path, 'reports/compare'),
  drift_figures_dir: z._default(path, 'reports/drift/figures'),
});

const preprocessingSchema = z.strictObject({
  create_bmi: z._default(z.boolean(), true),
  handle_outliers: z._default(z.boolean(), true),
  scale_features: z._default(z.boolean(), true),
  outlier_method: z._default(z.enum(['iqr', 'range', 'none']), 'iqr'),
  iqr_multiplier: z._default(positive, 1.5),
});

const cleaningSchema = z.strictObject({
  drop_missing_target: z._default(z.boolean(), false),
  drop_duplicates: z._default(z.boolean(), false),
  outlier_median_excludes_outliers: z._default(z.boolean(), false),
});

const modelsSchema = z.strictObject({
  output_dir: z._default(path, 'models'),
  algorithms: z._default(
    z
      // soft_voting (ours): a soft-voting ensemble of the other models' best draws, members chosen on CV
      .array(z.enum(['random_forest', 'xgboost', 'knn', 'svm', 'logistic_regression', 'mlp', 'soft_voting']))
      .check(z.minLength(1)),
    ['random_forest', 'xgboost', 'knn', 'svm', 'soft_voting'],
  ),
  random_forest: z.prefault(
    z.strictObject({
      n_estimators: z._default(positiveInt, 200),
      max_depth: z._default(positiveInt, 10),
      random_state: z._default(int, 42),
      // ours: scikit-learn's settings the predecessor used ("sqrt" features, bootstrap, balanced class weights)
      max_features: z._default(
        z.union([z.enum(['sqrt', 'log2', 'all']), z.number().check(z.gt(0), z.lte(1)), positiveInt]),
        'sqrt',
      ),
      bootstrap: z._default(z.boolean(), true),
      class_weight: z._default(z.enum(['balanced', 'none']), 'balanced'),
      min_samples_leaf: z._default(positiveInt, 1),
    }),
    {},
  ),
  xgboost: z.prefault(
    z.strictObject({
      n_estimators: z._default(positiveInt, 200),
      max_depth: z._default(positiveInt, 5),
      learning_rate: z._default(positive, 0.1),
      random_state: z._default(int, 42),
      // ours: XGBoost's defaults; early stopping is off while early_stopping_rounds is 0
      subsample: z._default(z.number().check(z.gt(0), z.lte(1)), 1),
      colsample_bytree: z._default(z.number().check(z.gt(0), z.lte(1)), 1),
      min_child_weight: z._default(z.number().check(z.nonnegative()), 1),
      reg_lambda: z._default(z.number().check(z.nonnegative()), 1),
      gamma: z._default(z.number().check(z.nonnegative()), 0),
      early_stopping_rounds: z._default(int.check(z.nonnegative()), 0),
      validation_fraction: z._default(z.number().check(z.gte(0), z.lt(1)), 0.1),
      smote: z._default(z.boolean(), false),
    }),
    {},
  ),
  knn: z.prefault(
    z.strictObject({
      n_neighbors: z._default(positiveInt, 5),
      // ours: the fitted model keeps a stratified sample of at most this many training rows as its reference set
      // (brute-force search costs rows × reference rows; the real data's 1,722 training rows are all kept)
      max_reference_rows: z._default(positiveInt, 10_000),
    }),
    {},
  ),
  svm: z.prefault(
    z.strictObject({
      kernel: z._default(z.enum(['linear', 'rbf']), 'linear'),
      C: z._default(positive, 1.0),
      // ours: the rbf width ("scale" = 1 / (features × variance of the training matrix), scikit-learn's default)
      gamma: z._default(z.union([z.literal('scale'), positive]), 'scale'),
      // ours: folds of the internal cross-validation whose held-out decision values fit the Platt sigmoids
      calibration_folds: z._default(int.check(z.gte(2)), 5),
      // ours: dual coordinate descent stops when the projected-gradient spread is below tol, or after max_iter epochs
      tol: z._default(positive, 0.1),
      max_iter: z._default(positiveInt, 1000),
      // ours: each fit trains on a stratified sample of at most this many rows (the dual solver's passes grow with
      // the rows; the real data is never sampled)
      max_rows: z._default(positiveInt, 20_000),
    }),
    {},
  ),
  // ours: the multilayer perceptron (tfjs); hidden_layers lists the width of each hidden ReLU layer
  mlp: z.prefault(
    z.strictObject({
      hidden_layers: z._default(z.array(positiveInt).check(z.minLength(1)), [64, 32]),
      epochs: z._default(positiveInt, 200),
      batch_size: z._default(positiveInt, 32),
      learning_rate: z._default(positive, 0.003),
      l2: z._default(z.number().check(z.nonnegative()), 1e-3),
      patience: z._default(positiveInt, 20),
      validation_fraction: z._default(z.number().check(z.gte(0), z.lt(1)), 0.1),
    }),
    {},
  ),
  // ours: multinomial logistic regression (L2, L-BFGS)
  logistic_regression: z.prefault(
    z.strictObject({ C: z._default(positive, 1.0), max_iter: z._default(positiveInt, 100) }),
    {},
  ),
});

/** A search dimension: the values random search draws from (at least one). */
const choices = <T extends z.ZodMiniType>(item: T, values: z.output<T>[]) =>
  z._default(z.array(item).check(z.minLength(1)), values);
const fraction = z.number().check(z.gt(0), z.lte(1));

const trainingSchema = z.strictObject({
  cross_validation: z._default(z.boolean(), true),
  cv_folds: z._default(int.check(z.gte(2)), 5),
  scoring: z._default(z.enum(['f1_weighted', 'accuracy', 'f1_macro', 'balanced_accuracy']), 'f1_weighted'),
  random_search_iterations: z._default(int.check(z.nonnegative()), 20),
  random_state: z._default(int, 42),
  // ours: the boosted trees' random search space (the predecessor's XGBoost_SMOTE space)
  search_space: z.prefault(
    z.strictObject({
      n_estimators: choices(positiveInt, [100, 200, 400]),
      max_depth: choices(positiveInt, [3, 5, 7]),
      learning_rate: choices(positive, [0.01, 0.05, 0.1]),
      subsample: choices(fraction, [0.6, 0.8, 1.0]),
      colsample_bytree: choices(fraction, [0.6, 0.8, 1.0]),
      smote_k_neighbors: choices(positiveInt, [1]),
    }),
    {},
  ),
  // ours: a search scores all its draws on the first ⌊folds/2⌋ folds (≥ 2) and only the best third on the rest
  successive_halving: z._default(z.boolean(), true),
  // ours: worker threads for CV and search (0: one per CPU core)
  n_jobs: z._default(int.check(z.nonnegative()), 0),
  // ours: shuffles per feature for the permutation importances on held-out folds
  importance_repeats: z._default(positiveInt, 5),
  // ours: CV, random search and permutation importances run on a stratified sample of at most this many training
  // rows; the chosen hyper-parameters are then refitted on every training row (the real data is never sampled)
  search_max_rows: z._default(int.check(z.gte(100)), 10_000),
  // ours: train and test metrics are computed on stratified samples of at most this many rows of each split
  evaluation_max_rows: z._default(int.check(z.gte(100)), 50_000),
});

const evaluationSchema = z.strictObject({
  metrics: z._default(z.array(z.enum(['accuracy', 'precision', 'recall', 'f1', 'roc_auc'])), [
    'accuracy',
    'precision',
    'recall',
    'f1',
    'roc_auc',
  ]),
  generate_plots: z._default(z.boolean(), true),
  confusion_matrix: z._default(z.boolean(), true),
});

const reportsSchema = z.strictObject({
  figures_dir: z._default(path, 'reports/figures'),
  metrics_dir: z._default(path, 'reports/metrics'),
  // ours: 'both' writes PNG and SVG (the Vega-Lite spec JSON is written beside every figure whatever the format)
  format: z._default(z.enum(['png', 'svg', 'both']), 'png'),
  dpi: z._default(positiveInt, 300),
  // ours: the one self-contained HTML report of the visualize stage
  report_path: z._default(path, 'reports/index.html'),
});

const mlflowSchema = z.strictObject({
  experiment_name: z._default(nonEmpty, 'Clasificacion_Niveles_Obesidad'),
  tracking_uri: z._default(nonEmpty, 'file:./mlruns'),
  run_name: z._default(nonEmpty, 'dvc_pipeline_run'),
  // ours: the model registry the ml stage registers its winning bundle in, and the api serves from
  registered_model_name: z._default(nonEmpty, 'obesity-classifier'),
  champion_alias: z._default(z.string().check(z.regex(/^[\w-]{1,255}$/)), 'champion'),
  promote_metric: z._default(z.enum(['cv_score', 'test_accuracy', 'test_f1']), 'cv_score'),
});

// ours: simulate's transformations (the predecessor's magnitudes); maps keep their YAML order, which is the draw order.
const driftSimulateSchema = z.strictObject({
  seed: z._default(int.check(z.nonnegative(), z.lte(4294967295)), 42),
  generator: z._default(z.enum(['numpy', 'core']), 'numpy'),
  shifts: z._default(z.record(nonEmpty, z.number().check(z.gt(-1))), {
    Age: 0.1,
    Weight: 0.15,
    Height: 0.05,
  }),
  shift_noise: z._default(z.number().check(z.nonnegative()), 0.1),
  noise: z._default(z.record(nonEmpty, z.number().check(z.nonnegative())), {
    FCVC: 0.03,
    NCP: 0.03,
    CH2O: 0.03,
    FAF: 0.03,
    TUE: 0.03,
  }),
});

const driftSchema = z.strictObject({
  baseline_version: z._default(z.string(), 'v1.0.0'),
  psi_threshold: z._default(positive, 0.25),
  ks_threshold: z._default(probability, 0.1),
  output_dir: z._default(path, 'reports/drift'),
  alert_threshold: z._default(z.number().check(z.gt(0), z.lte(1)), 0.5),
  // ours
  drift_share: z._default(z.number().check(z.gt(0), z.lte(1)), 0.5),
  pvalue_threshold: z._default(probability, 0.05),
  distance_threshold: z._default(positive, 0.1),
  psi_bins: z._default(int.check(z.gte(2)), 10),
  psi_binning: z._default(z.enum(['equal_width', 'quantile']), 'equal_width'),
  min_rows: z._default(positiveInt, 2),
  performance_warning: z._default(probability, 0.05),
  performance_critical: z._default(probability, 0.1),
  important_features: z._default(int.check(z.nonnegative()), 3),
  fail_on_drift: z._default(z.boolean(), false),
  simulate: z.prefault(driftSimulateSchema, {}),
});

const compareSchema = z.strictObject({
  mode: z._default(z.enum(['aligned', 'distribution']), 'distribution'),
  fail_on_diff: z._default(z.boolean(), false),
  rtol: z._default(z.number().check(z.nonnegative()), 1e-6),
  atol: z._default(z.number().check(z.nonnegative()), 1e-6),
  alpha: z._default(probability, 0.05),
  max_examples: z._default(positiveInt, 5),
});

const loggingSchema = z.strictObject({
  level: z._default(z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']), 'INFO'),
  format: z._default(z.string(), '%(asctime)s - %(name)s - %(levelname)s - %(message)s'),
});

const csvSchema = z.strictObject({
  // The longest CSV record (line) a stage reads, in characters: longer is bad input, so a binary file or a
  // 600 MB single line fails at once naming the file and line instead of filling memory.
  max_line_chars: z._default(positiveInt, 8 * 1024 * 1024),
});

/** Each section defaults to its own defaults, so a file may omit any section. */
function section<T extends z.ZodMiniObject>(schema: T) {
  return z.prefault(schema, {} as z.input<T>);
}

export const paramsSchema = z.strictObject({
  data: section(dataSchema),
  preprocessing: section(preprocessingSchema),
  cleaning: section(cleaningSchema),
  models: section(modelsSchema),
  training: section(trainingSchema),
  evaluation: section(evaluationSchema),
  reports: section(reportsSchema),
  mlflow: section(mlflowSchema),
  drift: section(driftSchema),
  compare: section(compareSchema),
  logging: section(loggingSchema),
  csv: section(csvSchema),
});

export type Params = z.output<typeof paramsSchema>;

/**
 * zod/mini loads no messages by default (an issue would read "Invalid input"); English ones are passed per parse
 * rather than with the global z.config(), so importing @mlops/core changes nothing for another zod user.
 */
const englishMessages = en().localeError;

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.length ? `${formatKeyPath(issue.path)}.` : '';
    return issue.keys.map((k) => `${base}${k}: unknown key`).join('; ');
  }
  return `${formatKeyPath(issue.path)}: ${issue.message}`;
}

/** Validate an already-parsed object; `source` names where it came from in error messages. */
export function parseParams(value: unknown, source = DEFAULT_PARAMS_PATH): Params {
  const result = paramsSchema.safeParse(value ?? {}, { error: englishMessages });
  if (!result.success) {
    const details = result.error.issues.map(describeIssue).join('; ');
    throw new InputError(`${source}: invalid params: ${details}`);
  }
  return result.data;
}

/** Parse params.yaml text; YAML syntax errors name the file, line and column. */
export function parseParamsYaml(text: string, source = DEFAULT_PARAMS_PATH): Params {
  return paramsFromYamlValue(parseYamlData(text, source), source);
}

function paramsFromYamlValue(value: unknown, source: string): Params {
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new InputError(`${source}: invalid params: the top level must be a mapping of sections`);
  }
  return parseParams(value, source);
}

export interface LoadParamsOptions {
  /** Where warnings go (an empty file); without it they are not shown. */
  logger?: { warn(message: string): void };
}

/**
 * Load and validate a params file. A missing file, a folder or an unreadable file is an InputError naming it; an
 * empty file (or one of comments only) gives every default, with a warning naming the file, since it is more
 * likely a mistake than a choice.
 */
export async function loadParams(
  file = DEFAULT_PARAMS_PATH,
  options: LoadParamsOptions = {},
): Promise<Params> {
  let text: string;
  try {
    // A params file is small and regular: /dev/zero, a pipe or a 1 GB file is refused, never read into memory.
    const info = await stat(file);
    if (info.isFile() && info.size > MAX_PARAMS_BYTES)
      throw new InputError(
        `${file}: ${info.size} bytes is too large for a params file (at most ${MAX_PARAMS_BYTES})`,
      );
    if (!info.isFile() && !info.isDirectory())
      throw new InputError(
        `${file}: is not a regular file (a device, a pipe or a socket), not a params file`,
      );
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (isErrnoException(error)) {
      if (error.code === 'ENOENT') throw new InputError(`${file}: params file not found`);
      if (error.code === 'EISDIR')
        throw new InputError(`${file}: is a folder, not a params file (give --params FILE.yaml)`);
      if (error.code === 'EACCES' || error.code === 'EPERM')
        throw new InputError(`${file}: cannot read the params file: permission denied`);
      if (error.code === 'ENOTDIR')
        throw new InputError(`${file}: params file not found (a part of the path is a file)`);
    }
    throw error;
  }
  const value = parseYamlData(text, file);
  if (value === null || value === undefined)
    options.logger?.warn(`${file}: the params file is empty; every parameter takes its default value`);
  return paramsFromYamlValue(value, file);
}

/** The defaults of every key, as a complete Params object. */
export function defaultParams(): Params {
  return paramsSchema.parse({});
}

/**
 * Look up a dotted key path ("models.random_forest.max_depth") in params: used to declare which keys a stage reads
 * (dvc.yaml `params:`, Nx inputs) and to check that every declared key exists.
 */
export function paramAt(params: Params, keyPath: string): unknown {
  let node: unknown = params;
  for (const part of keyPath.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) {
      throw new InputError(`params: unknown key path ${keyPath}`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
