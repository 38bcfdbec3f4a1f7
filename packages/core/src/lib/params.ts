/**
 * params.yaml: one typed schema. Every key of the predecessor's file (spec §12.1) is accepted with its value as the
 * default, so a predecessor user can bring theirs; our own keys are optional with defaults. An unknown key, a
 * wrong type or bad YAML is an InputError naming the file and the key path (exit code 2).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError, isErrnoException } from './errors.js';
import { formatKeyPath, parseYamlData } from './yaml.js';

export const DEFAULT_PARAMS_PATH = 'config/params.yaml';

const probability = z.number().gt(0).lt(1);
const positiveInt = z.number().int().positive();
const path = z.string().min(1);

const dataSchema = z
  .object({
    raw_path: path.default('data/raw/obesity_estimation_modified.csv'),
    interim_path: path.default('data/interim/dataset_limpio_refactored.csv'),
    processed_path: path.default('data/processed/dataset_final.csv'),
    test_size: probability.default(0.2),
    random_state: z.number().int().default(42),
    // ours: the rest of the dataset catalog
    drifted_path: path.default('data/interim/dataset_with_drift.csv'),
    profile_dir: path.default('reports/eda'),
  })
  .strict();

const preprocessingSchema = z
  .object({
    create_bmi: z.boolean().default(true),
    handle_outliers: z.boolean().default(true),
    scale_features: z.boolean().default(true),
    outlier_method: z.enum(['iqr', 'range', 'none']).default('iqr'),
    iqr_multiplier: z.number().positive().default(1.5),
  })
  .strict();

const cleaningSchema = z
  .object({
    drop_missing_target: z.boolean().default(false),
    drop_duplicates: z.boolean().default(false),
    outlier_median_excludes_outliers: z.boolean().default(false),
  })
  .strict();

const modelsSchema = z
  .object({
    output_dir: path.default('models'),
    algorithms: z
      .array(z.enum(['random_forest', 'xgboost', 'knn', 'svm', 'logistic_regression', 'mlp']))
      .min(1)
      .default(['random_forest', 'xgboost', 'knn', 'svm']),
    random_forest: z
      .object({
        n_estimators: positiveInt.default(200),
        max_depth: positiveInt.default(10),
        random_state: z.number().int().default(42),
      })
      .strict()
      .prefault({}),
    xgboost: z
      .object({
        n_estimators: positiveInt.default(200),
        max_depth: positiveInt.default(5),
        learning_rate: z.number().positive().default(0.1),
        random_state: z.number().int().default(42),
      })
      .strict()
      .prefault({}),
    knn: z
      .object({ n_neighbors: positiveInt.default(5) })
      .strict()
      .prefault({}),
    svm: z
      .object({ kernel: z.enum(['linear', 'rbf']).default('linear'), C: z.number().positive().default(1.0) })
      .strict()
      .prefault({}),
  })
  .strict();

const trainingSchema = z
  .object({
    cross_validation: z.boolean().default(true),
    cv_folds: z.number().int().min(2).default(5),
    scoring: z.enum(['f1_weighted', 'accuracy', 'f1_macro', 'balanced_accuracy']).default('f1_weighted'),
    random_search_iterations: z.number().int().nonnegative().default(20),
    random_state: z.number().int().default(42),
  })
  .strict();

const evaluationSchema = z
  .object({
    metrics: z
      .array(z.enum(['accuracy', 'precision', 'recall', 'f1', 'roc_auc']))
      .default(['accuracy', 'precision', 'recall', 'f1', 'roc_auc']),
    generate_plots: z.boolean().default(true),
    confusion_matrix: z.boolean().default(true),
  })
  .strict();

const reportsSchema = z
  .object({
    figures_dir: path.default('reports/figures'),
    metrics_dir: path.default('reports/metrics'),
    format: z.enum(['png', 'svg']).default('png'),
    dpi: positiveInt.default(300),
  })
  .strict();

const mlflowSchema = z
  .object({
    experiment_name: z.string().min(1).default('Clasificacion_Niveles_Obesidad'),
    tracking_uri: z.string().min(1).default('file:./mlruns'),
    run_name: z.string().min(1).default('dvc_pipeline_run'),
  })
  .strict();

const driftSchema = z
  .object({
    baseline_version: z.string().default('v1.0.0'),
    psi_threshold: z.number().positive().default(0.25),
    ks_threshold: z.number().positive().default(0.1),
    output_dir: path.default('reports/drift'),
    alert_threshold: z.number().gt(0).max(1).default(0.5),
  })
  .strict();

const compareSchema = z
  .object({
    reference_path: path.default('data/raw/obesity_clean_reference.csv'),
    mode: z.enum(['aligned', 'distribution']).default('distribution'),
    output_dir: path.default('reports/compare'),
    fail_on_diff: z.boolean().default(false),
    rtol: z.number().nonnegative().default(1e-6),
    atol: z.number().nonnegative().default(1e-6),
    alpha: probability.default(0.05),
    max_examples: positiveInt.default(5),
  })
  .strict();

const loggingSchema = z
  .object({
    level: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']).default('INFO'),
    format: z.string().default('%(asctime)s - %(name)s - %(levelname)s - %(message)s'),
  })
  .strict();

/** Each section defaults to its own defaults, so a file may omit any section. */
function section<T extends z.ZodObject>(schema: T) {
  return schema.prefault({} as z.input<T>);
}

export const paramsSchema = z
  .object({
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
  })
  .strict();

export type Params = z.output<typeof paramsSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.length ? `${formatKeyPath(issue.path)}.` : '';
    return issue.keys.map((k) => `${base}${k}: unknown key`).join('; ');
  }
  return `${formatKeyPath(issue.path)}: ${issue.message}`;
}

/** Validate an already-parsed object; `source` names where it came from in error messages. */
export function parseParams(value: unknown, source = DEFAULT_PARAMS_PATH): Params {
  const result = paramsSchema.safeParse(value ?? {});
  if (!result.success) {
    const details = result.error.issues.map(describeIssue).join('; ');
    throw new InputError(`${source}: invalid params: ${details}`);
  }
  return result.data;
}

/** Parse params.yaml text; YAML syntax errors name the file, line and column. */
export function parseParamsYaml(text: string, source = DEFAULT_PARAMS_PATH): Params {
  const value = parseYamlData(text, source);
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new InputError(`${source}: invalid params: the top level must be a mapping of sections`);
  }
  return parseParams(value, source);
}

/** Load and validate a params file. A missing file is an InputError naming it. */
export async function loadParams(file = DEFAULT_PARAMS_PATH): Promise<Params> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'EISDIR')) {
      throw new InputError(`${file}: params file not found`);
    }
    throw error;
  }
  return parseParamsYaml(text, file);
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
