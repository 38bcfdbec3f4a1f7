/**
 * The api's pure parts: configuration, payload parsing (MLflow, CSV, KServe), JSON body parsing, and serving drift
 * checked against packages/stats on the raw values the bundle's reference statistics summarize.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng, defaultParams } from '@mlops/core';
import { encodeRows, obesityFeatureSpec, referenceStatistics, RowEncoder } from '@mlops/model';
import { chi2Contingency, psiQuantile } from '@mlops/stats';
import {
  compilePredictionWriter,
  parseCorsOrigins,
  parseCsvRecords,
  parseInferRequest,
  parseJsonBody,
  parseServerLogLevel,
  psiOfCounts,
  readConfig,
  rowsFromCsv,
  rowsFromJsonPayload,
  servingDrift,
} from '../src/index.js';

describe('configuration', () => {
  it('defaults: port 8000, all interfaces, the catalog models folder, no CORS', () => {
    const c = readConfig({}, defaultParams());
    expect(c).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      modelDir: 'models',
      corsOrigins: [],
      logLevel: 'info',
    });
    expect(c.drift).toEqual({ psiThreshold: 0.25, pThreshold: 0.1, alertThreshold: 0.5 });
  });

  it('empty variables (compose passes ${X:-}) count as unset; MODEL_DIR overrides the catalog', () => {
    const c = readConfig(
      { PORT: '', HOST: '', MODEL_DIR: '/srv/models', LOG_LEVEL: '', CORS_ORIGINS: '' },
      defaultParams(),
    );
    expect(c).toMatchObject({ port: 8000, host: '0.0.0.0', modelDir: '/srv/models', logLevel: 'info' });
  });

  it('log levels as params.yaml spells them', () => {
    expect(parseServerLogLevel('INFO')).toBe('info');
    expect(parseServerLogLevel('WARNING')).toBe('warn');
    expect(parseServerLogLevel('CRITICAL')).toBe('fatal');
  });

  it('CORS: exact origins get credentials, "*" never does', () => {
    expect(parseCorsOrigins('https://a.example, http://localhost:3000/')).toEqual({
      origins: ['https://a.example', 'http://localhost:3000'],
      credentials: true,
    });
    expect(parseCorsOrigins('*')).toEqual({ origins: ['*'], credentials: false });
    expect(() => parseCorsOrigins('https://a.example/path')).toThrow(/is not an origin/);
  });
});

describe('MLflow payloads', () => {
  const fields = ['Age', 'Gender'];
  it('turns every JSON format into the same rows', () => {
    const rows = [
      { Age: 20, Gender: 'Male' },
      { Age: 30, Gender: 'Female' },
    ];
    expect(
      rowsFromJsonPayload(
        {
          dataframe_split: {
            columns: fields,
            data: [
              [20, 'Male'],
              [30, 'Female'],
            ],
          },
        },
        fields,
      ),
    ).toEqual(rows);
    expect(
      rowsFromJsonPayload(
        {
          dataframe_split: {
            data: [
              [20, 'Male'],
              [30, 'Female'],
            ],
          },
        },
        fields,
      ),
    ).toEqual(rows);
    expect(rowsFromJsonPayload({ dataframe_records: rows }, fields)).toEqual(rows);
    expect(rowsFromJsonPayload({ instances: rows }, fields)).toEqual(rows);
    expect(
      rowsFromJsonPayload(
        {
          inputs: [
            [20, 'Male'],
            [30, 'Female'],
          ],
        },
        fields,
      ),
    ).toEqual(rows);
    expect(rowsFromJsonPayload({ inputs: { Age: [20, 30], Gender: ['Male', 'Female'] } }, fields)).toEqual(
      rows,
    );
  });

  it('refuses ambiguous or malformed payloads with the reason', () => {
    expect(() => rowsFromJsonPayload({}, fields)).toThrow(
      /exactly one of the input fields .* received the fields: none/,
    );
    expect(() => rowsFromJsonPayload({ instances: [], extra: 1 }, fields)).toThrow(
      /received the fields: instances, extra/,
    );
    expect(() => rowsFromJsonPayload({ inputs: { Age: [1, 2], Gender: ['Male'] } }, fields)).toThrow(
      /inputs.Gender has 1 values; the other columns have 2/,
    );
    expect(() =>
      rowsFromJsonPayload({ dataframe_split: { columns: ['Age', 'Age'], data: [] } }, fields),
    ).toThrow(/appears twice/);
  });

  it('CSV: quoted fields, CRLF, BOM; numbers parsed only in numeric columns', () => {
    expect(parseCsvRecords('\uFEFFa,b\r\n"x,""y""",2\r\n\r\n')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x,"y"', '2'], line: 2 },
    ]);
    expect(rowsFromCsv('Age,Gender\n25,Male\n,Female\n', new Set(['Age']))).toEqual([
      { Age: 25, Gender: 'Male' },
      { Age: null, Gender: 'Female' },
    ]);
    expect(() => parseCsvRecords('a\n"open\n')).toThrow(/quote opened on line 2 is never closed/);
    expect(() => rowsFromCsv('a,b\n1\n', new Set())).toThrow(/line 2: 1 fields for 2 columns/);
  });
});

describe('KServe v2 requests', () => {
  const spec = obesityFeatureSpec();
  it('needs every input with the right datatype and one row count', () => {
    const inputs = [
      ...spec.numeric.map((f) => ({
        name: f.name,
        datatype: 'FP32',
        shape: [2],
        data: [f.range[0], f.range[1]],
      })),
      ...spec.categorical.map((f) => ({
        name: f.name,
        datatype: 'BYTES',
        shape: [2, 1],
        data: [[f.categories[0]], [f.categories[1]]],
      })),
    ];
    const parsed = parseInferRequest({ inputs }, spec);
    expect(parsed.rows).toHaveLength(2);
    expect(parsed.rows[1]).toMatchObject({ Age: 100, Gender: 'Male' });
    expect(parsed.outputs).toEqual(['label', 'probabilities']);
    expect(() => parseInferRequest({ inputs, outputs: [{ name: 'logits' }] }, spec)).toThrow(
      /"logits" is not an output/,
    );
    const short = inputs.map((t) => (t.name === 'NCP' ? { ...t, shape: [1], data: [2] } : t));
    expect(() => parseInferRequest({ inputs: short }, spec)).toThrow(
      /\(NCP\): 1 rows; the other inputs have 2/,
    );
  });
});

describe('the compiled prediction writer', () => {
  it('writes exactly what JSON.stringify writes for the same response object', () => {
    const spec = obesityFeatureSpec();
    const labels = [...spec.target.classes];
    const write = compilePredictionWriter(spec, labels, 'Model "x"', 'abc123');
    const rng = new SeededRng(3);
    for (let t = 0; t < 50; t++) {
      const row: Record<string, unknown> = {};
      for (const f of spec.numeric) row[f.name] = rng.uniformRange(f.range[0], f.range[1]);
      for (const f of spec.categorical) row[f.name] = rng.pick(f.categories);
      const proba = Array.from({ length: labels.length + 2 }, () => rng.uniform());
      const k = t % labels.length;
      const expected = {
        ...(t % 2 ? { index: t } : {}),
        prediction: labels[k],
        confidence: proba[2 + k],
        probabilities: Object.fromEntries(labels.map((l, c) => [l, proba[2 + c]])),
        features_received: Object.fromEntries(
          [...spec.numeric, ...spec.categorical].map((f) => [f.name, row[f.name]]),
        ),
        model_name: 'Model "x"',
        model_version: 'abc123',
      };
      expect(write(k, proba, 2, row, t % 2 ? t : undefined)).toBe(JSON.stringify(expected));
    }
  });
});

describe('JSON bodies', () => {
  it('parses JSON; names the field holding NaN or Infinity; refuses prototype keys at any depth', () => {
    expect(parseJsonBody('{"a":[1,{"b":2}]}')).toEqual({ a: [1, { b: 2 }] });
    expect(() => parseJsonBody('{"Age": NaN}')).toThrow(/field "Age": NaN is not a JSON number/);
    expect(() => parseJsonBody('{"x": 1, "TUE": -Infinity}')).toThrow(/field "TUE": -Infinity/);
    expect(() => parseJsonBody('{"a": [{"b": {"constructor": {"prototype": 1}}}]}')).toThrow(
      /"constructor" is not accepted/,
    );
    expect(parseJsonBody('{"name": "constructor"}')).toEqual({ name: 'constructor' }); // a value, not a key
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(() => parseJsonBody(`{"__proto__": 1, "x": ${deep}}`)).toThrow(/"__proto__"/);
  });
});

describe('serving drift against the reference statistics', () => {
  const spec = obesityFeatureSpec();
  const rowsOf = (n: number, seed: number, weightShift = 1) => {
    const rng = new SeededRng(seed);
    return Array.from({ length: n }, () => {
      const row: Record<string, unknown> = {};
      for (const f of spec.numeric) {
        const mid = (f.range[0] + f.range[1]) / 2;
        const v = mid + rng.normal() * (f.range[1] - f.range[0]) * 0.1;
        row[f.name] = Math.min(f.range[1], Math.max(f.range[0], f.name === 'Weight' ? v * weightShift : v));
      }
      for (const f of spec.categorical) row[f.name] = rng.pick(f.categories);
      return row;
    });
  };
  const encoder = new RowEncoder(spec);
  const train = encodeRows(encoder, rowsOf(2000, 1)).batch;
  const reference = referenceStatistics(train, spec);
  const thresholds = { psiThreshold: 0.25, pThreshold: 0.1, alertThreshold: 0.5 };
  const column = (batch: typeof train, j: number) =>
    Float64Array.from({ length: batch.rows }, (_, r) => batch.numeric[r * batch.numericWidth + j]!);

  it("PSI from the bundle's bins equals packages/stats' quantile PSI on the raw training values", () => {
    const current = encodeRows(encoder, rowsOf(500, 2, 1.25)).batch;
    const report = servingDrift(current, reference, thresholds);
    const names = [...spec.numeric.map((f) => f.name), 'BMI'];
    names.forEach((name, j) => {
      const expected = psiQuantile(column(train, j), column(current, j)).psi;
      expect(report.feature_drift[name]!.psi, name).toBeCloseTo(expected, 10);
    });
    expect(report.feature_drift['Weight']).toMatchObject({
      psi_alert: true,
      has_drift: true,
      drift_severity: 'high',
    });
    expect(report.feature_drift['Age']!.has_drift).toBe(false);
  });

  it('chi-square on the binned counts equals scipy-style chi2_contingency on the same table', () => {
    const current = encodeRows(encoder, rowsOf(300, 3)).batch;
    const report = servingDrift(current, reference, thresholds);
    const gender = reference.find((r) => r.name === 'Gender')!;
    if (gender.kind !== 'categorical') throw new Error('Gender is categorical');
    const j = spec.categorical.findIndex((f) => f.name === 'Gender');
    const counts = [0, 0];
    for (let r = 0; r < current.rows; r++) counts[current.categorical[r * current.categoricalWidth + j]!]!++;
    const expected = chi2Contingency([gender.counts, counts]);
    expect(report.feature_drift['Gender']!.chi2_statistic).toBeCloseTo(expected.statistic, 12);
    expect(report.feature_drift['Gender']!.chi2_p_value).toBeCloseTo(expected.pvalue, 12);
    expect(report.feature_drift_summary.total_features).toBe(17);
  });

  it('baseline std is the sample std (ddof 1) and mean shifts are relative to the reference', () => {
    const current = encodeRows(encoder, rowsOf(400, 4)).batch;
    const d = servingDrift(current, reference, thresholds).feature_drift['Age']!;
    const values = column(train, 0);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    expect(d.baseline_mean).toBeCloseTo(mean, 9);
    expect(d.baseline_std).toBeCloseTo(sd, 9);
    expect(d.mean_shift_pct).toBeCloseTo(((d.current_mean! - mean) / mean) * 100, 9);
  });

  it('warns that a small batch gives noisy figures', () => {
    const small = servingDrift(encodeRows(encoder, rowsOf(20, 5)).batch, reference, thresholds);
    expect(small.warnings).toEqual([
      expect.stringMatching(/^20 rows: PSI and chi-square on fewer than 100 rows are noisy/),
    ]);
    expect(servingDrift(encodeRows(encoder, rowsOf(100, 5)).batch, reference, thresholds).warnings).toEqual(
      [],
    );
  });

  it('PSI of counts floors empty bins at 1e-6 and is null without values', () => {
    expect(psiOfCounts([5, 5], [10, 0])).toBeCloseTo(
      (1 - 0.5) * Math.log(1 / 0.5) + (1e-6 - 0.5) * Math.log(1e-6 / 0.5),
      12,
    );
    expect(psiOfCounts([5, 5], [0, 0])).toBeNull();
  });
});
