// A model bundle for the benchmark only: a multinomial logistic regression fitted briefly by gradient descent
// through packages/model's own preprocessing (its quality does not matter here, its inference cost does).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export async function benchBundle(root, csv, modelDir) {
  const core = await import(join(root, 'packages/core/dist/index.js'));
  const m = await import(join(root, 'packages/model/dist/index.js'));
  const { loadTable } = await import(join(root, 'packages/drift/dist/index.js'));
  const spec = m.obesityFeatureSpec();
  const table = await loadTable(csv);
  const code = (n) => ({ codes: table.columns.get(n).codes, levels: [...table.columns.get(n).levels] });
  const numeric = new Map(spec.numeric.map((f) => [f.name, table.columns.get(f.name).values]));
  const categorical = new Map(spec.categorical.map((f) => [f.name, code(f.name)]));
  const enc = m.encodeColumns(spec, table.rowCount, numeric, categorical);
  const labels = [...spec.target.classes];
  const target = code(spec.target.name);
  const y = Array.from(enc.rowIndex, (r) => labels.indexOf(target.levels[target.codes[r]]));
  const order = new core.SeededRng(42).permutation(enc.batch.rows);
  const nTest = Math.round(enc.batch.rows * 0.2);
  const testIdx = [...order.subarray(0, nTest)].sort((a, b) => a - b);
  const trainIdx = [...order.subarray(nTest)].sort((a, b) => a - b);
  const train = m.selectRows(enc.batch, trainIdx);
  const preprocessing = m.fitPreprocessing(train, spec);
  const x = new m.Preprocessor(preprocessing).transform(train);
  const k = labels.length;
  const w = new Float64Array(k * x.cols);
  const b = new Float64Array(k);
  for (let it = 0; it < 60; it++) {
    const gw = new Float64Array(w.length);
    const gb = new Float64Array(k);
    for (let r = 0; r < x.rows; r++) {
      const z = new Float64Array(k);
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = b[c];
        for (let j = 0; j < x.cols; j++) s += w[c * x.cols + j] * x.data[r * x.cols + j];
        z[c] = s;
        max = Math.max(max, s);
      }
      let total = 0;
      for (let c = 0; c < k; c++) total += z[c] = Math.exp(z[c] - max);
      const yr = y[trainIdx[r]];
      for (let c = 0; c < k; c++) {
        const g = z[c] / total - (yr === c ? 1 : 0);
        gb[c] += g;
        for (let j = 0; j < x.cols; j++) gw[c * x.cols + j] += g * x.data[r * x.cols + j];
      }
    }
    for (let i = 0; i < w.length; i++) w[i] -= gw[i] / x.rows;
    for (let c = 0; c < k; c++) b[c] -= gb[c] / x.rows;
  }
  const names = m.featureNames(spec);
  const content = {
    model_name: 'LogisticRegression',
    algorithm: 'logistic_regression',
    feature_spec: spec,
    preprocessing,
    labels,
    model: { kind: 'logistic_regression', nFeatures: x.cols, nClasses: k, coef: [...w], intercept: [...b] },
    training_data: {
      md5: createHash('md5').update(readFileSync(csv)).digest('hex'),
      file: basename(csv),
      rows: table.rowCount,
      test_size: 0.2,
      random_state: 42,
      test_indices: testIdx.map((i) => enc.rowIndex[i]),
      train_rows: trainIdx.length,
      test_rows: testIdx.length,
      class_counts: labels.map((_, c) => trainIdx.filter((i) => y[i] === c).length),
    },
    params: { note: 'benchmark bundle: 60 gradient steps' },
    metrics: { scoring: 'accuracy', cv: {}, test: { accuracy: 0.5, precision: 0.5, recall: 0.5, f1: 0.5 } },
    feature_importances: {
      method: 'fixed (benchmark)',
      scoring: 'accuracy',
      features: names,
      importances: names.map((n) => (n === 'BMI' ? 0.3 : n === 'Weight' ? 0.2 : n === 'Gender' ? 0.1 : 0.01)),
      std: names.map(() => 0),
    },
    reference: m.referenceStatistics(train, spec),
  };
  m.writeModelFolder(modelDir, [{ name: m.BUNDLE_FILE, data: m.serializeBundle(content) }]);
}
