// Test helpers: CSV text builders and a real (small) model bundle trained here through packages/model's own
// preprocessing: a multinomial logistic regression fitted by gradient descent on a seeded 80% of the rows, scored
// on the held-out 20%, with permutation importances (accuracy drop) of the 16 inputs and BMI on those rows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { COLUMN_NAMES, SeededRng, bmiClass, type CodeColumn } from '@mlops/core';
import { expect } from 'vitest';
import {
  BUNDLE_FILE,
  argmax,
  encodeColumns,
  featureNames,
  fitPreprocessing,
  obesityFeatureSpec,
  Preprocessor,
  referenceStatistics,
  selectRows,
  serializeBundle,
  writeModelFolder,
  type BundleContent,
  type LogisticRegressionJson,
  type RawBatch,
} from '@mlops/model';
import { classificationMetrics, loadTable, type Table } from '../src/index.js';

function codeColumn(table: Table, name: string): CodeColumn {
  const c = table.columns.get(name)!;
  return { codes: c.codes!, levels: [...c.levels!] };
}

function softmaxFit(
  x: Float64Array,
  rows: number,
  cols: number,
  y: Int32Array,
  k: number,
  iterations: number,
) {
  const w = new Float64Array(k * cols);
  const b = new Float64Array(k);
  const p = new Float64Array(k);
  const gw = new Float64Array(k * cols);
  const gb = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    gw.fill(0);
    gb.fill(0);
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let z = b[c]!;
        for (let j = 0; j < cols; j++) z += w[c * cols + j]! * x[r * cols + j]!;
        p[c] = z;
        if (z > max) max = z;
      }
      let s = 0;
      for (let c = 0; c < k; c++) s += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = p[c]! / s - (y[r] === c ? 1 : 0);
        gb[c]! += g;
        for (let j = 0; j < cols; j++) gw[c * cols + j]! += g * x[r * cols + j]!;
      }
    }
    for (let i = 0; i < w.length; i++) w[i]! -= gw[i]! / rows + 1e-4 * w[i]!;
    for (let c = 0; c < k; c++) b[c]! -= gb[c]! / rows;
  }
  const r9 = (v: number) => Math.round(v * 1e9) / 1e9;
  return { coef: [...w].map(r9), intercept: [...b].map(r9) };
}

/** Train a small logistic-regression bundle on a clean CSV and write MODEL_DIR/model_bundle.json. */
export async function trainBundle(
  csv: string,
  modelDir: string,
  seed = 42,
  iterations = 300,
): Promise<BundleContent> {
  const spec = obesityFeatureSpec();
  const table = await loadTable(csv);
  const numeric = new Map(spec.numeric.map((f) => [f.name, table.columns.get(f.name)!.values!]));
  const categorical = new Map(spec.categorical.map((f) => [f.name, codeColumn(table, f.name)]));
  const encoded = encodeColumns(spec, table.rowCount, numeric, categorical);
  const labels = [...spec.target.classes];
  const target = codeColumn(table, spec.target.name);
  const y = Int32Array.from(encoded.rowIndex, (r) => labels.indexOf(target.levels[target.codes[r]!]!));
  const rng = new SeededRng(seed);
  const order = rng.permutation(encoded.batch.rows);
  const nTest = Math.round(encoded.batch.rows * 0.2);
  const testIdx = [...order.subarray(0, nTest)].sort((a, b) => a - b);
  const trainIdx = [...order.subarray(nTest)].sort((a, b) => a - b);
  const train = selectRows(encoded.batch, trainIdx);
  const test = selectRows(encoded.batch, testIdx);
  const preprocessing = fitPreprocessing(train, spec);
  const pre = new Preprocessor(preprocessing);
  const xTrain = pre.transform(train);
  const yTrain = Int32Array.from(trainIdx, (i) => y[i]!);
  const yTest = Int32Array.from(testIdx, (i) => y[i]!);
  const fit = softmaxFit(xTrain.data, xTrain.rows, xTrain.cols, yTrain, labels.length, iterations);
  const model: LogisticRegressionJson = {
    kind: 'logistic_regression',
    nFeatures: xTrain.cols,
    nClasses: labels.length,
    coef: fit.coef,
    intercept: fit.intercept,
  };
  const k = labels.length;
  const predict = (batch: RawBatch) => {
    const x = pre.transform(batch);
    const out = new Int32Array(batch.rows);
    const z = new Float64Array(k);
    for (let r = 0; r < batch.rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = model.intercept[c]!;
        for (let j = 0; j < x.cols; j++) s += model.coef[c * x.cols + j]! * x.data[r * x.cols + j]!;
        z[c] = s;
      }
      out[r] = argmax(z, 0, k);
    }
    return out;
  };
  const testMetrics = classificationMetrics(yTest, predict(test), k);
  const names = featureNames(spec);
  const numericNames = [...spec.numeric.map((f) => f.name), ...spec.derived.map((f) => f.name)];
  const perm = new SeededRng(seed + 1).permutation(test.rows);
  const importances = names.map((name) => {
    const copy: RawBatch = { ...test, numeric: test.numeric.slice(), categorical: test.categorical.slice() };
    const at = numericNames.indexOf(name);
    const j = spec.categorical.findIndex((f) => f.name === name);
    for (let r = 0; r < test.rows; r++) {
      if (at >= 0)
        copy.numeric[r * test.numericWidth + at] = test.numeric[perm[r]! * test.numericWidth + at]!;
      else
        copy.categorical[r * test.categoricalWidth + j] =
          test.categorical[perm[r]! * test.categoricalWidth + j]!;
    }
    const drop = testMetrics.accuracy - classificationMetrics(yTest, predict(copy), k).accuracy;
    return Math.round(drop * 1e6) / 1e6;
  });
  const content: BundleContent = {
    model_name: 'LogisticRegression',
    algorithm: 'logistic_regression',
    feature_spec: spec,
    preprocessing,
    labels,
    model,
    training_data: {
      md5: createHash('md5').update(readFileSync(csv)).digest('hex'),
      file: basename(csv),
      rows: table.rowCount,
      test_size: 0.2,
      random_state: seed,
      test_indices: testIdx.map((i) => encoded.rowIndex[i]!),
      train_rows: trainIdx.length,
      test_rows: testIdx.length,
      class_counts: labels.map((_, c) => yTrain.filter((v) => v === c).length),
    },
    params: { solver: 'gradient descent (drift test helper)', iterations },
    metrics: { scoring: 'accuracy', cv: {}, test: { ...testMetrics } },
    feature_importances: {
      method: 'permutation',
      scoring: 'accuracy',
      features: names,
      importances,
      std: names.map(() => 0),
    },
    reference: referenceStatistics(train, spec),
  };
  writeModelFolder(modelDir, [{ name: BUNDLE_FILE, data: serializeBundle(content) }]);
  return content;
}

