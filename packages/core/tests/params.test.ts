import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultParams, InputError, loadParams, paramAt, parseParamsYaml } from '../src/index.js';

const repoParams = fileURLToPath(new URL('../../../config/params.yaml', import.meta.url));

/** The predecessor's config/params.yaml, key for key (spec §12.1). */
const PREDECESSOR_PARAMS = `
data:
  raw_path: "data/raw/obesity_estimation_modified.csv"
  interim_path: "data/interim/dataset_limpio_refactored.csv"
  processed_path: "data/processed/dataset_final.csv"
  test_size: 0.2
  random_state: 42
preprocessing:
  create_bmi: true
  handle_outliers: true
  scale_features: true
  outlier_method: "iqr"
  iqr_multiplier: 1.5
models:
  output_dir: "models"
  algorithms: [random_forest, xgboost, knn, svm]
  random_forest: {n_estimators: 200, max_depth: 10, random_state: 42}
  xgboost: {n_estimators: 200, max_depth: 5, learning_rate: 0.1, random_state: 42}
  knn: {n_neighbors: 5}
  svm: {kernel: "linear", C: 1.0}
training:
  cross_validation: true
  cv_folds: 5
  scoring: "f1_weighted"
  random_search_iterations: 20
  random_state: 42
evaluation:
  metrics: [accuracy, precision, recall, f1, roc_auc]
  generate_plots: true
  confusion_matrix: true
reports:
  figures_dir: "reports/figures"
  metrics_dir: "reports/metrics"
  format: "png"
  dpi: 300
mlflow:
  experiment_name: "Clasificacion_Niveles_Obesidad"
  tracking_uri: "file:./mlruns"
  run_name: "dvc_pipeline_run"
drift:
  baseline_version: "v1.0.0"
  psi_threshold: 0.25
  ks_threshold: 0.1
  output_dir: "reports/drift"
  alert_threshold: 0.5
logging:
  level: "INFO"
  format: "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
`;

describe('params', () => {
  it('loads the repository params.yaml, equal to the defaults', async () => {
    const params = await loadParams(repoParams);
    expect(params).toEqual(defaultParams());
    expect(params.models.random_forest.max_depth).toBe(10);
    expect(params.cleaning.drop_duplicates).toBe(false);
  });

  it("accepts the predecessor's params file as it is and fills our keys with defaults", () => {
    const params = parseParamsYaml(PREDECESSOR_PARAMS, 'old/params.yaml');
    expect(params.drift.psi_threshold).toBe(0.25);
    expect(params.compare.mode).toBe('distribution');
    expect(params.training.scoring).toBe('f1_weighted');
  });

  it('accepts an empty file (all defaults)', () => {
    expect(parseParamsYaml('', 'p.yaml')).toEqual(defaultParams());
  });

  it('rejects an unknown key, naming the key path and the file', () => {
    expect(() => parseParamsYaml('models:\n  random_forest:\n    n_trees: 3\n', 'cfg/p.yaml')).toThrow(
      /cfg\/p\.yaml: .*models\.random_forest\.n_trees: unknown key/,
    );
    expect(() => parseParamsYaml('modelz: {}\n', 'p.yaml')).toThrow(/p\.yaml: .*modelz: unknown key/);
  });

  it('rejects a wrong type, naming the key path', () => {
    const attempt = () => parseParamsYaml('models:\n  random_forest:\n    max_depth: "ten"\n', 'p.yaml');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/p\.yaml: invalid params: models\.random_forest\.max_depth: .*number/);
    expect(() => parseParamsYaml('data:\n  test_size: 1.5\n', 'p.yaml')).toThrow(/data\.test_size/);
    expect(() => parseParamsYaml('models:\n  algorithms: [random_forest, gbm]\n', 'p.yaml')).toThrow(
      /models\.algorithms\[1\]/,
    );
  });

  it('rejects bad YAML with file, line and column, and exit code 2', () => {
    try {
      parseParamsYaml('data:\n  raw_path: [unclosed\n', 'bad.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(/^bad\.yaml: bad YAML at line \d+, column \d+/);
    }
    expect(() => parseParamsYaml('data: 1\ndata: 2\n', 'dup.yaml')).toThrow(/dup\.yaml: bad YAML/);
    expect(() => parseParamsYaml('- a\n- b\n', 'list.yaml')).toThrow(/list\.yaml: .*mapping/);
  });

  it('refuses hostile YAML: an alias bomb and non-plain values, as bad input', () => {
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    expect(() => parseParamsYaml(bomb, 'bomb.yaml')).toThrow(InputError);
    expect(() => parseParamsYaml(bomb, 'bomb.yaml')).toThrow(/^bomb\.yaml: bad YAML: .*alias/);
    expect(() => parseParamsYaml('data:\n  raw_path: !!binary aGVsbG8=\n', 'bin.yaml')).toThrow(
      'bin.yaml: data.raw_path: only mappings, lists, strings, numbers and booleans are allowed',
    );
  });

  it('names a missing params file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'params-'));
    await expect(loadParams(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: params file not found/);
    await writeFile(join(dir, 'p.yaml'), 'drift:\n  psi_threshold: -1\n');
    await expect(loadParams(join(dir, 'p.yaml'))).rejects.toThrow(/drift\.psi_threshold/);
  });

  it('looks up dotted key paths and rejects unknown ones', () => {
    const params = defaultParams();
    expect(paramAt(params, 'models.xgboost.learning_rate')).toBe(0.1);
    expect(() => paramAt(params, 'models.gbm')).toThrow(/unknown key path models\.gbm/);
  });
});
