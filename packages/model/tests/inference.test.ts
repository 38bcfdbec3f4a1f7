import { describe, expect, it } from 'vitest';
import {
  LoadedModel,
  RowValidationError,
  encodeRows,
  loadBundleText,
  logisticRegressionPredictor,
  predictorFromJson,
  serializeBundle,
} from '../src/index.js';
import { sampleBundle, sampleRows } from './helpers.js';

describe('predictor registry', () => {
  it('builds known kinds and names unknown ones and bad fields', () => {
    expect(() => predictorFromJson({ kind: 'nope', nFeatures: 1, nClasses: 2 })).toThrow(
      'model: unknown kind "nope"',
    );
    expect(() => predictorFromJson({ kind: 'logistic_regression', nFeatures: 0, nClasses: 2 })).toThrow(
      '"nFeatures"',
    );
    expect(() =>
      predictorFromJson({
        kind: 'logistic_regression',
        nFeatures: 2,
        nClasses: 2,
        coef: [1, 2, 3],
        intercept: [0, 0],
      }),
    ).toThrow('logistic_regression: field "coef" has 3 values, expected 4');
  });

  it('logistic regression: softmax of W x + b', () => {
    const p = logisticRegressionPredictor({
      kind: 'logistic_regression',
      nFeatures: 2,
      nClasses: 3,
      coef: [1, 0, 0, 1, 0, 0],
      intercept: [0, 0, Math.log(2)],
    });
    const out = p.predictProba({ data: Float64Array.of(0, 0, 1000, 0), rows: 2, cols: 2 });
    expect([...out.subarray(0, 3)].map((v) => +v.toFixed(12))).toEqual([0.25, 0.25, 0.5]);
    expect(out[3]).toBeCloseTo(1, 12);
  });
});

describe('LoadedModel', () => {
  const model = loadBundleText(serializeBundle(sampleBundle()));
  const rows = sampleRows(30, 99);

  it('predicts class names with probabilities that sum to 1, in label order', () => {
    const { predictions, warnings, invalid } = model.predict(rows);
    expect(predictions).toHaveLength(30);
    expect(invalid).toEqual([]);
    expect(warnings).toEqual([]);
    for (const p of predictions) {
      const values = Object.values(p.probabilities);
      expect(Object.keys(p.probabilities)).toEqual(model.labels);
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(p.label).toBe(model.labels[p.classIndex]);
      expect(Math.max(...values)).toBe(p.probabilities[p.label]);
    }
    // more than one class predicted: the scores depend on the rows
    expect(new Set(predictions.map((p) => p.label)).size).toBeGreaterThan(1);
  });

  it('one row at a time gives the batch results', () => {
    const batch = model.predict(rows).predictions;
    rows.forEach((row, i) => expect(model.predictOne(row)).toEqual(batch[i]));
    const proba = new Float64Array(7);
    expect(model.predictOneInto(rows[3]!, proba)).toBe(batch[3]!.classIndex);
  });

  it('scores the raw batch path (evaluation) like the row path (serving)', () => {
    const { batch } = encodeRows(model.encoder, rows);
    const proba = model.predictBatch(batch);
    expect(proba[7 * 5 + 2]).toBe(model.predict(rows).predictions[5]!.probabilities[model.labels[2]!]);
  });

  it('invalid rows throw naming row and field, or are skipped on request', () => {
    const bad = [rows[0]!, { ...rows[1]!, Age: 'old' }, rows[2]!];
    expect(() => model.predict(bad)).toThrow(RowValidationError);
    expect(() => model.predict(bad)).toThrow('invalid input: row 1, field "Age": "old" is not a number');
    const skipped = model.predict(bad, { skipInvalid: true, firstRowNumber: 1 });
    expect(skipped.predictions).toHaveLength(2);
    expect([...skipped.rowIndex]).toEqual([0, 2]);
    expect(skipped.invalid).toEqual([{ row: 2, field: 'Age', message: '"old" is not a number' }]);
    expect(() => model.predictOne({ ...rows[0]!, Height: 0.2 })).toThrow(
      'row 0, field "Height": 0.2 is outside the valid range [1, 2.5]',
    );
  });

  it('unknown categories: zeros, a batch warning, never a crash', () => {
    const res = model.predict([
      { ...rows[0]!, MTRANS: 'Private_Car' },
      rows[1]!,
      { ...rows[2]!, MTRANS: 'Private_Car' },
    ]);
    expect(res.predictions).toHaveLength(3);
    expect(res.unknownCategories).toEqual({ MTRANS: { count: 2, values: ['Private_Car'] } });
    expect(res.warnings).toEqual(['unknown categories encoded as all zeros: MTRANS: 2 rows ("Private_Car")']);
    const one = model.predictOne({ ...rows[0]!, Gender: 'other' });
    expect(one.unknownCategories).toEqual({ Gender: { count: 1, values: ['other'] } });
    expect(model.predictOne(rows[0]!).unknownCategories).toBeUndefined();
  });

  it('refuses a bundle whose model does not fit its preprocessing', () => {
    const b = sampleBundle();
    const broken = {
      ...b,
      model: { ...b.model, nFeatures: 31, coef: (b.model['coef'] as number[]).slice(0, 7 * 31) },
    };
    expect(() => new LoadedModel(broken)).toThrow('model expects 31 features; the preprocessing gives 32');
  });
});

describe('a spec without BMI', () => {
  it('encodes 8 numerics, fits 31 columns and serves', async () => {
    const { RowEncoder, fitPreprocessing, obesityFeatureSpec, Preprocessor } =
      await import('../src/index.js');
    const spec = obesityFeatureSpec({ bmi: false });
    const rows = sampleRows(50, 5);
    const { batch } = encodeRows(new RowEncoder(spec), rows);
    expect(batch.numericWidth).toBe(8);
    const preprocessing = fitPreprocessing(batch, spec, { scale: false });
    expect(preprocessing.numeric.map((s) => [s.mean, s.scale])).toEqual(Array(8).fill([0, 1]));
    const width = new Preprocessor(preprocessing).outputWidth;
    expect(width).toBe(31);
    const b = sampleBundle();
    const model = new LoadedModel({
      ...b,
      feature_spec: spec,
      preprocessing,
      model: { ...b.model, nFeatures: width, coef: (b.model['coef'] as number[]).slice(0, 7 * width) },
    });
    const p = model.predictOne(rows[0]!);
    expect(Object.values(p.probabilities).reduce((a, c) => a + c, 0)).toBeCloseTo(1, 12);
    // the raw value passes unscaled: Age is column 0
    const x = model.preprocessor.transform(encodeRows(model.encoder, [rows[0]!]).batch);
    expect(x.data[0]).toBe(rows[0]!['Age']);
  });
});