/** A CSV text from a header and rows. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

/** An obesity-like clean CSV (the 17 columns of the real file), labels from the WHO class of the BMI. */
export function obesityCsv(n: number, seed = 1): string {
  const rng = new SeededRng(seed);
  const rows: (string | number)[][] = [];
  const pick = <T>(xs: readonly T[]) => rng.pick(xs);
  for (let i = 0; i < n; i++) {
    const male = rng.bernoulli(0.5);
    const height = Math.round((male ? rng.normal(1.76, 0.08) : rng.normal(1.63, 0.07)) * 100) / 100;
    const bmiValue = Math.min(50, Math.max(15, rng.normal(29, 7)));
    const weight = Math.round(Math.min(190, Math.max(40, bmiValue * height * height)) * 10) / 10;
    const age = Math.round(Math.min(60, Math.max(14, rng.normal(24, 6))) * 10) / 10;
    const label = bmiClass(weight / (height * height));
    rows.push([
      male ? 'Male' : 'Female',
      age.toFixed(1),
      height.toFixed(2),
      weight.toFixed(1),
      pick(['yes', 'no']),
      pick(['yes', 'no']),
      (1 + Math.round(rng.uniform() * 200) / 100).toString(),
      (1 + Math.round(rng.uniform() * 300) / 100).toString(),
      pick(['no', 'Sometimes', 'Frequently', 'Always']),
      pick(['yes', 'no']),
      (1 + Math.round(rng.uniform() * 200) / 100).toString(),
      pick(['yes', 'no']),
      (Math.round(rng.uniform() * 300) / 100).toString(),
      (Math.round(rng.uniform() * 200) / 100).toString(),
      pick(['no', 'Sometimes', 'Frequently']),
      pick(['Public_Transportation', 'Automobile', 'Walking']),
      label,
    ]);
  }
  return csvText(COLUMN_NAMES, rows);
}

/** A drift score equal to Evidently's: 1e-9 relative for distances, 1e-6 for p-values (p = 0 matched below 1e-300). */
export function expectScore(actual: number | null, wanted: number, pvalue: boolean, what: string): void {
  expect(actual, what).not.toBeNull();
  const rel = pvalue ? 1e-6 : 1e-9;
  const tol = Math.max(rel * Math.abs(wanted), wanted === 0 ? 1e-300 : 1e-15);
  if (!(Math.abs(actual! - wanted) <= tol)) expect.fail(`${what}: ours ${actual}, Evidently ${wanted}`);
}
