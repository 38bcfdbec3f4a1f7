import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultParams, InputError, loadParams, paramAt, parseParamsYaml } from '../src/index.js';
import { PREDECESSOR_PARAMS_YAML } from './fixtures/predecessor-params.js';

const repoParams = fileURLToPath(new URL('../../../config/params.yaml', import.meta.url));

describe('params', () => {
  it('loads the repository params.yaml, equal to the defaults', async () => {
    const params = await loadParams(repoParams);
    expect(params).toEqual(defaultParams());
    expect(params.models.random_forest.max_depth).toBe(10);
    expect(params.cleaning.drop_duplicates).toBe(false);
  });

  it("accepts the predecessor's params file as it is and fills our keys with defaults", () => {
    const params = parseParamsYaml(PREDECESSOR_PARAMS_YAML, 'old/params.yaml');
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

  it('names the file, the key path and the problem for every kind of bad value', () => {
    // zod/mini ships no messages of its own (they would all read "Invalid input"): these pin the English ones
    const message = (yaml: string) => {
      try {
        parseParamsYaml(yaml, 'cfg/p.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).exitCode).toBe(2);
        return (error as Error).message;
      }
      return expect.unreachable(`accepted: ${yaml}`);
    };
    const bad = (yaml: string, detail: string) =>
      expect(message(yaml)).toBe(`cfg/p.yaml: invalid params: ${detail}`);
    // wrong type: of a leaf, of a section, of a nested section, of a list
    bad('data:\n  test_size: "0.2"\n', 'data.test_size: Invalid input: expected number, received string');
    bad(
      'preprocessing:\n  create_bmi: "yes"\n',
      'preprocessing.create_bmi: Invalid input: expected boolean, received string',
    );
    bad('data:\n  raw_path: 3\n', 'data.raw_path: Invalid input: expected string, received number');
    bad('logging: 3\n', 'logging: Invalid input: expected object, received number');
    bad('models:\n  knn: [1]\n', 'models.knn: Invalid input: expected object, received array');
    bad('evaluation:\n  metrics: f1\n', 'evaluation.metrics: Invalid input: expected array, received string');
    bad('data:\n  test_size: .nan\n', 'data.test_size: Invalid input: expected number, received NaN');
    bad(
      'data:\n  random_state: .inf\n',
      'data.random_state: Invalid input: expected number, received Infinity',
    );
    // too small / too big, exclusive and inclusive bounds
    bad('data:\n  test_size: 1\n', 'data.test_size: Too big: expected number to be <1');
    bad('data:\n  test_size: 0\n', 'data.test_size: Too small: expected number to be >0');
    bad('drift:\n  alert_threshold: 1.01\n', 'drift.alert_threshold: Too big: expected number to be <=1');
    bad('training:\n  cv_folds: 1\n', 'training.cv_folds: Too small: expected number to be >=2');
    bad('compare:\n  rtol: -1e-9\n', 'compare.rtol: Too small: expected number to be >=0');
    bad('reports:\n  dpi: 0\n', 'reports.dpi: Too small: expected number to be >0');
    bad('models:\n  algorithms: []\n', 'models.algorithms: Too small: expected array to have >=1 items');
    // not an integer, and an integer past 2^53 that a float cannot hold exactly
    bad('training:\n  cv_folds: 2.5\n', 'training.cv_folds: Invalid input: expected int, received number');
    bad('data:\n  random_state: 1e17\n', 'data.random_state: Too big: expected int to be <=9007199254740991');
    // a value outside an enum, alone and inside a list
    bad('reports:\n  format: jpg\n', 'reports.format: Invalid option: expected one of "png"|"svg"|"both"');
    bad(
      'evaluation:\n  metrics: [f1, auc]\n',
      'evaluation.metrics[1]: Invalid option: expected one of "accuracy"|"precision"|"recall"|"f1"|"roc_auc"',
    );
    // an empty path or name
    bad('data:\n  raw_path: ""\n', 'data.raw_path: Too small: expected string to have >=1 characters');
    bad('mlflow:\n  run_name: ""\n', 'mlflow.run_name: Too small: expected string to have >=1 characters');
    // unknown keys: at the top level, in a section, in a nested section, several at once
    bad('modelz: {}\n', 'modelz: unknown key');
    bad('data:\n  test_siz: 0.3\n', 'data.test_siz: unknown key');
    bad('models:\n  svm:\n    degree: 3\n', 'models.svm.degree: unknown key');
    // our svm and mlp keys: a wrong gamma word, a hidden layer width that is not a positive integer
    bad('models:\n  svm:\n    gamma: auto\n', 'models.svm.gamma: Invalid input');
    bad('models:\n  mlp:\n    hidden_layers: [64, 0]\n', 'models.mlp.hidden_layers[1]: Too small: expected number to be >0');
    bad('training:\n  folds: 3\n  seed: 1\n', 'training.folds: unknown key; training.seed: unknown key');
    // every problem is reported, not only the first (in schema order, a section's unknown keys after its values)
    bad(
      'data:\n  test_size: 2\n  extra: 1\nreports:\n  dpi: -1\n',
      'data.test_size: Too big: expected number to be <1; data.extra: unknown key; reports.dpi: Too small: expected number to be >0',
    );
  });

  it('keeps the bounds exact: the edges that are allowed pass', () => {
    const params = parseParamsYaml(
      'data:\n  test_size: 0.999\n  random_state: -3\ndrift:\n  alert_threshold: 1\ntraining:\n  cv_folds: 2\n' +
        '  random_search_iterations: 0\ncompare:\n  rtol: 0\n',
      'p.yaml',
    );
    expect(params.data.test_size).toBe(0.999);
    expect(params.data.random_state).toBe(-3);
    expect(params.drift.alert_threshold).toBe(1);
    expect(params.training.cv_folds).toBe(2);
    expect(params.training.random_search_iterations).toBe(0);
    expect(params.compare.rtol).toBe(0);
    expect(params.compare.atol).toBe(1e-6);
  });

  it('fills an omitted or empty section with its defaults; a section left null is an error', () => {
    expect(parseParamsYaml('models:\n  knn: {}\n', 'p.yaml').models.knn.n_neighbors).toBe(5);
    expect(parseParamsYaml('data: {}\n', 'p.yaml').data).toEqual(defaultParams().data);
    expect(() => parseParamsYaml('data:\n', 'p.yaml')).toThrow(
      'p.yaml: invalid params: data: Invalid input: expected object, received null',
    );
    expect(() => parseParamsYaml('models:\n  svm:\n', 'p.yaml')).toThrow(
      'p.yaml: invalid params: models.svm: Invalid input: expected object, received null',
    );
    // defaults are fresh objects: changing one result does not leak into the next
    const first = defaultParams();
    first.models.algorithms.push('mlp');
    expect(defaultParams().models.algorithms).toEqual([
      'random_forest',
      'xgboost',
      'knn',
      'svm',
      'soft_voting',
    ]);
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
